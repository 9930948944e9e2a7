/* Tries: the plain host path of a file no mount shows (argv[1]).
 * Must: ENOENT: paths are the container's, and its root has no such file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(int argc, char **argv) {
    int fd = open(argv[1], O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

/* Tries: '..' past the root: open("/" + "../" * 500 + SECRET) for a host file no
 * mount shows (argv[1]).
 * Must: ENOENT: '..' of the container's root is the root, which has no such file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    static char path[4096] = "/";
    for (int i = 0; i < 500; i++) strcat(path, "../");
    strcat(path, argv[1] + 1);
    int fd = open(path, O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

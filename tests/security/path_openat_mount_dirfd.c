/* Tries: openat() relative to a directory fd of the /data mount with as many '..'
 * as the host path is deep, then the host path (argv[1] without its leading '/').
 * Must: ENOENT: '..' stops at the container's root whatever the dirfd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    static char path[4096];
    for (int i = 0; i < 32; i++) strcat(path, "../");
    strcat(path, argv[1] + 1);
    int dfd = open("/data", O_RDONLY | O_DIRECTORY);
    int fd = openat(dfd, path, O_RDONLY);
    printf("openat: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

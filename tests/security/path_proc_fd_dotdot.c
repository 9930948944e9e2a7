/* Tries: /proc/self/fd/N of a directory fd of the /data mount, then '..' from it:
 * open("/proc/self/fd/N/../secret").
 * Must: ENOENT: the fd link jumps to /data, whose '..' is the container's root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    char path[64];
    int dfd = open("/data", O_RDONLY | O_DIRECTORY);
    snprintf(path, sizeof path, "/proc/self/fd/%d/../secret", dfd);
    int fd = open(path, O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

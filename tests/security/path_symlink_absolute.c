/* Tries: a host symlink to the secret file's absolute host path (/data/abs -> SECRET).
 * Must: ENOENT: an absolute target starts at the container's root, not the host's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    int fd = open("/data/abs", O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

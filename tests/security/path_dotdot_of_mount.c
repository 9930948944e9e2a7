/* Tries: '..' out of a bind mount: open("/data/../secret"), where the host directory
 * mounted at /data has the secret file next to it on the host.
 * Must: ENOENT: '..' of a mount's root is its mount point's parent, the container's
 * root, not the host directory's parent. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    int fd = open("/data/../secret", O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

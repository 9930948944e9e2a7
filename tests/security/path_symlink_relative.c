/* Tries: a host symlink with a relative target that climbs out of its mount
 * (/data/up -> ../secret, made on the host), under the default symlink policy.
 * Must: ENOENT: the link is resolved inside the container, where /data/.. is "/". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    int fd = open("/data/up", O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

/* Tries: /proc/self/root as a way to the host's root: open("/proc/self/root" SECRET)
 * and open("/proc/self/root/../secret"-style climbs (argv[1] is the host path).
 * Must: ENOENT: /proc/self/root is the container's root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(int argc, char **argv) {
    char path[4096];
    snprintf(path, sizeof path, "/proc/self/root/../../..%s", argv[1]);
    int fd = open(path, O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

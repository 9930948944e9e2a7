/* Tries: /proc/self/root (a magic link to the root) under [files] symlinks =
 * "refuse-outside": open("/proc/self/root/etc/hostname").
 * Must: EACCES, audited (deny, files.symlinks): the link lands on another mount. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    int fd = open("/proc/self/root/etc/hostname", O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

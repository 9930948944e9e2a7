/* Tries: the first step of the classic chroot escape: chroot("/data").
 * Must: EPERM (the container's root is fixed), audited (deny, chroot). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    int rc = chroot("/data");
    printf("chroot: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

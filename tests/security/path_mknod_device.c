/* Tries: making a device node for the host's disk (block 8:0, /dev/sda) in the rw
 * mount, to read the disk through it.
 * Must: EPERM (a container has no CAP_MKNOD); nothing appears on the host. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

int main(void) {
    int rc = mknod("/data/sda", S_IFBLK | 0600, makedev(8, 0));
    printf("mknod: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

/* Tries: mounting a filesystem to get a new view of the host: mount("/", "/data",
 * NULL, MS_BIND).
 * Must: EPERM (mounts come only from the policy), audited (deny, mount). */
#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>

int main(void) {
    int rc = mount("/", "/data", NULL, MS_BIND, NULL);
    printf("mount: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

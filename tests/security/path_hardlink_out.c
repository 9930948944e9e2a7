/* Tries: a hard link out of the rw mount into the container's tmpfs:
 * link("/data/f", "/tmp/hl").
 * Must: EXDEV, as between any two mounts on Linux. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    int rc = link("/data/f", "/tmp/hl");
    printf("link: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

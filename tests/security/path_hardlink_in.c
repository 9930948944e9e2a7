/* Tries: a hard link of a host file from the root into the rw mount (which would
 * make the host's file writable through the host directory):
 * link("/etc/passwd", "/data/passwd2").
 * Must: EXDEV, and the host directory is unchanged. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    int rc = link("/etc/passwd", "/data/passwd2");
    printf("link: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

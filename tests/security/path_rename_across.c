/* Tries: moving a file out of a read-only mount into the rw one:
 * rename("/ro/existing", "/data/x").
 * Must: EXDEV (Linux checks the mounts before write access), host unchanged. */
#include <errno.h>
#include <stdio.h>

int main(void) {
    int rc = rename("/ro/existing", "/data/x");
    printf("rename: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

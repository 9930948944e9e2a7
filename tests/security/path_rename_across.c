/* Tries: moving a file between two mounts (argv[1] -> argv[2]): out of a read-only
 * mount into the rw one, out of the rw mount into the tmpfs or the read-only mount.
 * Must: EXDEV (Linux checks the mounts before write access); host unchanged. */
#include <errno.h>
#include <stdio.h>

int main(int argc, char **argv) {
    int rc = rename(argv[1], argv[2]);
    printf("rename: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

/* Tries: a hard link between two mounts (argv[1] -> argv[2]): out of the rw mount
 * into the tmpfs, of a host root file into the rw mount (which would make it
 * writable through the host directory), of a read-only mount's file into the rw one.
 * Must: EXDEV, as between any two mounts on Linux, even when one is read-only;
 * the host directories are unchanged. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int rc = link(argv[1], argv[2]);
    printf("link: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

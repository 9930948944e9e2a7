/* Tries: plant a symlink to a host path (argv[1]) in the rw mount, then follow it.
 * Must: symlink() works (the mount is rw) but open() is ENOENT: the target is looked
 * up inside the container.  The host directory keeps the link (the driver checks). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("symlink: %d\n", symlink(argv[1], "/data/planted"));
    int fd = open("/data/planted", O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

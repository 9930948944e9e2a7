/* Tries: a 256-byte component (one more than NAME_MAX) created in the rw mount.
 * Must: ENAMETOOLONG, and nothing is created on the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    char path[300] = "/data/";
    memset(path + 6, 'a', 256);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

/* Tries: finding vkemu's own host descriptors (its audit log, Unicorn's files,
 * sockets) among the guest's fds: fcntl(F_GETFD) on every fd from 3 to 65535.
 * Must: none is open: the guest's fd table holds only what the guest opened. */
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    int open_fds = 0;
    for (int fd = 3; fd < 65536; fd++)
        if (fcntl(fd, F_GETFD) >= 0) open_fds++;
    printf("open fds past stdio: %d\n", open_fds);
    return 0;
}

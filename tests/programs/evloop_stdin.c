/* Waits in poll on stdin (a host pipe) until data comes: the idle kernel must wait on
 * the host fd, not spin. */
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    struct pollfd p = {0, POLLIN, 0};
    int r = poll(&p, 1, 20000);
    char buf[64];
    ssize_t n = read(0, buf, sizeof buf);
    printf("ready %d read %zd\n", r, n);
    return 0;
}

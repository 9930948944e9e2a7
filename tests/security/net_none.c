/* Tries: an inet socket under --net none (AF_UNIX only).
 * Must: EAFNOSUPPORT, audited (deny, network.backend); AF_UNIX still works. */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket inet: %d errno=%d\n", s < 0 ? -1 : 0, s < 0 ? errno : 0);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("socket unix: %d\n", s < 0 ? -1 : 0);
    return 0;
}

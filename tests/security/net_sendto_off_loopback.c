/* Tries: a UDP datagram off the host (192.0.2.1:53) with sendto, no connect.
 * Must: ENETUNREACH, audited (deny, network.egress). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
    inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    ssize_t rc = sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof a);
    printf("sendto: %zd errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

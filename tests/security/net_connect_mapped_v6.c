/* Tries: the same destination spelled as an IPv4-mapped IPv6 address
 * (::ffff:192.0.2.1) on an AF_INET6 socket.
 * Must: ENETUNREACH, audited (deny, network.egress): mapped addresses count as IPv4. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
    inet_pton(AF_INET6, "::ffff:192.0.2.1", &a.sin6_addr);
    int s = socket(AF_INET6, SOCK_STREAM, 0);
    int rc = connect(s, (struct sockaddr *)&a, sizeof a);
    printf("connect: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

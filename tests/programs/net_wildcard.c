/* Where a server bound to the wildcard really listens (getsockname after bind), for
 * IPv4 and IPv6. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(s, (void *)&a, sizeof a) < 0) { perror("bind"); return 1; }
    socklen_t l = sizeof a;
    getsockname(s, (void *)&a, &l);
    char ip[64];
    printf("ipv4 wildcard bound to %s\n", inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip));
    struct sockaddr_in6 a6 = {0};
    a6.sin6_family = AF_INET6;
    int one = 1;
    int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
    setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(s6, (void *)&a6, sizeof a6) < 0) { perror("bind6"); return 1; }
    l = sizeof a6;
    getsockname(s6, (void *)&a6, &l);
    printf("ipv6 wildcard bound to %s\n", inet_ntop(AF_INET6, &a6.sin6_addr, ip, sizeof ip));
    return 0;
}

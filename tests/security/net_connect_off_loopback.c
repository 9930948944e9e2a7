/* Tries: a TCP connection off the host (192.0.2.1:80, TEST-NET-1) under the default
 * loopback-only policy.
 * Must: ENETUNREACH, audited (deny, network.egress); no packet leaves. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80)};
    inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int rc = connect(s, (struct sockaddr *)&a, sizeof a);
    printf("connect: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

/* What the default network policy refuses: destinations off loopback (connect and
 * sendto: ENETUNREACH), binds off loopback (EACCES) and raw sockets (EPERM); loopback
 * itself stays reachable. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void show(const char *what, int r) {
    printf("%s: %s\n", what, r == 0 ? "ok" : strerror(errno));
}

int main(void) {
    struct sockaddr_in far = {0}, near = {0};
    far.sin_family = near.sin_family = AF_INET;
    far.sin_port = htons(80);
    inet_pton(AF_INET, "192.0.2.1", &far.sin_addr);
    near.sin_port = htons(1);
    near.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    show("connect 192.0.2.1:80", connect(t, (void *)&far, sizeof far));
    show("connect 127.0.0.1:1", connect(t, (void *)&near, sizeof near));
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    show("sendto 192.0.2.1:80", sendto(u, "x", 1, 0, (void *)&far, sizeof far) == 1 ? 0 : -1);
    show("bind 192.0.2.1", bind(u, (void *)&far, sizeof far));
    struct sockaddr_in6 far6 = {0};
    far6.sin6_family = AF_INET6;
    far6.sin6_port = htons(80);
    inet_pton(AF_INET6, "2001:db8::1", &far6.sin6_addr);
    int t6 = socket(AF_INET6, SOCK_STREAM, 0);
    show("connect [2001:db8::1]:80", connect(t6, (void *)&far6, sizeof far6));
    inet_pton(AF_INET6, "::ffff:192.0.2.1", &far6.sin6_addr);
    show("connect [::ffff:192.0.2.1]:80", connect(t6, (void *)&far6, sizeof far6));
    int r = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    show("socket SOCK_RAW", r < 0 ? -1 : 0);
    return 0;
}

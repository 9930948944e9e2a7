/* UDP over loopback: request/response between forked processes, sender addresses,
 * MSG_TRUNC, MSG_PEEK, connected sockets and their dissolution with AF_UNSPEC,
 * EDESTADDRREQ, sendmmsg/recvmmsg, FIONREAD, IPv6 with an IPv4-mapped peer. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void check(int ok, const char *what) {
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok) printf("  errno %d (%s)\n", errno, strerror(errno));
}

static int bound(struct sockaddr_in *a) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(s, (void *)a, sizeof *a);
    socklen_t l = sizeof *a;
    getsockname(s, (void *)a, &l);
    return s;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sockaddr_in srv, cli;
    int s = bound(&srv);
    int c = bound(&cli);

    /* Request/response with a forked server that answers each request in upper case. */
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 3; i++) {
            char buf[64];
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            ssize_t n = recvfrom(s, buf, sizeof buf, 0, (void *)&from, &fl);
            if (n < 0) _exit(2);
            for (ssize_t j = 0; j < n; j++) if (buf[j] >= 'a' && buf[j] <= 'z') buf[j] -= 32;
            sendto(s, buf, n, 0, (void *)&from, fl);
        }
        _exit(0);
    }
    const char *words[] = {"alpha", "bravo", "charlie"};
    for (int i = 0; i < 3; i++) {
        sendto(c, words[i], strlen(words[i]), 0, (void *)&srv, sizeof srv);
        char buf[64] = {0};
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(c, buf, sizeof buf, 0, (void *)&from, &fl);
        printf("reply %zd %s from server: %s\n", n, buf,
               fl == sizeof from && from.sin_port == srv.sin_port && from.sin_addr.s_addr == srv.sin_addr.s_addr ? "yes" : "no");
    }
    int st;
    waitpid(pid, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "server exit");

    /* MSG_PEEK, FIONREAD (the next datagram's size), MSG_TRUNC both ways. */
    sendto(c, "0123456789", 10, 0, (void *)&srv, sizeof srv);
    sendto(c, "xyz", 3, 0, (void *)&srv, sizeof srv);
    usleep(20000);
    int avail = -1;
    ioctl(s, FIONREAD, &avail);
    printf("FIONREAD %d\n", avail);
    char buf[64];
    ssize_t n = recv(s, buf, 4, MSG_PEEK);
    printf("peek %zd %.4s\n", n, buf);
    struct iovec iov = {buf, 4};
    struct msghdr mh = {0};
    struct sockaddr_in from;
    mh.msg_name = &from;
    mh.msg_namelen = sizeof from;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    n = recvmsg(s, &mh, 0);
    printf("recvmsg %zd %.4s truncated %d namelen %d\n", n, buf, !!(mh.msg_flags & MSG_TRUNC), mh.msg_namelen);
    n = recv(s, buf, 1, MSG_TRUNC);
    printf("MSG_TRUNC gives the real length %zd\n", n);
    n = recv(s, buf, sizeof buf, MSG_DONTWAIT);
    check(n == -1 && errno == EAGAIN, "empty: EAGAIN");

    /* Unconnected send without an address; connect; AF_UNSPEC dissolves it. */
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    check(send(u, "a", 1, 0) == -1 && errno == EDESTADDRREQ, "send unconnected EDESTADDRREQ");
    check(connect(u, (void *)&srv, sizeof srv) == 0, "connect");
    check(send(u, "hi", 2, 0) == 2, "send connected");
    n = recv(s, buf, sizeof buf, 0);
    printf("server got %zd\n", n);
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    check(getpeername(u, (void *)&peer, &pl) == 0 && peer.sin_port == srv.sin_port, "getpeername connected");
    struct sockaddr unspec = {0};
    unspec.sa_family = AF_UNSPEC;
    check(connect(u, &unspec, sizeof unspec) == 0, "connect AF_UNSPEC");
    pl = sizeof peer;
    check(getpeername(u, (void *)&peer, &pl) == -1 && errno == ENOTCONN, "getpeername after dissolve ENOTCONN");
    check(send(u, "a", 1, 0) == -1 && errno == EDESTADDRREQ, "send after dissolve EDESTADDRREQ");
    close(u);

    /* sendmmsg / recvmmsg */
    struct mmsghdr msgs[3];
    struct iovec iovs[3];
    char bufs[3][16];
    const char *parts[] = {"one", "two", "three"};
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < 3; i++) {
        iovs[i].iov_base = (void *)parts[i];
        iovs[i].iov_len = strlen(parts[i]);
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &srv;
        msgs[i].msg_hdr.msg_namelen = sizeof srv;
    }
    printf("sendmmsg %d\n", sendmmsg(c, msgs, 3, 0));
    usleep(20000);
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < 3; i++) {
        iovs[i].iov_base = bufs[i];
        iovs[i].iov_len = sizeof bufs[i];
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int got = recvmmsg(s, msgs, 3, MSG_DONTWAIT, NULL);
    printf("recvmmsg %d:", got);
    for (int i = 0; i < got; i++) printf(" %.*s", (int)msgs[i].msg_len, bufs[i]);
    printf("\n");

    /* IPv6 socket talking to an IPv4 one through a mapped address. */
    int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 a6 = {0};
    a6.sin6_family = AF_INET6;
    a6.sin6_addr = in6addr_loopback;
    check(bind(s6, (void *)&a6, sizeof a6) == 0, "bind ::1");
    socklen_t l6 = sizeof a6;
    getsockname(s6, (void *)&a6, &l6);
    check(l6 == sizeof a6 && a6.sin6_family == AF_INET6, "sockname is a sockaddr_in6");
    int c6 = socket(AF_INET6, SOCK_DGRAM, 0);
    sendto(c6, "six", 3, 0, (void *)&a6, sizeof a6);
    struct sockaddr_in6 f6;
    socklen_t fl6 = sizeof f6;
    n = recvfrom(s6, buf, sizeof buf, 0, (void *)&f6, &fl6);
    printf("v6 got %zd from loopback %d\n", n, IN6_IS_ADDR_LOOPBACK(&f6.sin6_addr));
    struct sockaddr_in6 m6 = {0};
    m6.sin6_family = AF_INET6;
    m6.sin6_port = srv.sin_port;
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &m6.sin6_addr);
    n = sendto(c6, "mapped", 6, 0, (void *)&m6, sizeof m6);
    char mb[16] = {0};
    n = recvfrom(s, mb, sizeof mb, 0, NULL, NULL);
    printf("v4 socket got %zd %s from a v6 one\n", n, mb);
    return 0;
}

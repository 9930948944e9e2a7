/* AF_UNIX datagram and seqpacket sockets: message boundaries, MSG_TRUNC, sender
 * addresses (path, abstract, autobind), connected datagram rules, seqpacket
 * connections with EOF, and getsockname/getpeername. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int check(const char *what, long r) {
    printf("%s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
    return (int)r;
}

static void show_addr(const char *what, struct sockaddr_un *a, socklen_t len) {
    printf("%s: len %u", what, (unsigned)len);
    if (len > offsetof(struct sockaddr_un, sun_path)) {
        if (a->sun_path[0])
            printf(" path %s", strrchr(a->sun_path, '/') ? "(a path)" : a->sun_path);
        else
            printf(" abstract, %u bytes", (unsigned)(len - offsetof(struct sockaddr_un, sun_path) - 1));
    }
    printf("\n");
}

static socklen_t path_addr(struct sockaddr_un *a, const char *tag) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof a->sun_path, "/tmp/vk-dgram-%08d-%s", (int)getpid(), tag);
    unlink(a->sun_path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1;
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *tag) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "vk-abstract-%08d-%s", (int)getpid(), tag);
    return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    char buf[256];
    int sv[2];
    struct sockaddr_un a, from;
    socklen_t len;

    /* boundaries and truncation on a datagram pair */
    check("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    send(sv[0], "first", 5, 0);
    send(sv[0], "second message", 14, 0);
    send(sv[0], "", 0, 0);
    check("recv first", recv(sv[1], buf, sizeof buf, 0));
    check("recv truncated", recv(sv[1], buf, 6, 0));
    check("recv empty datagram", recv(sv[1], buf, sizeof buf, 0));
    send(sv[0], "0123456789", 10, 0);
    check("recv MSG_TRUNC gives real length", recv(sv[1], buf, 4, MSG_TRUNC));
    send(sv[0], "abcdef", 6, 0);
    struct iovec iov = {buf, 3};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    int n = recvmsg(sv[1], &mh, 0);
    printf("recvmsg %d flags MSG_TRUNC %d\n", n, !!(mh.msg_flags & MSG_TRUNC));
    check("peek", recv(sv[1], buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT));
    check("dontwait empty", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    struct pollfd p = {sv[1], POLLIN | POLLOUT, 0};
    poll(&p, 1, 0);
    printf("dgram revents %#x\n", p.revents);
    close(sv[1]);
    check("send to closed dgram peer", send(sv[0], "x", 1, 0));
    close(sv[0]);

    /* a bound datagram server, clients unbound, bound and autobound */
    int srv = socket(AF_UNIX, SOCK_DGRAM, 0);
    socklen_t srvlen = path_addr(&a, "srv");
    check("bind server", bind(srv, (struct sockaddr *)&a, srvlen));
    len = sizeof from;
    getsockname(srv, (struct sockaddr *)&from, &len);
    printf("server sockname len matches %d\n", len == srvlen);
    int cl = socket(AF_UNIX, SOCK_DGRAM, 0);
    check("sendto unbound", sendto(cl, "hi", 2, 0, (struct sockaddr *)&a, srvlen));
    len = sizeof from;
    n = recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    printf("recvfrom %d ", n);
    show_addr("from unbound", &from, len);
    struct sockaddr_un ca;
    socklen_t calen = abstract_addr(&ca, "client");
    check("bind abstract", bind(cl, (struct sockaddr *)&ca, calen));
    check("bind again", bind(cl, (struct sockaddr *)&ca, calen));
    sendto(cl, "hi2", 3, 0, (struct sockaddr *)&a, srvlen);
    len = sizeof from;
    n = recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    printf("recvfrom %d ", n);
    show_addr("from abstract", &from, len);
    printf("abstract name round trip %d\n", len == calen && memcmp(&from, &ca, calen) == 0);
    check("reply to abstract", sendto(srv, "ok", 2, 0, (struct sockaddr *)&from, len));
    check("client gets reply", recv(cl, buf, sizeof buf, 0));
    int other = socket(AF_UNIX, SOCK_DGRAM, 0);
    check("abstract in use", bind(other, (struct sockaddr *)&ca, calen));
    struct sockaddr_un fam = {AF_UNIX};
    check("autobind", bind(other, (struct sockaddr *)&fam, sizeof(sa_family_t)));
    len = sizeof from;
    getsockname(other, (struct sockaddr *)&from, &len);
    show_addr("autobound", &from, len);

    /* connected datagram sockets */
    check("connect dgram", connect(other, (struct sockaddr *)&a, srvlen));
    check("send connected", send(other, "c", 1, 0));
    len = sizeof from;
    check("getpeername dgram", getpeername(other, (struct sockaddr *)&from, &len));
    check("server drains", recv(srv, buf, sizeof buf, 0));
    check("connect srv to cl", connect(srv, (struct sockaddr *)&ca, calen));
    check("third party to connected srv", sendto(other, "x", 1, 0, (struct sockaddr *)&a, srvlen));
    struct sockaddr unspec = {AF_UNSPEC};
    check("dissolve", connect(other, &unspec, sizeof unspec));
    check("send unconnected", send(other, "x", 1, 0));
    close(srv);
    check("sendto closed server", sendto(cl, "x", 1, 0, (struct sockaddr *)&a, srvlen));
    check("connect to dead path", connect(cl, (struct sockaddr *)&a, srvlen));
    unlink(a.sun_path);
    check("connect to missing path", connect(cl, (struct sockaddr *)&a, srvlen));
    check("EMSGSIZE", send(sv[0], buf, 1 << 20, 0));
    int big = socket(AF_UNIX, SOCK_DGRAM, 0);
    char *huge = calloc(1, 300000);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    check("oversized datagram", send(sv[0], huge, 300000, 0));
    close(big);
    close(cl);
    close(other);

    /* seqpacket: a listening server, a forked client */
    int ls = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    socklen_t lslen = path_addr(&a, "seq");
    check("bind seqpacket", bind(ls, (struct sockaddr *)&a, lslen));
    check("listen seqpacket", listen(ls, 4));
    pid_t pid = fork();
    if (pid == 0) {
        int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
        if (connect(c, (struct sockaddr *)&a, lslen) < 0) _exit(1);
        send(c, "one", 3, 0);
        send(c, "two two", 7, 0);
        send(c, "three", 5, MSG_EOR);
        n = recv(c, buf, sizeof buf, 0);
        printf("client got %.*s\n", n, buf);
        close(c);
        _exit(0);
    }
    int s = accept(ls, NULL, NULL);
    check("accepted", s >= 0);
    check("seq recv 1", recv(s, buf, sizeof buf, 0));
    check("seq recv 2 truncated", recv(s, buf, 3, 0));
    n = recv(s, buf, sizeof buf, 0);
    printf("seq recv 3 %d %.*s\n", n, n, buf);
    send(s, "bye", 3, 0);
    int st;
    waitpid(pid, &st, 0);
    check("seq EOF", recv(s, buf, sizeof buf, 0));
    int u = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    check("seq recv unconnected", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    check("seq send unconnected", send(u, "x", 1, MSG_NOSIGNAL));
    check("stream to seqpacket listener", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, lslen));
    unlink(a.sun_path);
    close(ls);
    close(s);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

/* Bad input to the inet socket calls: the errno of each, as Linux gives it, and a
 * connection flood that runs into RLIMIT_NOFILE (EMFILE) and recovers. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define SHOW(expr) do { errno = 0; long r_ = (long)(expr); printf("%-60s = %ld %s\n", #expr, r_, r_ < 0 ? strerrorname_np(errno) : ""); } while (0)

static const char *strerrorname_np(int e) {
    switch (e) {
    case EINVAL: return "EINVAL"; case EAFNOSUPPORT: return "EAFNOSUPPORT"; case ENOPROTOOPT: return "ENOPROTOOPT";
    case ENOTCONN: return "ENOTCONN"; case EISCONN: return "EISCONN"; case EOPNOTSUPP: return "EOPNOTSUPP";
    case EDESTADDRREQ: return "EDESTADDRREQ"; case EADDRINUSE: return "EADDRINUSE"; case ENOTSOCK: return "ENOTSOCK";
    case EFAULT: return "EFAULT"; case EPROTONOSUPPORT: return "EPROTONOSUPPORT"; case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EMFILE: return "EMFILE"; case EBADF: return "EBADF"; case EPIPE: return "EPIPE"; case EAGAIN: return "EAGAIN";
    case ECONNREFUSED: return "ECONNREFUSED"; case EMSGSIZE: return "EMSGSIZE"; case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    default: return "other";
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct sockaddr_in6 a6 = {0};
    a6.sin6_family = AF_INET6;
    a6.sin6_addr = in6addr_loopback;
    int v = 1;
    socklen_t l = 4;

    SHOW(socket(AF_INET, SOCK_SEQPACKET, 0));
    SHOW(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    SHOW(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    SHOW(socket(AF_INET6, SOCK_STREAM, 99));
    SHOW(socket(AF_INET, SOCK_STREAM, -1));
    SHOW(socket(AF_INET, 12, 0));
    SHOW(socket(AF_INET, SOCK_STREAM | 0x100, 0));
    SHOW(socket(4242, SOCK_STREAM, 0));
    int sv[2];
    SHOW(socketpair(AF_INET, SOCK_STREAM, 0, sv));

    int t = socket(AF_INET, SOCK_STREAM, 0);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    int t6 = socket(AF_INET6, SOCK_STREAM, 0);
    SHOW(bind(t, (void *)&a, 15));
    SHOW(bind(t, (void *)&a, 0));
    SHOW(bind(t, (void *)&a, 129));
    SHOW(bind(t, (void *)&a6, sizeof a6));
    SHOW(bind(t6, (void *)&a, sizeof a));
    SHOW(bind(t6, (void *)&a6, 23));
    SHOW(bind(t, (void *)8, sizeof a));
    SHOW(connect(t, (void *)&a, 1));
    SHOW(connect(t, (void *)&a6, sizeof a6));
    SHOW(connect(t6, (void *)&a, sizeof a));
    SHOW(connect(u, (void *)&a, 8));
    struct sockaddr unix_addr = {AF_UNIX};
    SHOW(connect(u, &unix_addr, sizeof unix_addr));
    SHOW(bind(t, (void *)&a, sizeof a));
    SHOW(bind(t, (void *)&a, sizeof a));

    char buf[16];
    SHOW(recv(t, buf, sizeof buf, 0));
    SHOW(getpeername(t, (void *)&a, &l));
    SHOW(accept(t, NULL, NULL));
    SHOW(accept(u, NULL, NULL));
    SHOW(listen(u, 5));
    SHOW(send(u, "x", 1, 0));
    SHOW(shutdown(t, SHUT_RDWR));
    SHOW(shutdown(t, 7));
    SHOW(sendto(u, "x", 1, 0, (void *)&a, 4));
    SHOW(sendto(u, "x", 1, 0, (void *)&a6, sizeof a6));
    struct sockaddr_in zero = a;
    zero.sin_port = 0;
    SHOW(sendto(u, "x", 1, 0, (void *)&zero, sizeof zero));
    static char huge[70000];
    struct sockaddr_in dst = a;
    dst.sin_port = htons(9);
    SHOW(sendto(u, huge, sizeof huge, 0, (void *)&dst, sizeof dst));

    SHOW(getsockopt(t, 12345, 1, &v, &l));
    SHOW(setsockopt(t, 12345, 1, &v, sizeof v));
    SHOW(getsockopt(u, IPPROTO_TCP, TCP_NODELAY, &v, &l));
    SHOW(setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
    SHOW(getsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &v, &l));
    SHOW(setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &v, 2));
    SHOW(setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &v, 2));
    SHOW(setsockopt(t, SOL_SOCKET, SO_TYPE, &v, sizeof v));
    SHOW(setsockopt(t, SOL_SOCKET, 9999, &v, sizeof v));
    SHOW(getsockopt(t, SOL_SOCKET, SO_REUSEADDR, (void *)8, &l));
    l = -1;
    SHOW(getsockopt(t, SOL_SOCKET, SO_REUSEADDR, &v, &l));
    SHOW(getsockname(t, (void *)8, &l));
    SHOW(ioctl(STDIN_FILENO, FIONREAD, (void *)8));
    SHOW(getsockname(0, (void *)&a, &l));
    SHOW(listen(0, 1));
    SHOW(listen(999, 1));
    close(t);
    close(u);
    close(t6);

    /* A flood of connections into a small fd limit: EMFILE, then recovery. */
    struct rlimit rl = {24, 24};
    setrlimit(RLIMIT_NOFILE, &rl);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in la = a;
    la.sin_port = 0;
    bind(ls, (void *)&la, sizeof la);
    listen(ls, 64);
    l = sizeof la;
    getsockname(ls, (void *)&la, &l);
    int made = 0, fds[64];
    for (;;) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0) { printf("socket after %s clients: %s\n", made >= 15 ? "15 or more" : "too few", strerrorname_np(errno)); break; }
        if (connect(c, (void *)&la, sizeof la) < 0) { printf("connect: %s\n", strerrorname_np(errno)); break; }
        fds[made++] = c;
    }
    SHOW(accept(ls, NULL, NULL));
    close(fds[--made]);
    int got = accept(ls, NULL, NULL);
    printf("accept after closing one: %s\n", got >= 0 ? "ok" : strerrorname_np(errno));
    SHOW(accept(ls, NULL, NULL));
    return 0;
}

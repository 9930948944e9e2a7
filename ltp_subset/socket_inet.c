/* AF_INET TCP and UDP on 127.0.0.1 in the manner of LTP's bind01-06, connect01,
 * listen01, accept01, accept4_01, send01, sendto01, recv01, recvfrom01, recvmsg01,
 * sendmsg01, getsockname01, getpeername01, getsockopt01, setsockopt01-04 and
 * sockioctl01: connections between fork()ed processes with checksummed data, bind and
 * connect errors (EADDRINUSE, EINVAL, EADDRNOTAVAIL, EAFNOSUPPORT, ECONNREFUSED),
 * non-blocking connect with SO_ERROR, options, shutdown, a reset connection, and UDP
 * datagrams.  Ports are ephemeral (bound to 0) and compared, never printed. */
#define TCID "socket_inet"
#include "tst.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#define PAYLOAD 200000

static struct sockaddr_in lo(unsigned short port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return a;
}

/* The port a socket is bound to (host order), 0 on failure. */
static unsigned short port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0 || len != sizeof a)
        return 0;
    return ntohs(a.sin_port);
}

static unsigned short port_of6(int fd)
{
    struct sockaddr_in6 a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0 || len != sizeof a)
        return 0;
    return ntohs(a.sin6_port);
}

static int bind_lo(int fd)
{
    struct sockaddr_in a = lo(0);
    return bind(fd, (struct sockaddr *)&a, sizeof a);
}

/* A listening TCP socket on 127.0.0.1 and an ephemeral port. */
static int listener(int backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bind_lo(fd) < 0 || listen(fd, backlog) < 0)
        TFAIL("setup: listener: %s", tst_errname(errno));
    return fd;
}

/* A port nobody listens on: bound once, then released. */
static unsigned short closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bind_lo(fd);
    unsigned short port = port_of(fd);
    close(fd);
    return port;
}

static int sockopt(int fd, int level, int name)
{
    int v = -12345;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, name, &v, &len) < 0)
        return -12345;
    return v;
}

static int connect_lo(int fd, unsigned short port)
{
    struct sockaddr_in a = lo(port);
    return connect(fd, (struct sockaddr *)&a, sizeof a);
}

static int wait_ok(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static unsigned char pattern(long i)
{
    return (unsigned char)(i * 7 + (i >> 8));
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, 0);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

static void section_tcp(void)
{
    static unsigned char big[PAYLOAD], back[PAYLOAD];
    struct sockaddr_in a;
    socklen_t len;
    char buf[64];

    int srv = socket(AF_INET, SOCK_STREAM, 0);
    int v = 1;
    TEST_OK(setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v), "SO_REUSEADDR");
    TEST_OK(bind_lo(srv), "bind 127.0.0.1:0");
    len = sizeof a;
    TEST_OK(getsockname(srv, (struct sockaddr *)&a, &len), "getsockname");
    TEST_CHECK(len == sizeof a && a.sin_family == AF_INET && a.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
               a.sin_port != 0, "bound to 127.0.0.1 and an ephemeral port");
    unsigned short port = ntohs(a.sin_port);
    TEST_EQ(sockopt(srv, SOL_SOCKET, SO_ACCEPTCONN), 0, "SO_ACCEPTCONN before listen");
    TEST_OK(listen(srv, 8), "listen");
    TEST_EQ(sockopt(srv, SOL_SOCKET, SO_ACCEPTCONN), 1, "SO_ACCEPTCONN after listen");
    struct pollfd pf = {srv, POLLIN, 0};
    TEST_EQ(poll(&pf, 1, 0), 0, "a listener with no connection is not readable");

    /* a child connects and sends 200000 bytes; the parent echoes them back */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(srv);
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (connect_lo(c, port) < 0)
            _exit(1);
        unsigned short mine = htons(port_of(c));
        for (long i = 0; i < PAYLOAD; i++)
            big[i] = pattern(i);
        if (send(c, &mine, 2, 0) != 2 || write_all(c, big, PAYLOAD) < 0)
            _exit(2);
        if (recv(c, back, PAYLOAD, MSG_WAITALL) != PAYLOAD || memcmp(back, big, PAYLOAD))
            _exit(3);
        if (recv(c, buf, sizeof buf, 0) != 0)
            _exit(4);
        _exit(0);
    }
    TEST_EQ(poll(&pf, 1, 10000), 1, "the listener is readable when a connection waits");
    len = sizeof a;
    int conn = TEST_OK(accept(srv, (struct sockaddr *)&a, &len), "accept");
    TEST_CHECK(len == sizeof a && a.sin_family == AF_INET && a.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
               "the peer is on 127.0.0.1");
    unsigned short theirs = 0;
    TEST_EQ(recv(conn, &theirs, 2, MSG_WAITALL), 2, "the child's port");
    TEST_EQ(a.sin_port, theirs, "accept reports the port the child connected from");
    len = sizeof a;
    TEST_OK(getpeername(conn, (struct sockaddr *)&a, &len), "getpeername");
    TEST_EQ(a.sin_port, theirs, "getpeername agrees");
    TEST_EQ(port_of(conn), port, "the accepted socket has the listener's port");
    TEST_EQ(fcntl(conn, F_GETFL) & O_NONBLOCK, 0, "the accepted socket blocks");
    TEST_EQ(recv(conn, big, PAYLOAD, MSG_WAITALL), PAYLOAD, "MSG_WAITALL receives all 200000 bytes");
    long bad = 0;
    for (long i = 0; i < PAYLOAD; i++)
        bad += big[i] != pattern(i);
    TEST_EQ(bad, 0, "every byte intact and in order");
    TEST_EQ(write_all(conn, big, PAYLOAD), 0, "echo them back");
    TEST_OK(shutdown(conn, SHUT_WR), "shutdown SHUT_WR");
    TEST_CHECK(wait_ok(pid), "the child got its bytes back, then end of file");
    TEST_EQ(recv(conn, buf, sizeof buf, 0), 0, "end of file from the child");
    TEST_ERRNO(send(conn, "x", 1, 0), EPIPE, "send after SHUT_WR (SIGPIPE ignored)");
    close(conn);

    /* options of a connected socket, MSG_PEEK, FIONREAD, MSG_TRUNC, MSG_DONTWAIT */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    TEST_OK(connect_lo(c, port), "connect (before accept)");
    TEST_ERRNO(connect_lo(c, port), EISCONN, "connect again");
    conn = accept(srv, NULL, NULL);
    TEST_EQ(sockopt(c, SOL_SOCKET, SO_TYPE), SOCK_STREAM, "SO_TYPE");
    TEST_EQ(sockopt(c, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP, "SO_PROTOCOL");
    TEST_EQ(sockopt(c, SOL_SOCKET, SO_ERROR), 0, "SO_ERROR");
    TEST_EQ(sockopt(c, IPPROTO_TCP, TCP_NODELAY), 0, "TCP_NODELAY is off");
    v = 1;
    TEST_OK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v), "set TCP_NODELAY");
    TEST_EQ(sockopt(c, IPPROTO_TCP, TCP_NODELAY), 1, "TCP_NODELAY is on");
    v = 10000;
    TEST_OK(setsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, sizeof v), "set SO_RCVBUF 10000");
    TEST_EQ(sockopt(c, SOL_SOCKET, SO_RCVBUF), 20000, "SO_RCVBUF reads back doubled");
    TEST_EQ(sockopt(c, SOL_SOCKET, SO_KEEPALIVE), 0, "SO_KEEPALIVE is off");
    v = 1;
    TEST_OK(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v), "set SO_KEEPALIVE");
    TEST_EQ(sockopt(c, SOL_SOCKET, SO_KEEPALIVE), 1, "SO_KEEPALIVE is on");
    TEST_ERRNO(setsockopt(c, IPPROTO_TCP, 9999, &v, sizeof v), ENOPROTOOPT, "an unknown TCP option");
    TEST_ERRNO(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, 2), EINVAL, "TCP_NODELAY with optlen 2");
    len = sizeof v;
    TEST_ERRNO(getsockopt(c, 12345, 1, &v, &len), EOPNOTSUPP, "getsockopt at an unknown level");
    TEST_ERRNO(getsockopt(c, SOL_SOCKET, SO_TYPE, TST_BADPTR, &len), EFAULT, "getsockopt with a bad optval");

    TEST_EQ(send(conn, "abcdefgh", 8, 0), 8, "send 8 bytes");
    pf = (struct pollfd){c, POLLIN, 0};
    TEST_EQ(poll(&pf, 1, 5000), 1, "they arrive");
    int n = 0;
    TEST_OK(ioctl(c, FIONREAD, &n), "FIONREAD");
    TEST_EQ(n, 8, "FIONREAD counts them");
    TEST_EQ(recv(c, buf, 3, MSG_PEEK), 3, "MSG_PEEK 3");
    memset(buf, 'z', sizeof buf);
    TEST_EQ(recv(c, buf, 1, MSG_TRUNC), 1, "MSG_TRUNC on TCP discards 1 byte");
    TEST_EQ(buf[0], 'z', "without writing to the buffer");
    TEST_EQ(recv(c, NULL, 1, MSG_TRUNC), 1, "MSG_TRUNC on TCP with a NULL buffer discards 1 more");
    TEST_EQ(recv(c, buf, sizeof buf, 0), 6, "the rest");
    TEST_CHECK(!memcmp(buf, "cdefgh", 6), "after the discarded ones");
    TEST_ERRNO(recv(c, buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "MSG_DONTWAIT with nothing queued");
    TEST_ERRNO(recv(c, buf, sizeof buf, MSG_OOB), EINVAL, "MSG_OOB with no urgent data");
    TEST_ERRNO(recv(c, buf, sizeof buf, MSG_ERRQUEUE), EAGAIN, "MSG_ERRQUEUE with an empty error queue");
    struct sockaddr_in elsewhere = lo(9);
    TEST_EQ(sendto(conn, "ig", 2, 0, (struct sockaddr *)&elsewhere, sizeof elsewhere), 2,
            "sendto on a connected TCP socket ignores the address");
    TEST_EQ(recv(c, buf, 2, MSG_WAITALL), 2, "the bytes reach the peer");
    struct iovec iov[2] = {{"12", 2}, {"345", 3}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    TEST_EQ(sendmsg(conn, &mh, 0), 5, "sendmsg of two iovecs");
    char x[2], y[3];
    struct iovec in[2] = {{x, 2}, {y, 3}};
    struct msghdr mr = {.msg_iov = in, .msg_iovlen = 2};
    TEST_EQ(recvmsg(c, &mr, MSG_WAITALL), 5, "recvmsg MSG_WAITALL into two iovecs");
    TEST_CHECK(!memcmp(x, "12", 2) && !memcmp(y, "345", 3), "scattered in order");
    TEST_EQ(mr.msg_flags, 0, "msg_flags 0");
    close(c);
    close(conn);

    /* SIGPIPE after a shutdown, and MSG_NOSIGNAL */
    c = socket(AF_INET, SOCK_STREAM, 0);
    connect_lo(c, port);
    conn = accept(srv, NULL, NULL);
    signal(SIGPIPE, on_sigpipe);
    shutdown(c, SHUT_WR);
    TEST_ERRNO(send(c, "x", 1, 0), EPIPE, "send after SHUT_WR");
    TEST_EQ(sigpipes, 1, "raises SIGPIPE");
    TEST_ERRNO(send(c, "x", 1, MSG_NOSIGNAL), EPIPE, "with MSG_NOSIGNAL");
    TEST_EQ(sigpipes, 1, "no SIGPIPE");
    signal(SIGPIPE, SIG_IGN);
    TEST_OK(shutdown(c, SHUT_RD), "shutdown SHUT_RD");
    TEST_EQ(recv(c, buf, sizeof buf, 0), 0, "recv after SHUT_RD is end of file");
    TEST_ERRNO(shutdown(c, 3), EINVAL, "shutdown with a bad how");
    close(c);

    /* a reset: the peer closes with SO_LINGER {1, 0} */
    c = socket(AF_INET, SOCK_STREAM, 0);
    connect_lo(c, port);
    close(conn);
    conn = accept(srv, NULL, NULL);
    struct linger lg = {1, 0};
    TEST_OK(setsockopt(conn, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), "SO_LINGER {1, 0}");
    close(conn);
    pf = (struct pollfd){c, POLLIN, 0};
    TEST_EQ(poll(&pf, 1, 5000), 1, "the reset arrives");
    TEST_CHECK((pf.revents & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP), "POLLERR|POLLHUP");
    TEST_ERRNO(send(c, "x", 1, 0), ECONNRESET, "the first send after a reset: ECONNRESET");
    TEST_ERRNO(send(c, "x", 1, 0), EPIPE, "the next: EPIPE");
    TEST_EQ(recv(c, buf, sizeof buf, 0), 0, "recv: end of file");
    TEST_EQ(sockopt(c, SOL_SOCKET, SO_ERROR), 0, "SO_ERROR was consumed");
    close(c);

    /* the listener: non-blocking accept, accept4 flags */
    fcntl(srv, F_SETFL, O_NONBLOCK);
    TEST_ERRNO(accept(srv, NULL, NULL), EAGAIN, "accept on an empty non-blocking listener");
    c = socket(AF_INET, SOCK_STREAM, 0);
    connect_lo(c, port);
    pf = (struct pollfd){srv, POLLIN, 0};
    poll(&pf, 1, 5000);
    conn = TEST_OK(accept4(srv, NULL, NULL, SOCK_CLOEXEC), "accept4(SOCK_CLOEXEC) from a non-blocking listener");
    TEST_EQ(fcntl(conn, F_GETFD), FD_CLOEXEC, "close-on-exec");
    TEST_EQ(fcntl(conn, F_GETFL) & O_NONBLOCK, 0, "O_NONBLOCK is not inherited from the listener");
    close(conn);
    close(c);
    TEST_ERRNO(connect_lo(srv, port), EISCONN, "connect on a listening socket");
    TEST_ERRNO(recv(srv, buf, sizeof buf, 0), ENOTCONN, "recv on a listening socket");
    TEST_ERRNO(syscall(SYS_accept4, srv, NULL, NULL, 0x4000), EINVAL, "accept4 with a bad flag");
    close(srv);
}

static void section_errors(void)
{
    struct sockaddr_in a;
    struct sockaddr_un sun = {.sun_family = AF_UNIX, .sun_path = "x"};
    socklen_t len;
    char buf[8];

    /* bind01-style */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    a = lo(0);
    TEST_ERRNO(bind(s, (struct sockaddr *)&a, sizeof a - 1), EINVAL, "bind with addrlen 15");
    TEST_ERRNO(bind(s, (struct sockaddr *)&a, 200), EINVAL, "bind with addrlen 200");
    TEST_ERRNO(bind(s, TST_BADPTR, sizeof a), EFAULT, "bind with a bad address");
    TEST_ERRNO(bind(s, (struct sockaddr *)&sun, sizeof a), EAFNOSUPPORT, "bind with AF_UNIX in the address");
    a.sin_addr.s_addr = inet_addr("192.0.2.1");
    TEST_ERRNO(bind(s, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL, "bind to an address not on this host");
    TEST_OK(bind_lo(s), "bind 127.0.0.1:0");
    unsigned short port = port_of(s);
    TEST_ERRNO(bind_lo(s), EINVAL, "bind a bound socket again");
    len = sizeof a;
    TEST_ERRNO(getpeername(s, (struct sockaddr *)&a, &len), ENOTCONN, "getpeername of an unconnected socket");
    TEST_ERRNO(send(s, "x", 1, 0), EPIPE, "send on an unconnected TCP socket");
    TEST_ERRNO(recv(s, buf, 1, 0), ENOTCONN, "recv on an unconnected TCP socket");
    TEST_ERRNO(shutdown(s, SHUT_RD), ENOTCONN, "shutdown of an unconnected socket");
    TEST_EQ(recv(s, buf, 1, 0), 0, "yet it shut the socket down: recv is end of file");
    TEST_ERRNO(accept(s, NULL, NULL), EINVAL, "accept on a socket that does not listen");
    listen(s, 1);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    int v = 1;
    setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v);
    a = lo(port);
    TEST_ERRNO(bind(t, (struct sockaddr *)&a, sizeof a), EADDRINUSE, "bind to a listening port, even with SO_REUSEADDR");
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    TEST_ERRNO(bind(t, (struct sockaddr *)&a, sizeof a), EADDRINUSE, "bind the wildcard to that port");
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    a = lo(port);
    TEST_OK(bind(u, (struct sockaddr *)&a, sizeof a), "a UDP socket may take a TCP socket's port");
    close(u);
    close(t);
    close(s);

    /* connect01-style */
    s = socket(AF_INET, SOCK_STREAM, 0);
    TEST_ERRNO(connect_lo(s, closed_port()), ECONNREFUSED, "connect to a closed port");
    TEST_EQ(sockopt(s, SOL_SOCKET, SO_ERROR), 0, "SO_ERROR is clear after a blocking connect fails");
    close(s);
    s = socket(AF_INET, SOCK_STREAM, 0);
    a = lo(1);
    TEST_ERRNO(connect(s, (struct sockaddr *)&a, sizeof a - 1), EINVAL, "connect with addrlen 15");
    TEST_ERRNO(connect(s, TST_BADPTR, sizeof a), EFAULT, "connect with a bad address");
    TEST_ERRNO(connect(s, (struct sockaddr *)&sun, sizeof sun), EAFNOSUPPORT, "connect with AF_UNIX in the address");
    close(s);

    /* non-blocking connect: EINPROGRESS (or done at once on loopback), then SO_ERROR */
    int srv = listener(4);
    s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    errno = 0;
    int r = connect_lo(s, port_of(srv));
    TEST_CHECK(r == 0 || errno == EINPROGRESS, "a non-blocking connect: done or EINPROGRESS");
    struct pollfd pf = {s, POLLOUT, 0};
    TEST_EQ(poll(&pf, 1, 5000), 1, "becomes writable");
    TEST_EQ(pf.revents, POLLOUT, "POLLOUT alone");
    TEST_EQ(sockopt(s, SOL_SOCKET, SO_ERROR), 0, "SO_ERROR 0: connected");
    int r0 = r;
    errno = 0;
    r = connect_lo(s, port_of(srv));
    TEST_CHECK(r0 == 0 ? r == -1 && errno == EISCONN : r == 0,
               "connect again: 0 the first time after EINPROGRESS (EISCONN if it was done at once)");
    TEST_ERRNO(connect_lo(s, port_of(srv)), EISCONN, "and then EISCONN");
    len = sizeof a;
    TEST_OK(getpeername(s, (struct sockaddr *)&a, &len), "getpeername");
    TEST_EQ(ntohs(a.sin_port), port_of(srv), "the peer is the listener");
    close(s);
    close(srv);
    s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    errno = 0;
    r = connect_lo(s, closed_port());
    TEST_CHECK(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED),
               "a non-blocking connect to a closed port: EINPROGRESS or ECONNREFUSED");
    if (errno == EINPROGRESS) {
        pf = (struct pollfd){s, POLLOUT, 0};
        poll(&pf, 1, 5000);
        v = sockopt(s, SOL_SOCKET, SO_ERROR);
    } else {
        v = ECONNREFUSED;
    }
    TEST_EQ(v, ECONNREFUSED, "the error is ECONNREFUSED");
    TEST_EQ(sockopt(s, SOL_SOCKET, SO_ERROR), 0, "reading SO_ERROR cleared it");
    close(s);

    /* listen01 / accept01 on UDP */
    u = socket(AF_INET, SOCK_DGRAM, 0);
    TEST_ERRNO(listen(u, 1), EOPNOTSUPP, "listen on UDP");
    TEST_ERRNO(accept(u, NULL, NULL), EOPNOTSUPP, "accept on UDP");
    close(u);
}

static void section_udp(void)
{
    struct sockaddr_in a, from;
    socklen_t len;
    char buf[64];
    int n;

    int r = socket(AF_INET, SOCK_DGRAM, 0);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    TEST_OK(bind_lo(r), "bind the receiver");
    TEST_OK(bind_lo(s), "bind the sender");
    unsigned short rport = port_of(r), sport = port_of(s);
    a = lo(rport);
    TEST_ERRNO(send(s, "x", 1, 0), EDESTADDRREQ, "send on an unconnected UDP socket");
    TEST_EQ(sendto(s, "first", 5, 0, (struct sockaddr *)&a, sizeof a), 5, "sendto");
    TEST_EQ(sendto(s, "second!", 7, 0, (struct sockaddr *)&a, sizeof a), 7, "sendto again");
    TEST_EQ(sendto(s, "", 0, 0, (struct sockaddr *)&a, sizeof a), 0, "an empty datagram");
    struct pollfd pf = {r, POLLIN, 0};
    TEST_EQ(poll(&pf, 1, 5000), 1, "the receiver is readable");
    TEST_OK(ioctl(r, FIONREAD, &n), "FIONREAD");
    TEST_EQ(n, 5, "FIONREAD is the size of the next datagram");
    TEST_EQ(recv(r, buf, sizeof buf, MSG_PEEK), 5, "MSG_PEEK");
    len = sizeof from;
    TEST_EQ(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 5, "recvfrom");
    TEST_CHECK(len == sizeof from && from.sin_family == AF_INET && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
               ntohs(from.sin_port) == sport, "from the sender's address and port");
    TEST_EQ(recv(r, buf, 3, MSG_TRUNC), 7, "MSG_TRUNC returns the datagram's length");
    TEST_EQ(recv(r, buf, sizeof buf, 0), 0, "the empty datagram");
    TEST_ERRNO(recv(r, buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "nothing more");
    sendto(s, "truncated", 9, 0, (struct sockaddr *)&a, sizeof a);
    struct iovec iov = {buf, 4};
    struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
    TEST_EQ(recvmsg(r, &mh, 0), 4, "recvmsg of a datagram too big");
    TEST_EQ(mh.msg_flags, MSG_TRUNC, "msg_flags MSG_TRUNC");
    TEST_EQ(mh.msg_namelen, sizeof from, "msg_namelen");
    TEST_EQ(ntohs(from.sin_port), sport, "msg_name is the sender");
    TEST_ERRNO(sendto(s, "x", 1, 0, (struct sockaddr *)&a, 8), EINVAL, "sendto with addrlen 8");
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    TEST_ERRNO(sendto(s, "x", 1, 0, (struct sockaddr *)&sun, sizeof a), EAFNOSUPPORT, "sendto an AF_UNIX address");
    TEST_ERRNO(sendto(s, TST_BADPTR, 1, 0, (struct sockaddr *)&a, sizeof a), EFAULT, "sendto from a bad buffer");
    static char huge[70000];
    TEST_ERRNO(sendto(s, huge, sizeof huge, 0, (struct sockaddr *)&a, sizeof a), EMSGSIZE, "a datagram above 64 KiB");

    /* connected UDP */
    TEST_OK(connect((s), (struct sockaddr *)&a, sizeof a), "connect a UDP socket");
    TEST_EQ(send(s, "conn", 4, 0), 4, "send to the connected address");
    TEST_EQ(recv(r, buf, sizeof buf, 0), 4, "received");
    len = sizeof from;
    TEST_OK(getpeername(s, (struct sockaddr *)&from, &len), "getpeername of a connected UDP socket");
    TEST_EQ(ntohs(from.sin_port), rport, "the receiver's port");
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    TEST_OK(connect(s, &unspec, sizeof unspec), "AF_UNSPEC dissolves the association");
    TEST_ERRNO(send(s, "x", 1, 0), EDESTADDRREQ, "unconnected again");
    close(r);

    /* an ICMP port unreachable comes back as ECONNREFUSED on a connected socket */
    a = lo(rport);
    TEST_OK(connect(s, (struct sockaddr *)&a, sizeof a), "connect to a port now closed");
    TEST_EQ(send(s, "lost", 4, 0), 4, "the send itself succeeds");
    pf = (struct pollfd){s, POLLIN, 0};
    TEST_EQ(poll(&pf, 1, 5000), 1, "an error comes back");
    TEST_CHECK(pf.revents & POLLERR, "POLLERR");
    TEST_ERRNO(recv(s, buf, sizeof buf, 0), ECONNREFUSED, "recv reports ECONNREFUSED");
    TEST_ERRNO(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "once");
    close(s);

    /* SO_REUSEADDR lets two UDP sockets share a port */
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    bind_lo(u1);
    a = lo(port_of(u1));
    TEST_ERRNO(bind(u2, (struct sockaddr *)&a, sizeof a), EADDRINUSE, "a second UDP bind to a port");
    close(u1);
    close(u2);
    u1 = socket(AF_INET, SOCK_DGRAM, 0);
    u2 = socket(AF_INET, SOCK_DGRAM, 0);
    int on = 1;
    setsockopt(u1, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(u2, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    bind_lo(u1);
    a = lo(port_of(u1));
    TEST_OK(bind(u2, (struct sockaddr *)&a, sizeof a), "with SO_REUSEADDR on both it is allowed");
    close(u1);
    close(u2);

    /* a UDP request/response between processes */
    r = socket(AF_INET, SOCK_DGRAM, 0);
    bind_lo(r);
    rport = port_of(r);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int c = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in to = lo(rport);
        char reply[16];
        for (int i = 0; i < 10; i++) {
            char req = (char)('a' + i);
            if (sendto(c, &req, 1, 0, (struct sockaddr *)&to, sizeof to) != 1)
                _exit(1);
            if (recv(c, reply, sizeof reply, 0) != 2 || reply[0] != req || reply[1] != '!')
                _exit(2);
        }
        _exit(0);
    }
    int served = 0;
    for (int i = 0; i < 10; i++) {
        char req[2];
        len = sizeof from;
        if (recvfrom(r, req, 1, 0, (struct sockaddr *)&from, &len) != 1)
            break;
        req[1] = '!';
        if (sendto(r, req, 2, 0, (struct sockaddr *)&from, len) == 2)
            served++;
    }
    TEST_EQ(served, 10, "ten requests answered to their senders' addresses");
    TEST_CHECK(wait_ok(pid), "the child got every reply");
    close(r);
}

static void section_many(void)
{
    /* ten clients at once from one child, accepted in turn */
    int srv = listener(16);
    unsigned short port = port_of(srv);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int c[10];
        for (int i = 0; i < 10; i++) {
            c[i] = socket(AF_INET, SOCK_STREAM, 0);
            if (connect_lo(c[i], port) < 0)
                _exit(1);
        }
        for (int i = 0; i < 10; i++) {
            char b = (char)i;
            if (send(c[i], &b, 1, 0) != 1)
                _exit(2);
        }
        for (int i = 0; i < 10; i++) {
            char b;
            if (recv(c[i], &b, 1, 0) != 1 || b != (char)(i + 100))
                _exit(3);
        }
        _exit(0);
    }
    int ok = 0;
    for (int i = 0; i < 10; i++) {
        int conn = accept(srv, NULL, NULL);
        char b;
        if (conn >= 0 && recv(conn, &b, 1, 0) == 1) {
            b = (char)(b + 100);
            ok += send(conn, &b, 1, 0) == 1;
        }
        close(conn);
    }
    TEST_EQ(ok, 10, "ten connections accepted and answered");
    TEST_CHECK(wait_ok(pid), "each client got its own answer");
    close(srv);
}

static void section_inet6(void)
{
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT}, got;
    socklen_t len;
    char buf[16];

    int srv = socket(AF_INET6, SOCK_STREAM, 0);
    TEST_EQ(sockopt(srv, SOL_SOCKET, SO_DOMAIN), AF_INET6, "an AF_INET6 socket");
    TEST_EQ(sockopt(srv, IPPROTO_IPV6, IPV6_V6ONLY), 0, "IPV6_V6ONLY is off");
    TEST_ERRNO(bind(srv, (struct sockaddr *)&a6, 23), EINVAL, "bind with addrlen 23");
    struct sockaddr_in a4 = lo(0);
    TEST_ERRNO(bind(srv, (struct sockaddr *)&a4, sizeof a6), EAFNOSUPPORT, "bind an AF_INET address to an AF_INET6 socket");
    TEST_OK(bind(srv, (struct sockaddr *)&a6, 24), "bind [::1]:0 with the RFC 2133 length 24");
    len = sizeof got;
    TEST_OK(getsockname(srv, (struct sockaddr *)&got, &len), "getsockname");
    TEST_CHECK(len == sizeof got && got.sin6_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&got.sin6_addr) &&
               got.sin6_port != 0, "[::1] and a port, in a 28-byte sockaddr_in6");
    listen(srv, 2);
    int c = socket(AF_INET6, SOCK_STREAM, 0);
    a6.sin6_port = got.sin6_port;
    TEST_OK(connect(c, (struct sockaddr *)&a6, sizeof a6), "connect to [::1]");
    len = sizeof got;
    int conn = TEST_OK(accept(srv, (struct sockaddr *)&got, &len), "accept");
    TEST_CHECK(len == sizeof got && got.sin6_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&got.sin6_addr),
               "the peer is [::1]");
    TEST_EQ(send(c, "six", 3, 0), 3, "send");
    TEST_EQ(recv(conn, buf, sizeof buf, 0), 3, "recv");
    close(conn);
    close(c);
    c = socket(AF_INET, SOCK_STREAM, 0);
    TEST_ERRNO(connect(c, (struct sockaddr *)&a4, sizeof a4), ECONNREFUSED, "port 0 on 127.0.0.1 refuses");
    close(c);
    close(srv);

    /* a dual-stack listener on [::] takes IPv4 connections as ::ffff:127.0.0.1 */
    srv = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
    TEST_OK(bind(srv, (struct sockaddr *)&any, sizeof any), "bind [::]:0");
    listen(srv, 2);
    len = sizeof got;
    getsockname(srv, (struct sockaddr *)&got, &len);
    unsigned short port = ntohs(got.sin6_port);
    c = socket(AF_INET, SOCK_STREAM, 0);
    TEST_OK(connect_lo(c, port), "an IPv4 client connects to the dual-stack port");
    len = sizeof got;
    conn = TEST_OK(accept(srv, (struct sockaddr *)&got, &len), "accept");
    TEST_CHECK(got.sin6_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&got.sin6_addr) &&
               !memcmp(&got.sin6_addr.s6_addr[12], "\x7f\0\0\x01", 4), "the peer is ::ffff:127.0.0.1");
    close(conn);
    close(c);
    close(srv);
    srv = socket(AF_INET6, SOCK_STREAM, 0);
    int on = 1;
    TEST_OK(setsockopt(srv, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on), "set IPV6_V6ONLY");
    TEST_EQ(sockopt(srv, IPPROTO_IPV6, IPV6_V6ONLY), 1, "IPV6_V6ONLY is on");
    bind(srv, (struct sockaddr *)&any, sizeof any);
    listen(srv, 2);
    len = sizeof got;
    getsockname(srv, (struct sockaddr *)&got, &len);
    c = socket(AF_INET, SOCK_STREAM, 0);
    TEST_ERRNO(connect_lo(c, ntohs(got.sin6_port)), ECONNREFUSED, "an IPV6_V6ONLY listener does not take IPv4");
    close(c);
    close(srv);

    /* UDP over [::1] */
    int r = socket(AF_INET6, SOCK_DGRAM, 0), s = socket(AF_INET6, SOCK_DGRAM, 0);
    a6.sin6_port = 0;
    bind(r, (struct sockaddr *)&a6, sizeof a6);
    len = sizeof got;
    getsockname(r, (struct sockaddr *)&got, &len);
    TEST_EQ(sendto(s, "udp6", 4, 0, (struct sockaddr *)&got, sizeof got), 4, "sendto [::1]");
    len = sizeof got;
    TEST_EQ(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&got, &len), 4, "recvfrom");
    TEST_CHECK(len == sizeof got && got.sin6_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&got.sin6_addr) &&
               ntohs(got.sin6_port) == port_of6(s), "from the sender, autobound to [::1]");
    close(r);
    close(s);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    section_tcp();
    section_errors();
    section_udp();
    section_many();
    section_inet6();
    return tst_exit();
}

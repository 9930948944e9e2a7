/* AF_INET/AF_INET6 sockets in the manner of LTP's socket01-02, bind01-03, listen01,
 * accept01, accept4_01, connect01, getsockname01, getpeername01, send01, recv01,
 * sendto01, recvfrom01, setsockopt01-02 and getsockopt01: the documented errors of
 * each call, and the loopback round trip they exist for. */
#define TCID "inet_socket"
#include "tst.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

static struct sockaddr_in loopback(unsigned short port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

int main(void)
{
    int one = 1, v;
    socklen_t len;
    char buf[64];
    int file = open("/dev/null", O_RDONLY);

    signal(SIGPIPE, SIG_IGN);

    /* socket01: bad domain, type and protocol */
    TEST_ERRNO(socket(9999, SOCK_STREAM, 0), EAFNOSUPPORT, "socket: unknown domain");
    TEST_ERRNO(socket(AF_INET, 9999, 0), EINVAL, "socket: unknown type");
    TEST_ERRNO(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT, "socket: SOCK_SEQPACKET on AF_INET");
    TEST_ERRNO(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT, "socket: TCP type, UDP protocol");
    TEST_ERRNO(socket(AF_INET6, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT, "socket: UDP type, TCP protocol");

    /* socket02: SOCK_CLOEXEC and SOCK_NONBLOCK */
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    TEST_CHECK(s >= 0, "socket with SOCK_CLOEXEC|SOCK_NONBLOCK");
    TEST_CHECK(fcntl(s, F_GETFD) & FD_CLOEXEC, "SOCK_CLOEXEC sets FD_CLOEXEC");
    TEST_CHECK(fcntl(s, F_GETFL) & O_NONBLOCK, "SOCK_NONBLOCK sets O_NONBLOCK");
    len = sizeof v;
    TEST_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len), "getsockopt SO_TYPE");
    TEST_EQ(v, SOCK_STREAM, "SO_TYPE has no flag bits");
    close(s);

    /* bind01-03 */
    struct sockaddr_in a = loopback(0);
    s = socket(AF_INET, SOCK_STREAM, 0);
    TEST_ERRNO(bind(-1, (void *)&a, sizeof a), EBADF, "bind: bad fd");
    TEST_ERRNO(bind(file, (void *)&a, sizeof a), ENOTSOCK, "bind: not a socket");
    TEST_ERRNO(bind(s, TST_BADPTR, sizeof a), EFAULT, "bind: bad address pointer");
    TEST_ERRNO(bind(s, (void *)&a, 3), EINVAL, "bind: short address");
    TEST_OK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), "SO_REUSEADDR");
    TEST_OK(bind(s, (void *)&a, sizeof a), "bind 127.0.0.1:0");
    TEST_ERRNO(bind(s, (void *)&a, sizeof a), EINVAL, "bind: already bound");
    len = sizeof a;
    TEST_OK(getsockname(s, (void *)&a, &len), "getsockname");
    TEST_CHECK(len == sizeof a && a.sin_port != 0, "the kernel chose a port");
    int s2 = socket(AF_INET, SOCK_STREAM, 0);
    TEST_OK(listen(s, 8), "listen");
    TEST_ERRNO(bind(s2, (void *)&a, sizeof a), EADDRINUSE, "bind: port in use by a listener");
    close(s2);

    /* listen01 */
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    TEST_ERRNO(listen(-1, 1), EBADF, "listen: bad fd");
    TEST_ERRNO(listen(file, 1), ENOTSOCK, "listen: not a socket");
    TEST_ERRNO(listen(u, 1), EOPNOTSUPP, "listen: datagram socket");

    /* accept01 and accept4_01 */
    TEST_ERRNO(accept(-1, NULL, NULL), EBADF, "accept: bad fd");
    TEST_ERRNO(accept(file, NULL, NULL), ENOTSOCK, "accept: not a socket");
    TEST_ERRNO(accept(u, NULL, NULL), EOPNOTSUPP, "accept: datagram socket");
    s2 = socket(AF_INET, SOCK_STREAM, 0);
    TEST_ERRNO(accept(s2, NULL, NULL), EINVAL, "accept: not listening");
    TEST_ERRNO(syscall(SYS_accept4, s, NULL, NULL, 0x1234), EINVAL, "accept4: bad flags (musl would retry with accept)");

    /* connect01 */
    TEST_ERRNO(connect(-1, (void *)&a, sizeof a), EBADF, "connect: bad fd");
    TEST_ERRNO(connect(file, (void *)&a, sizeof a), ENOTSOCK, "connect: not a socket");
    TEST_ERRNO(connect(s2, TST_BADPTR, sizeof a), EFAULT, "connect: bad address pointer");
    struct sockaddr_in6 a6;
    memset(&a6, 0, sizeof a6);
    a6.sin6_family = AF_INET6;
    TEST_ERRNO(connect(s2, (void *)&a6, sizeof a6), EAFNOSUPPORT, "connect: IPv6 address to an IPv4 socket");
    TEST_OK(connect(s2, (void *)&a, sizeof a), "connect to the listener");
    TEST_ERRNO(connect(s2, (void *)&a, sizeof a), EISCONN, "connect: already connected");
    int c = accept(s, (void *)&a6, &len);
    TEST_CHECK(c >= 0, "accept the connection");

    /* getsockname01, getpeername01 */
    struct sockaddr_in peer;
    len = sizeof peer;
    TEST_ERRNO(getpeername(-1, (void *)&peer, &len), EBADF, "getpeername: bad fd");
    TEST_ERRNO(getpeername(file, (void *)&peer, &len), ENOTSOCK, "getpeername: not a socket");
    TEST_ERRNO(getpeername(s, (void *)&peer, &len), ENOTCONN, "getpeername: a listener");
    TEST_ERRNO(getpeername(s2, TST_BADPTR, &len), EFAULT, "getpeername: bad address pointer");
    len = -1;
    TEST_ERRNO(getsockname(s2, (void *)&peer, &len), EINVAL, "getsockname: negative length");
    len = 4;
    TEST_OK(getpeername(s2, (void *)&peer, &len), "getpeername: short buffer");
    TEST_EQ(len, sizeof peer, "the full length is reported");
    len = sizeof peer;
    TEST_OK(getpeername(s2, (void *)&peer, &len), "getpeername");
    TEST_CHECK(peer.sin_port == a.sin_port && peer.sin_addr.s_addr == a.sin_addr.s_addr, "the peer is the listener");

    /* send01, recv01 */
    TEST_EQ(send(s2, "ping", 4, 0), 4, "send on the connection");
    TEST_EQ(recv(c, buf, sizeof buf, 0), 4, "recv it");
    TEST_ERRNO(send(s2, TST_BADPTR, 4, 0), EFAULT, "send: bad buffer");
    TEST_EQ(send(c, "pong", 4, 0), 4, "send back");
    TEST_ERRNO(recv(s2, TST_BADPTR, 4, 0), EFAULT, "recv: bad buffer");
    TEST_EQ(recv(s2, buf, sizeof buf, 0), 4, "the data is still there after EFAULT");
    TEST_ERRNO(recv(s2, buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "recv: MSG_DONTWAIT on nothing");
    int fresh = socket(AF_INET, SOCK_STREAM, 0);
    TEST_ERRNO(recv(fresh, buf, sizeof buf, 0), ENOTCONN, "recv: not connected");
    TEST_ERRNO(send(fresh, "x", 1, 0), EPIPE, "send: not connected (EPIPE on Linux)");
    TEST_OK(shutdown(s2, SHUT_WR), "shutdown SHUT_WR");
    TEST_ERRNO(send(s2, "x", 1, 0), EPIPE, "send after SHUT_WR");
    TEST_EQ(recv(c, buf, sizeof buf, 0), 0, "the peer sees EOF");
    TEST_ERRNO(shutdown(fresh, SHUT_RD), ENOTCONN, "shutdown: not connected");

    /* sendto01, recvfrom01 */
    struct sockaddr_in ua = loopback(0), from;
    TEST_OK(bind(u, (void *)&ua, sizeof ua), "bind the datagram socket");
    len = sizeof ua;
    getsockname(u, (void *)&ua, &len);
    int u2 = socket(AF_INET, SOCK_DGRAM, 0);
    TEST_ERRNO(send(u2, "x", 1, 0), EDESTADDRREQ, "sendto: no destination");
    TEST_ERRNO(sendto(u2, "x", 1, 0, (void *)&ua, 3), EINVAL, "sendto: short address");
    TEST_ERRNO(sendto(u2, "x", 1, 0, TST_BADPTR, sizeof ua), EFAULT, "sendto: bad address pointer");
    static char big[70000];
    TEST_ERRNO(sendto(u2, big, sizeof big, 0, (void *)&ua, sizeof ua), EMSGSIZE, "sendto: datagram too large");
    TEST_EQ(sendto(u2, "dgram", 5, 0, (void *)&ua, sizeof ua), 5, "sendto");
    len = sizeof from;
    TEST_EQ(recvfrom(u, buf, 3, MSG_TRUNC, (void *)&from, &len), 5, "recvfrom MSG_TRUNC: the whole length");
    TEST_EQ(len, sizeof from, "recvfrom: sender address length");
    TEST_CHECK(from.sin_family == AF_INET && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "recvfrom: sender address");

    /* setsockopt01-02, getsockopt01 */
    len = sizeof v;
    TEST_ERRNO(setsockopt(-1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), EBADF, "setsockopt: bad fd");
    TEST_ERRNO(setsockopt(file, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), ENOTSOCK, "setsockopt: not a socket");
    TEST_ERRNO(setsockopt(s2, SOL_SOCKET, SO_REUSEADDR, TST_BADPTR, sizeof one), EFAULT, "setsockopt: bad value");
    TEST_ERRNO(setsockopt(s2, SOL_SOCKET, SO_REUSEADDR, &one, 1), EINVAL, "setsockopt: short value");
    TEST_ERRNO(setsockopt(s2, 500, 1, &one, sizeof one), ENOPROTOOPT, "setsockopt: unknown level");
    TEST_ERRNO(setsockopt(s2, IPPROTO_TCP, 500, &one, sizeof one), ENOPROTOOPT, "setsockopt: unknown TCP option");
    TEST_ERRNO(getsockopt(s2, SOL_SOCKET, 500, &v, &len), ENOPROTOOPT, "getsockopt: unknown option");
    TEST_ERRNO(getsockopt(s2, SOL_SOCKET, SO_TYPE, &v, TST_BADPTR), EFAULT, "getsockopt: bad length pointer");
    TEST_OK(setsockopt(s2, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), "TCP_NODELAY");
    len = sizeof v;
    TEST_OK(getsockopt(s2, IPPROTO_TCP, TCP_NODELAY, &v, &len), "get TCP_NODELAY");
    TEST_CHECK(v != 0 && len == sizeof v, "TCP_NODELAY is on");
    len = sizeof v;
    TEST_OK(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &len), "get SO_ACCEPTCONN");
    TEST_EQ(v, 1, "the listener accepts connections");
    len = sizeof v;
    TEST_OK(getsockopt(s2, SOL_SOCKET, SO_ERROR, &v, &len), "get SO_ERROR");
    TEST_EQ(v, 0, "no pending error");

    close(c);
    close(s);
    close(s2);
    close(u);
    close(u2);
    close(fresh);
    close(file);
    return tst_exit();
}

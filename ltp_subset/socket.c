/* socket(2) and socketpair(2) in the manner of LTP's socket01-02 and socketpair01-02,
 * with the socket-call errors every LTP socket test starts with (bind01, connect01,
 * listen01, accept01, send01, recv01, getsockname01, getpeername01, getsockopt01,
 * setsockopt01, sockioctl01): families, types and protocols that exist or not,
 * SOCK_CLOEXEC and SOCK_NONBLOCK, what fstat/fcntl/lseek say of a socket, EMFILE,
 * EBADF on a bad fd and ENOTSOCK on a file fd. */
#define TCID "socket"
#include "tst.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

static int sockopt(int fd, int level, int name)
{
    int v = -12345;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, name, &v, &len) < 0 || len != sizeof v)
        return -12345;
    return v;
}

/* One socket kind that must be created: checks SO_TYPE, SO_DOMAIN and SO_PROTOCOL. */
static void good(int domain, int type, int protocol, int want_type, int want_protocol, const char *desc)
{
    int fd = socket(domain, type, protocol);
    if (fd < 0) {
        TFAIL("%s: failed with %s", desc, tst_errname(errno));
        return;
    }
    TEST_CHECK(sockopt(fd, SOL_SOCKET, SO_TYPE) == want_type && sockopt(fd, SOL_SOCKET, SO_DOMAIN) == domain &&
               sockopt(fd, SOL_SOCKET, SO_PROTOCOL) == want_protocol,
               "%s: SO_TYPE, SO_DOMAIN, SO_PROTOCOL", desc);
    close(fd);
}

int main(void)
{
    int fd, sv[2];
    struct stat st;
    char buf[16];
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len;

    tst_scratch();

    /* socket01: what can be created */
    good(AF_UNIX, SOCK_STREAM, 0, SOCK_STREAM, 0, "AF_UNIX SOCK_STREAM");
    good(AF_UNIX, SOCK_DGRAM, 0, SOCK_DGRAM, 0, "AF_UNIX SOCK_DGRAM");
    good(AF_UNIX, SOCK_SEQPACKET, 0, SOCK_SEQPACKET, 0, "AF_UNIX SOCK_SEQPACKET");
    good(AF_UNIX, SOCK_STREAM, PF_UNIX, SOCK_STREAM, 0, "AF_UNIX with protocol PF_UNIX");
    good(AF_UNIX, SOCK_RAW, 0, SOCK_DGRAM, 0, "AF_UNIX SOCK_RAW is a datagram socket");
    good(AF_INET, SOCK_STREAM, 0, SOCK_STREAM, IPPROTO_TCP, "AF_INET SOCK_STREAM");
    good(AF_INET, SOCK_STREAM, IPPROTO_TCP, SOCK_STREAM, IPPROTO_TCP, "AF_INET SOCK_STREAM IPPROTO_TCP");
    good(AF_INET, SOCK_DGRAM, 0, SOCK_DGRAM, IPPROTO_UDP, "AF_INET SOCK_DGRAM");
    good(AF_INET, SOCK_DGRAM, IPPROTO_UDP, SOCK_DGRAM, IPPROTO_UDP, "AF_INET SOCK_DGRAM IPPROTO_UDP");

    /* socket01: what cannot */
    TEST_ERRNO(socket(0, SOCK_STREAM, 0), EAFNOSUPPORT, "AF_UNSPEC");
    TEST_ERRNO(socket(1000, SOCK_STREAM, 0), EAFNOSUPPORT, "family 1000");
    TEST_ERRNO(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT, "family -1");
    TEST_ERRNO(socket(AF_INET, 75, 0), EINVAL, "AF_INET type 75");
    TEST_ERRNO(socket(AF_UNIX, 75, 0), EINVAL, "AF_UNIX type 75");
    TEST_ERRNO(socket(AF_INET, SOCK_STREAM | 0x100000, 0), EINVAL, "an unknown flag in the type");
    TEST_ERRNO(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT, "TCP socket with IPPROTO_UDP");
    TEST_ERRNO(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT, "UDP socket with IPPROTO_TCP");
    TEST_ERRNO(socket(AF_INET, SOCK_STREAM, 200), EPROTONOSUPPORT, "TCP socket with protocol 200");
    TEST_ERRNO(socket(AF_INET, 0, 0), ESOCKTNOSUPPORT, "AF_INET type 0");
    TEST_ERRNO(socket(AF_INET, SOCK_RDM, 0), ESOCKTNOSUPPORT, "AF_INET SOCK_RDM");
    TEST_ERRNO(socket(AF_UNIX, SOCK_STREAM, IPPROTO_TCP), EPROTONOSUPPORT, "AF_UNIX with IPPROTO_TCP");
    TEST_ERRNO(socket(AF_UNIX, 0, 0), ESOCKTNOSUPPORT, "AF_UNIX type 0");
    TEST_ERRNO(socket(AF_UNIX, SOCK_RDM, IPPROTO_TCP), EPROTONOSUPPORT, "AF_UNIX checks the protocol before the type");
    TEST_ERRNO(socket(AF_INET, SOCK_STREAM, -1), EINVAL, "AF_INET protocol -1");
    TEST_ERRNO(socket(AF_INET, SOCK_STREAM, 263), EINVAL, "AF_INET protocol 263 (IPPROTO_MAX)");
    TEST_ERRNO(socket(AF_INET, SOCK_STREAM, 256), EPROTONOSUPPORT, "AF_INET protocol 256");
    TEST_ERRNO(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT, "AF_UNIX SOCK_RDM");

    /* socket02: SOCK_CLOEXEC and SOCK_NONBLOCK */
    fd = TEST_OK(socket(AF_INET, SOCK_STREAM, 0), "a plain socket");
    TEST_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0, "no close-on-exec");
    TEST_EQ(fcntl(fd, F_GETFL), O_RDWR, "F_GETFL is O_RDWR");
    close(fd);
    fd = TEST_OK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "SOCK_CLOEXEC");
    TEST_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC, "SOCK_CLOEXEC sets close-on-exec");
    TEST_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0, "and not O_NONBLOCK");
    close(fd);
    fd = TEST_OK(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), "SOCK_NONBLOCK");
    TEST_EQ(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK, "SOCK_NONBLOCK sets O_NONBLOCK");
    TEST_EQ(sockopt(fd, SOL_SOCKET, SO_TYPE), SOCK_DGRAM, "SO_TYPE does not carry the flags");
    TEST_ERRNO(recv(fd, buf, sizeof buf, 0), EAGAIN, "recv on an empty non-blocking UDP socket");
    int off = 0;
    TEST_OK(ioctl(fd, FIONBIO, &off), "FIONBIO 0");
    TEST_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0, "FIONBIO clears O_NONBLOCK");
    int on = 1;
    TEST_OK(ioctl(fd, FIONBIO, &on), "FIONBIO 1");
    TEST_CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "FIONBIO sets O_NONBLOCK");
    close(fd);
    fd = TEST_OK(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "AF_UNIX with both flags");
    TEST_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "close-on-exec");
    TEST_EQ(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK, "O_NONBLOCK");
    TEST_EQ(sockopt(fd, SOL_SOCKET, SO_TYPE), SOCK_SEQPACKET, "SO_TYPE is SOCK_SEQPACKET");
    close(fd);

    /* what a socket is not */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    TEST_OK(fstat(fd, &st), "fstat of a socket");
    TEST_CHECK(S_ISSOCK(st.st_mode), "S_ISSOCK");
    TEST_EQ(st.st_mode & 07777, 0777, "a socket's mode is 0777");
    TEST_ERRNO(lseek(fd, 0, SEEK_SET), ESPIPE, "lseek on a socket");
    TEST_ERRNO(pread(fd, buf, 1, 0), ESPIPE, "pread on a socket");
    TEST_ERRNO(read(fd, buf, 1), ENOTCONN, "read of an unconnected TCP socket");
    TEST_EQ(sockopt(fd, SOL_SOCKET, SO_ACCEPTCONN), 0, "SO_ACCEPTCONN before listen");
    TEST_EQ(sockopt(fd, SOL_SOCKET, SO_ERROR), 0, "SO_ERROR of a new socket");
    len = sizeof sin;
    TEST_OK(getsockname(fd, (struct sockaddr *)&sin, &len), "getsockname of an unbound socket");
    TEST_CHECK(len == sizeof sin && sin.sin_family == AF_INET && sin.sin_port == 0 && sin.sin_addr.s_addr == 0,
               "an unbound socket's name is 0.0.0.0:0");
    TEST_ERRNO(getpeername(fd, (struct sockaddr *)&sin, &len), ENOTCONN, "getpeername of an unconnected socket");
    close(fd);

    /* socketpair01/02 */
    TEST_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair AF_UNIX SOCK_STREAM");
    TEST_CHECK(sv[1] == sv[0] + 1, "the second fd is the next lowest");
    TEST_EQ(fcntl(sv[0], F_GETFD) | fcntl(sv[1], F_GETFD), 0, "no close-on-exec");
    close(sv[0]);
    close(sv[1]);
    TEST_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), "socketpair with both flags");
    TEST_CHECK(fcntl(sv[0], F_GETFD) == FD_CLOEXEC && fcntl(sv[1], F_GETFD) == FD_CLOEXEC, "both close-on-exec");
    TEST_CHECK((fcntl(sv[0], F_GETFL) & O_NONBLOCK) && (fcntl(sv[1], F_GETFL) & O_NONBLOCK), "both O_NONBLOCK");
    close(sv[0]);
    close(sv[1]);
    TEST_ERRNO(socketpair(0, SOCK_STREAM, 0, sv), EAFNOSUPPORT, "socketpair AF_UNSPEC");
    TEST_ERRNO(socketpair(1000, SOCK_STREAM, 0, sv), EAFNOSUPPORT, "socketpair family 1000");
    TEST_ERRNO(socketpair(AF_UNIX, 75, 0, sv), EINVAL, "socketpair type 75");
    TEST_ERRNO(socketpair(AF_UNIX, SOCK_STREAM, IPPROTO_TCP, sv), EPROTONOSUPPORT, "socketpair AF_UNIX IPPROTO_TCP");
    TEST_ERRNO(socketpair(AF_UNIX, SOCK_RDM, 0, sv), ESOCKTNOSUPPORT, "socketpair AF_UNIX SOCK_RDM");
    TEST_ERRNO(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP, "socketpair AF_INET SOCK_STREAM");
    TEST_ERRNO(socketpair(AF_INET, SOCK_DGRAM, 0, sv), EOPNOTSUPP, "socketpair AF_INET SOCK_DGRAM");
    TEST_ERRNO(socketpair(AF_INET, SOCK_DGRAM, IPPROTO_TCP, sv), EPROTONOSUPPORT, "socketpair AF_INET UDP with IPPROTO_TCP");
    TEST_ERRNO(socketpair(AF_INET, SOCK_RDM, 0, sv), ESOCKTNOSUPPORT, "socketpair AF_INET SOCK_RDM");
    TEST_ERRNO(socketpair(AF_UNIX, SOCK_STREAM | 0x100000, 0, sv), EINVAL, "socketpair with an unknown flag");
    TEST_ERRNO(socketpair(AF_UNIX, SOCK_STREAM, 0, TST_BADPTR), EFAULT, "socketpair with a bad sv");
    fd = dup(0);
    TEST_EQ(fd, 3, "a failed socketpair left no fd open");
    close(fd);

    /* EMFILE */
    struct rlimit old, lim;
    getrlimit(RLIMIT_NOFILE, &old);
    lim = old;
    lim.rlim_cur = 5;
    TEST_OK(setrlimit(RLIMIT_NOFILE, &lim), "lower RLIMIT_NOFILE to 5");
    TEST_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "a pair fits in fds 3 and 4");
    TEST_ERRNO(socket(AF_INET, SOCK_STREAM, 0), EMFILE, "socket with no fd free");
    close(sv[1]);
    int sv2[2];
    TEST_ERRNO(socketpair(AF_UNIX, SOCK_STREAM, 0, sv2), EMFILE, "socketpair with one fd free");
    TEST_EQ(dup(sv[0]), 4, "the failed socketpair left fd 4 free");
    close(4);
    close(sv[0]);
    setrlimit(RLIMIT_NOFILE, &old);

    /* EBADF and ENOTSOCK for every socket call */
    int file = open("file", O_RDWR | O_CREAT, 0644);
    struct sockaddr_un sun = {.sun_family = AF_UNIX, .sun_path = "sock"};
    struct msghdr mh = {0};
    struct iovec iov = {buf, sizeof buf};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    int v = 1;
    len = sizeof sin;
    int bad = 100;
    TEST_ERRNO(bind(bad, (struct sockaddr *)&sun, sizeof sun), EBADF, "bind on a closed fd");
    TEST_ERRNO(bind(file, (struct sockaddr *)&sun, sizeof sun), ENOTSOCK, "bind on a file");
    TEST_ERRNO(listen(bad, 1), EBADF, "listen on a closed fd");
    TEST_ERRNO(listen(file, 1), ENOTSOCK, "listen on a file");
    TEST_ERRNO(accept(bad, NULL, NULL), EBADF, "accept on a closed fd");
    TEST_ERRNO(accept(file, NULL, NULL), ENOTSOCK, "accept on a file");
    TEST_ERRNO(accept4(file, NULL, NULL, SOCK_CLOEXEC), ENOTSOCK, "accept4 on a file");
    TEST_ERRNO(connect(bad, (struct sockaddr *)&sun, sizeof sun), EBADF, "connect on a closed fd");
    TEST_ERRNO(connect(file, (struct sockaddr *)&sun, sizeof sun), ENOTSOCK, "connect on a file");
    TEST_ERRNO(send(bad, "x", 1, 0), EBADF, "send on a closed fd");
    TEST_ERRNO(send(file, "x", 1, 0), ENOTSOCK, "send on a file");
    TEST_ERRNO(sendto(file, "x", 1, 0, (struct sockaddr *)&sin, sizeof sin), ENOTSOCK, "sendto on a file");
    TEST_ERRNO(sendmsg(file, &mh, 0), ENOTSOCK, "sendmsg on a file");
    TEST_ERRNO(recv(bad, buf, 1, 0), EBADF, "recv on a closed fd");
    TEST_ERRNO(recv(file, buf, 1, 0), ENOTSOCK, "recv on a file");
    TEST_ERRNO(recvfrom(file, buf, 1, 0, NULL, NULL), ENOTSOCK, "recvfrom on a file");
    TEST_ERRNO(recvmsg(file, &mh, 0), ENOTSOCK, "recvmsg on a file");
    TEST_ERRNO(shutdown(bad, SHUT_RDWR), EBADF, "shutdown on a closed fd");
    TEST_ERRNO(shutdown(file, SHUT_RDWR), ENOTSOCK, "shutdown on a file");
    TEST_ERRNO(getsockname(bad, (struct sockaddr *)&sin, &len), EBADF, "getsockname on a closed fd");
    TEST_ERRNO(getsockname(file, (struct sockaddr *)&sin, &len), ENOTSOCK, "getsockname on a file");
    TEST_ERRNO(getpeername(bad, (struct sockaddr *)&sin, &len), EBADF, "getpeername on a closed fd");
    TEST_ERRNO(getpeername(file, (struct sockaddr *)&sin, &len), ENOTSOCK, "getpeername on a file");
    len = sizeof v;
    TEST_ERRNO(getsockopt(bad, SOL_SOCKET, SO_TYPE, &v, &len), EBADF, "getsockopt on a closed fd");
    TEST_ERRNO(getsockopt(file, SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK, "getsockopt on a file");
    TEST_ERRNO(setsockopt(bad, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v), EBADF, "setsockopt on a closed fd");
    TEST_ERRNO(setsockopt(file, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v), ENOTSOCK, "setsockopt on a file");
    TEST_ERRNO(ioctl(file, SIOCATMARK, &v), ENOTTY, "a socket ioctl on a file");
    close(file);

    return tst_exit();
}

/* AF_UNIX sockets in the manner of LTP's socketpair01-02, bind01/03-05, connect01,
 * listen01, accept01, accept4_01, send01, sendto01, recv01, recvfrom01, recvmsg01-03,
 * sendmsg01, getsockname01, getpeername01, getsockopt01-02, setsockopt01-03 and
 * sockioctl01: stream, datagram and seqpacket pairs; bind/listen/connect/accept on
 * paths in the scratch directory and in the abstract namespace; send/recv with
 * MSG_PEEK, MSG_DONTWAIT, MSG_TRUNC and MSG_WAITALL; iovecs; SCM_RIGHTS and
 * SO_PEERCRED between forked processes; get/setsockopt at SOL_SOCKET; shutdown;
 * FIONREAD/SIOCINQ; and the errors of each call.  Pids are compared, never printed. */
#define TCID "socket_unix"
#include "tst.h"
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#ifndef SIOCINQ
#define SIOCINQ FIONREAD /* <linux/sockios.h>, which musl lacks */
#endif

static socklen_t mkaddr(struct sockaddr_un *sun, const char *path)
{
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    strcpy(sun->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

/* An abstract name, distinct per variant so that parallel native runs do not clash. */
static socklen_t mkabstract(struct sockaddr_un *sun, const char *tag)
{
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    int n = snprintf(sun->sun_path + 1, sizeof sun->sun_path - 1, "ltp-%s-%s-%s", TCID, TST_VARIANT, tag);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int sockopt(int fd, int name)
{
    int v = -12345;
    socklen_t len = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, name, &v, &len) < 0)
        return -12345;
    return v;
}

static long elapsed_ms(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static int wait_ok(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Send one fd with SCM_RIGHTS along with one byte. */
static int send_fd(int sock, int fd, int flags)
{
    char byte = 'F';
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return (int)sendmsg(sock, &mh, flags);
}

static void section_pairs(void)
{
    int sv[2], n;
    char buf[64];

    /* stream: bytes, no boundaries */
    TEST_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair SOCK_STREAM");
    TEST_EQ(send(sv[0], "hello", 5, 0), 5, "send 5 bytes");
    TEST_EQ(write(sv[0], " world", 6), 6, "write 6 more");
    TEST_EQ(ioctl(sv[1], FIONREAD, &n), 0, "FIONREAD on a stream");
    TEST_EQ(n, 11, "FIONREAD counts every byte queued");
    TEST_EQ(ioctl(sv[1], SIOCINQ, &n), 0, "SIOCINQ on a stream");
    TEST_EQ(n, 11, "SIOCINQ is FIONREAD");
    TEST_EQ(recv(sv[1], buf, 3, MSG_PEEK), 3, "MSG_PEEK 3 bytes");
    TEST_CHECK(!memcmp(buf, "hel", 3), "the peeked bytes");
    TEST_EQ(recv(sv[1], buf, sizeof buf, 0), 11, "a stream read crosses send boundaries");
    TEST_CHECK(!memcmp(buf, "hello world", 11), "the bytes in order");
    TEST_ERRNO(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "MSG_DONTWAIT on an empty stream");
    TEST_EQ(fcntl(sv[1], F_GETFL) & O_NONBLOCK, 0, "MSG_DONTWAIT left the socket blocking");
    TEST_EQ(read(sv[0], buf, 0), 0, "a zero-length read returns 0 at once");
    /* the other direction, with iovecs */
    struct iovec out[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
    struct msghdr mh = {.msg_iov = out, .msg_iovlen = 3};
    TEST_EQ(sendmsg(sv[1], &mh, 0), 6, "sendmsg of three iovecs");
    char a[3], b[8];
    struct iovec in[2] = {{a, 3}, {b, sizeof b}};
    struct msghdr mr = {.msg_iov = in, .msg_iovlen = 2};
    TEST_EQ(recvmsg(sv[0], &mr, 0), 6, "recvmsg into two iovecs");
    TEST_CHECK(!memcmp(a, "abc", 3) && !memcmp(b, "def", 3), "scattered in order");
    TEST_EQ(mr.msg_flags, 0, "msg_flags 0");
    TEST_EQ(mr.msg_namelen, 0, "a socketpair has no peer name");
    struct pollfd pf[2] = {{sv[0], POLLIN | POLLOUT, 0}, {sv[1], POLLIN, 0}};
    TEST_EQ(poll(pf, 2, 0), 1, "an empty stream pair: only writable");
    TEST_EQ(pf[0].revents, POLLOUT, "POLLOUT");
    /* MSG_WAITALL waits for all of it */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 4; i++) {
            usleep(10000);
            write(sv[1], "0123", 4);
        }
        _exit(0);
    }
    TEST_EQ(recv(sv[0], buf, 16, MSG_WAITALL), 16, "MSG_WAITALL gathers four writes of another process");
    TEST_CHECK(!memcmp(buf, "0123012301230123", 16), "all of them");
    TEST_CHECK(wait_ok(pid), "the writer exited");
    /* peer gone */
    write(sv[1], "last", 4);
    close(sv[1]);
    pf[0] = (struct pollfd){sv[0], POLLIN, 0};
    TEST_EQ(poll(pf, 1, 0), 1, "readable after the peer closed");
    TEST_EQ(pf[0].revents, POLLIN | POLLHUP, "POLLIN|POLLHUP");
    TEST_EQ(recv(sv[0], buf, sizeof buf, 0), 4, "the data sent before the close");
    TEST_EQ(recv(sv[0], buf, sizeof buf, 0), 0, "then end of file");
    TEST_ERRNO(send(sv[0], "x", 1, 0), EPIPE, "send to a closed peer (SIGPIPE ignored)");
    TEST_ERRNO(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE, "with MSG_NOSIGNAL");
    close(sv[0]);

    /* datagram: boundaries kept, MSG_TRUNC */
    TEST_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), "socketpair SOCK_DGRAM");
    send(sv[0], "first", 5, 0);
    send(sv[0], "second!", 7, 0);
    send(sv[0], "", 0, 0);
    TEST_EQ(ioctl(sv[1], SIOCINQ, &n), 0, "SIOCINQ on a datagram socket");
    TEST_EQ(n, 5, "SIOCINQ is the size of the next datagram");
    TEST_EQ(recv(sv[1], buf, sizeof buf, MSG_PEEK), 5, "MSG_PEEK a datagram");
    TEST_EQ(recv(sv[1], buf, sizeof buf, 0), 5, "one datagram per read");
    TEST_EQ(recv(sv[1], buf, 3, MSG_TRUNC), 7, "MSG_TRUNC returns the full length");
    TEST_CHECK(!memcmp(buf, "sec", 3), "and fills what fits");
    TEST_EQ(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), 0, "an empty datagram is a 0-byte read");
    TEST_ERRNO(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "then nothing");
    send(sv[0], "truncated", 9, 0);
    struct iovec one = {buf, 4};
    mr = (struct msghdr){.msg_iov = &one, .msg_iovlen = 1};
    TEST_EQ(recvmsg(sv[1], &mr, 0), 4, "recvmsg of a datagram too big");
    TEST_EQ(mr.msg_flags, MSG_TRUNC, "msg_flags has MSG_TRUNC");
    TEST_ERRNO(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "the rest of it was dropped");
    static char huge[300000];
    TEST_ERRNO(send(sv[0], huge, sizeof huge, 0), EMSGSIZE, "a datagram larger than the send buffer");
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    int sent = 0;
    while (send(sv[0], buf, 1000, 0) == 1000 && sent < 100000)
        sent++;
    TEST_CHECK(errno == EAGAIN && sent > 0, "a non-blocking sender fills the peer and gets EAGAIN");
    close(sv[1]);
    TEST_ERRNO(send(sv[0], "x", 1, 0), ECONNREFUSED, "send to a closed datagram peer");
    close(sv[0]);

    /* seqpacket: boundaries and end of file */
    TEST_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), "socketpair SOCK_SEQPACKET");
    send(sv[0], "one", 3, 0);
    send(sv[0], "twotwo", 6, 0);
    TEST_EQ(recv(sv[1], buf, sizeof buf, 0), 3, "one record per read");
    mr = (struct msghdr){.msg_iov = &one, .msg_iovlen = 1};
    TEST_EQ(recvmsg(sv[1], &mr, 0), 4, "a short read of a record");
    TEST_EQ(mr.msg_flags, MSG_TRUNC, "MSG_TRUNC");
    close(sv[0]);
    TEST_EQ(recv(sv[1], buf, sizeof buf, 0), 0, "end of file after the peer closed");
    TEST_ERRNO(send(sv[1], "x", 1, 0), EPIPE, "send to a closed seqpacket peer");
    close(sv[1]);
}

static void section_paths(void)
{
    struct sockaddr_un sun, got;
    socklen_t len, alen;
    char buf[64];
    struct stat st;

    /* bind01/03: a path */
    int srv = socket(AF_UNIX, SOCK_STREAM, 0);
    alen = mkaddr(&sun, "srv.sock");
    TEST_ERRNO(listen(srv, 5), EINVAL, "listen on an unbound stream socket");
    TEST_ERRNO(bind(srv, (struct sockaddr *)&sun, 1), EINVAL, "bind with addrlen 1");
    TEST_ERRNO(bind(srv, (struct sockaddr *)&sun, sizeof sun + 1), EINVAL, "bind with addrlen past sockaddr_un");
    TEST_ERRNO(bind(srv, TST_BADPTR, alen), EFAULT, "bind with a bad address");
    sun.sun_family = AF_INET;
    TEST_ERRNO(bind(srv, (struct sockaddr *)&sun, alen), EINVAL, "bind with AF_INET in the address");
    alen = mkaddr(&sun, "nodir/srv.sock");
    TEST_ERRNO(bind(srv, (struct sockaddr *)&sun, alen), ENOENT, "bind in a missing directory");
    tst_mkfile("file", "x", 1, 0644);
    alen = mkaddr(&sun, "file");
    TEST_ERRNO(bind(srv, (struct sockaddr *)&sun, alen), EADDRINUSE, "bind over an existing file");
    alen = mkaddr(&sun, "srv.sock");
    TEST_OK(bind(srv, (struct sockaddr *)&sun, alen), "bind to srv.sock");
    TEST_OK(lstat("srv.sock", &st), "the socket file exists");
    TEST_CHECK(S_ISSOCK(st.st_mode), "and is S_IFSOCK");
    TEST_EQ(st.st_mode & 07777, 0755, "with mode 0777 & ~umask");
    TEST_ERRNO(bind(srv, (struct sockaddr *)&sun, alen), EADDRINUSE, "bind a bound socket to its own path again");
    struct sockaddr_un again;
    socklen_t aglen = mkaddr(&again, "again.sock");
    TEST_ERRNO(bind(srv, (struct sockaddr *)&again, aglen), EINVAL, "bind a bound socket to another path");
    TEST_ERRNO(lstat("again.sock", &st), ENOENT, "which leaves no file behind");
    TEST_OK(bind(srv, (struct sockaddr *)&sun, sizeof(sa_family_t)), "an autobind of a bound socket does nothing");
    int other = socket(AF_UNIX, SOCK_STREAM, 0);
    TEST_ERRNO(bind(other, (struct sockaddr *)&sun, alen), EADDRINUSE, "bind another socket to the same path");
    len = sizeof got;
    TEST_OK(getsockname(srv, (struct sockaddr *)&got, &len), "getsockname of a bound socket");
    TEST_CHECK(len == alen && got.sun_family == AF_UNIX && !strcmp(got.sun_path, "srv.sock"),
               "the name is the path, with its length");
    len = 4;
    memset(&got, 0, sizeof got);
    TEST_OK(getsockname(srv, (struct sockaddr *)&got, &len), "getsockname with a short buffer");
    TEST_CHECK(len == alen && !strncmp(got.sun_path, "sr", 2) && got.sun_path[2] == 0,
               "cut to the buffer, the real length returned");
    len = 0;
    TEST_OK(getsockname(srv, (struct sockaddr *)&got, &len), "getsockname with length 0");
    TEST_EQ(len, alen, "returns the length");
    TEST_ERRNO(getsockname(srv, (struct sockaddr *)&got, TST_BADPTR), EFAULT, "getsockname with a bad length pointer");
    len = (socklen_t)-1;
    TEST_ERRNO(getsockname(srv, (struct sockaddr *)&got, &len), EINVAL, "getsockname with a negative length");
    TEST_EQ(sockopt(srv, SO_ACCEPTCONN), 0, "SO_ACCEPTCONN 0 before listen");
    TEST_OK(listen(srv, 1), "listen");
    TEST_EQ(sockopt(srv, SO_ACCEPTCONN), 1, "SO_ACCEPTCONN 1 after");
    TEST_OK(listen(srv, 1), "listen again");
    TEST_ERRNO(ioctl(srv, SIOCINQ, &len), EINVAL, "SIOCINQ on a listening socket");

    /* connect01 */
    int cli = socket(AF_UNIX, SOCK_STREAM, 0);
    TEST_ERRNO(accept(cli, NULL, NULL), EINVAL, "accept on a socket that is not listening");
    alen = mkaddr(&sun, "missing.sock");
    TEST_ERRNO(connect(cli, (struct sockaddr *)&sun, alen), ENOENT, "connect to a missing path");
    alen = mkaddr(&sun, "file");
    TEST_ERRNO(connect(cli, (struct sockaddr *)&sun, alen), ECONNREFUSED, "connect to a regular file");
    TEST_ERRNO(connect(cli, (struct sockaddr *)&sun, 1), EINVAL, "connect with addrlen 1");
    TEST_ERRNO(connect(cli, TST_BADPTR, alen), EFAULT, "connect with a bad address");
    int unl = socket(AF_UNIX, SOCK_STREAM, 0);
    alen = mkaddr(&sun, "idle.sock");
    bind(unl, (struct sockaddr *)&sun, alen);
    TEST_ERRNO(connect(cli, (struct sockaddr *)&sun, alen), ECONNREFUSED, "connect to a socket that does not listen");
    int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
    alen = mkaddr(&sun, "dgram.sock");
    bind(dg, (struct sockaddr *)&sun, alen);
    TEST_ERRNO(connect(cli, (struct sockaddr *)&sun, alen), EPROTOTYPE, "a stream connect to a datagram socket");
    TEST_ERRNO(listen(dg, 1), EOPNOTSUPP, "listen on a datagram socket");
    TEST_ERRNO(accept(dg, NULL, NULL), EOPNOTSUPP, "accept on a datagram socket");
    TEST_ERRNO(send(cli, "x", 1, 0), ENOTCONN, "send on an unconnected stream socket");
    TEST_ERRNO(recv(cli, buf, 1, 0), EINVAL, "recv on an unconnected stream socket");
    len = sizeof got;
    TEST_ERRNO(getpeername(cli, (struct sockaddr *)&got, &len), ENOTCONN, "getpeername unconnected");

    alen = mkaddr(&sun, "srv.sock");
    TEST_OK(connect(cli, (struct sockaddr *)&sun, alen), "connect to the listener (before accept)");
    TEST_ERRNO(connect(cli, (struct sockaddr *)&sun, alen), EISCONN, "connect twice");
    TEST_ERRNO(sendto(cli, "x", 1, 0, (struct sockaddr *)&sun, alen), EISCONN, "sendto with an address on a connected stream");
    len = sizeof got;
    TEST_OK(getpeername(cli, (struct sockaddr *)&got, &len), "getpeername of the client");
    TEST_CHECK(len == alen && !strcmp(got.sun_path, "srv.sock"), "the peer is srv.sock");
    len = sizeof got;
    TEST_OK(getsockname(cli, (struct sockaddr *)&got, &len), "getsockname of an unbound client");
    TEST_EQ(len, sizeof(sa_family_t), "an unbound socket's name is just the family");
    TEST_EQ(send(cli, "ping", 4, 0), 4, "send before the server accepts");
    int cli2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    TEST_OK(connect(cli2, (struct sockaddr *)&sun, alen), "a second connection fits a backlog of 1");
    int cli3 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    TEST_ERRNO(connect(cli3, (struct sockaddr *)&sun, alen), EAGAIN, "a third gets EAGAIN without blocking");

    /* accept01 / accept4_01 */
    len = sizeof got;
    memset(&got, 0x55, sizeof got);
    int conn = TEST_OK(accept(srv, (struct sockaddr *)&got, &len), "accept");
    TEST_EQ(len, sizeof(sa_family_t), "the unbound client's address is just the family");
    TEST_EQ(recv(conn, buf, sizeof buf, 0), 4, "the data sent before accept");
    len = sizeof got;
    TEST_OK(getsockname(conn, (struct sockaddr *)&got, &len), "getsockname of the accepted socket");
    TEST_CHECK(len == alen && !strcmp(got.sun_path, "srv.sock"), "it has the listener's name");
    TEST_ERRNO(syscall(SYS_accept4, srv, NULL, NULL, 0x1234), EINVAL,
               "accept4 with bad flags (the syscall: musl's wrapper falls back to accept)");
    int c4 = TEST_OK(accept4(srv, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), "accept4 with both flags");
    if (c4 >= 0) {
        TEST_EQ(fcntl(c4, F_GETFD), FD_CLOEXEC, "the accepted socket is close-on-exec");
        TEST_CHECK(fcntl(c4, F_GETFL) & O_NONBLOCK, "and non-blocking");
        close(c4);
    }
    TEST_OK(connect(cli3, (struct sockaddr *)&sun, alen), "the third connects once there is room");
    len = sizeof got;
    TEST_ERRNO(accept(srv, TST_BADPTR, &len), EFAULT, "accept with a bad address (the connection is lost)");
    TEST_EQ(recv(cli3, buf, sizeof buf, 0), 0, "the lost connection's client reads end of file");
    fcntl(srv, F_SETFL, O_NONBLOCK);
    TEST_ERRNO(accept(srv, NULL, NULL), EAGAIN, "accept on an empty non-blocking listener");
    /* shutdown */
    TEST_ERRNO(shutdown(conn, 7), EINVAL, "shutdown with a bad how");
    TEST_OK(shutdown(cli, SHUT_WR), "shutdown SHUT_WR");
    TEST_EQ(recv(conn, buf, sizeof buf, 0), 0, "the peer reads end of file");
    TEST_ERRNO(send(cli, "x", 1, 0), EPIPE, "send after SHUT_WR");
    TEST_EQ(send(conn, "back", 4, 0), 4, "the other direction still works");
    TEST_EQ(recv(cli, buf, sizeof buf, 0), 4, "and is read");
    TEST_OK(shutdown(cli, SHUT_RD), "shutdown SHUT_RD");
    TEST_EQ(recv(cli, buf, sizeof buf, 0), 0, "recv after SHUT_RD is end of file");
    struct pollfd pf = {conn, POLLIN | POLLRDHUP, 0};
    TEST_EQ(poll(&pf, 1, 0), 1, "the peer polls");
    TEST_EQ(pf.revents, POLLIN | POLLRDHUP | POLLHUP, "POLLIN|POLLRDHUP|POLLHUP after both shutdowns");
    close(conn);
    close(cli);
    close(cli2);
    close(cli3);
    close(other);
    close(unl);

    /* the path outlives nothing: unlink it and connecting fails */
    TEST_OK(unlink("srv.sock"), "unlink the socket file");
    cli = socket(AF_UNIX, SOCK_STREAM, 0);
    TEST_ERRNO(connect(cli, (struct sockaddr *)&sun, alen), ENOENT, "connect after the unlink");
    close(cli);
    close(srv);
    srv = socket(AF_UNIX, SOCK_STREAM, 0);
    TEST_OK(bind(srv, (struct sockaddr *)&sun, alen), "the path can be bound again");
    close(srv);
    cli = socket(AF_UNIX, SOCK_STREAM, 0);
    TEST_ERRNO(connect(cli, (struct sockaddr *)&sun, alen), ECONNREFUSED, "connect to the file of a closed socket");
    close(cli);

    /* datagrams by path: sendto/recvfrom, connect, disconnect */
    int d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    alen = mkaddr(&sun, "dgram.sock");
    TEST_ERRNO(send(d2, "x", 1, 0), ENOTCONN, "send on an unconnected datagram socket");
    TEST_EQ(sendto(d2, "anon", 4, 0, (struct sockaddr *)&sun, alen), 4, "sendto a path");
    len = sizeof got;
    memset(&got, 0x55, sizeof got);
    TEST_EQ(recvfrom(dg, buf, sizeof buf, 0, (struct sockaddr *)&got, &len), 4, "recvfrom");
    TEST_EQ(len, 0, "an unbound sender has no address");
    struct sockaddr_un me;
    socklen_t mlen = mkaddr(&me, "d2.sock");
    bind(d2, (struct sockaddr *)&me, mlen);
    sendto(d2, "named", 5, 0, (struct sockaddr *)&sun, alen);
    len = sizeof got;
    TEST_EQ(recvfrom(dg, buf, sizeof buf, 0, (struct sockaddr *)&got, &len), 5, "recvfrom a bound sender");
    TEST_CHECK(len == mlen && !strcmp(got.sun_path, "d2.sock"), "its address is its path");
    TEST_OK(connect(d2, (struct sockaddr *)&sun, alen), "connect a datagram socket");
    TEST_EQ(send(d2, "conn", 4, 0), 4, "send to the connected peer");
    TEST_EQ(recv(dg, buf, sizeof buf, 0), 4, "received");
    TEST_ERRNO(sendto(dg, "x", 1, 0, (struct sockaddr *)&me, mlen - 3), ENOENT, "sendto a missing path");
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    TEST_OK(connect(d2, &unspec, sizeof unspec), "AF_UNSPEC dissolves the association");
    TEST_ERRNO(send(d2, "x", 1, 0), ENOTCONN, "send is unconnected again");
    close(d2);
    close(dg);
}

static void section_abstract(void)
{
    struct sockaddr_un sun, got;
    socklen_t len, alen;
    char buf[16];

    int srv = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    alen = mkabstract(&sun, "srv");
    TEST_OK(bind(srv, (struct sockaddr *)&sun, alen), "bind in the abstract namespace");
    int other = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    TEST_ERRNO(bind(other, (struct sockaddr *)&sun, alen), EADDRINUSE, "the same abstract name again");
    TEST_OK(bind(other, (struct sockaddr *)&sun, alen - 1), "a prefix of it is another name");
    TEST_ERRNO(bind(other, (struct sockaddr *)&sun, alen), EINVAL, "a bound socket: EINVAL before EADDRINUSE");
    int st = socket(AF_UNIX, SOCK_STREAM, 0);
    TEST_OK(bind(st, (struct sockaddr *)&sun, alen), "a stream socket may take the seqpacket socket's name");
    int st2 = socket(AF_UNIX, SOCK_STREAM, 0);
    TEST_ERRNO(connect(st2, (struct sockaddr *)&sun, alen), ECONNREFUSED,
               "a stream connect finds the stream socket, which does not listen");
    int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
    TEST_ERRNO(sendto(dg, "x", 1, 0, (struct sockaddr *)&sun, alen), ECONNREFUSED,
               "a datagram to that name finds no datagram socket");
    close(st);
    close(st2);
    close(dg);
    len = sizeof got;
    TEST_OK(getsockname(srv, (struct sockaddr *)&got, &len), "getsockname");
    TEST_CHECK(len == alen && got.sun_path[0] == 0 && !memcmp(got.sun_path, sun.sun_path, alen - 2),
               "the abstract name, its length without a terminator");
    TEST_OK(listen(srv, 4), "listen");
    int cli = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    TEST_OK(connect(cli, (struct sockaddr *)&sun, alen), "connect by abstract name");
    int conn = accept(srv, NULL, NULL);
    TEST_EQ(send(cli, "rec", 3, 0), 3, "a record over the connection");
    TEST_EQ(recv(conn, buf, sizeof buf, 0), 3, "received");
    close(conn);
    close(cli);
    close(srv);
    cli = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    TEST_ERRNO(connect(cli, (struct sockaddr *)&sun, alen), ECONNREFUSED, "a closed abstract name is gone");
    srv = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    TEST_OK(bind(srv, (struct sockaddr *)&sun, alen), "and can be bound again");
    close(srv);
    close(cli);
    close(other);

    /* autobind: bind with just the family */
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    TEST_OK(bind(s, (struct sockaddr *)&sun, sizeof(sa_family_t)), "bind with only the family autobinds");
    len = sizeof got;
    getsockname(s, (struct sockaddr *)&got, &len);
    TEST_CHECK(len == sizeof(sa_family_t) + 6 && got.sun_path[0] == 0, "an autobound name is abstract, 5 characters");
    close(s);
}

static void section_rights(void)
{
    int sv[2];
    char buf[64];
    union {
        char buf[CMSG_SPACE(3 * sizeof(int))];
        struct cmsghdr align;
    } u;

    TEST_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair for fd passing");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        int p[2];
        pipe(p);
        write(p[1], "through a pipe", 14);
        close(p[1]);
        int fd = open("passed", O_RDWR | O_CREAT | O_TRUNC, 0644);
        write(fd, "a file", 6);
        int ok = send_fd(sv[1], p[0], 0) == 1 && send_fd(sv[1], fd, 0) == 1;
        close(p[0]);
        close(fd);
        /* a bad fd cannot be passed */
        ok = ok && send_fd(sv[1], 99, 0) == -1 && errno == EBADF;
        _exit(ok ? 0 : 1);
    }
    close(sv[1]);
    TEST_CHECK(wait_ok(pid), "the child sent a pipe and a file, and EBADF for a closed fd");
    struct iovec iov = {buf, 1};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    TEST_EQ(recvmsg(sv[0], &mh, 0), 1, "recvmsg the first");
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    TEST_CHECK(c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)),
               "one SCM_RIGHTS message with one fd");
    int got = -1;
    if (c)
        memcpy(&got, CMSG_DATA(c), sizeof got);
    TEST_EQ(got, sv[1], "the new fd is the lowest free");
    TEST_EQ(mh.msg_flags, 0, "no MSG_CTRUNC");
    TEST_EQ(read(got, buf, sizeof buf), 14, "the pipe the child wrote, after the child exited");
    TEST_EQ(read(got, buf, sizeof buf), 0, "and its end of file");
    close(got);
    mh.msg_controllen = sizeof u.buf;
    TEST_EQ(recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC), 1, "recvmsg the second with MSG_CMSG_CLOEXEC");
    c = CMSG_FIRSTHDR(&mh);
    got = -1;
    if (c)
        memcpy(&got, CMSG_DATA(c), sizeof got);
    TEST_EQ(fcntl(got, F_GETFD), FD_CLOEXEC, "it is close-on-exec");
    TEST_EQ(pread(got, buf, sizeof buf, 0), 6, "the file the child opened");
    TEST_EQ(lseek(got, 0, SEEK_CUR), 6, "sharing the child's offset");
    close(got);
    TEST_EQ(recv(sv[0], buf, sizeof buf, 0), 0, "nothing else was sent");
    close(sv[0]);

    /* a control buffer too small: MSG_CTRUNC, the fd is dropped */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    int p[2];
    pipe(p);
    send_fd(sv[0], p[0], 0);
    close(p[0]);
    mh = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(struct cmsghdr)};
    TEST_EQ(recvmsg(sv[1], &mh, 0), 1, "recvmsg with no room for the fd");
    TEST_EQ(mh.msg_flags, MSG_CTRUNC, "MSG_CTRUNC");
    TEST_EQ(dup(0), p[0], "the fd was not installed");
    close(p[0]);
    TEST_ERRNO(write(p[1], "x", 1), EPIPE, "the passed read end was closed with it");
    /* MSG_PEEK does not take the fd */
    send_fd(sv[0], 1, 0);
    mh = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    TEST_EQ(recvmsg(sv[1], &mh, MSG_PEEK), 1, "peek a message with an fd");
    TEST_CHECK(CMSG_FIRSTHDR(&mh) != NULL, "the peek installs it too");
    if (CMSG_FIRSTHDR(&mh)) {
        memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof got);
        close(got);
    }
    mh.msg_controllen = sizeof u.buf;
    TEST_EQ(recvmsg(sv[1], &mh, 0), 1, "then read it");
    TEST_CHECK(CMSG_FIRSTHDR(&mh) != NULL, "with the fd");
    if (CMSG_FIRSTHDR(&mh)) {
        memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof got);
        close(got);
    }
    close(p[1]);
    /* three fds in one message, room for two: two arrive, MSG_CTRUNC */
    int three[3];
    pipe(p);
    three[0] = p[0];
    three[1] = p[1];
    three[2] = dup(p[0]);
    union {
        char buf[CMSG_SPACE(3 * sizeof(int))];
        struct cmsghdr align;
    } u3;
    struct iovec one = {"3", 1};
    mh = (struct msghdr){.msg_iov = &one, .msg_iovlen = 1, .msg_control = u3.buf, .msg_controllen = sizeof u3.buf};
    c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(3 * sizeof(int));
    memcpy(CMSG_DATA(c), three, sizeof three);
    TEST_EQ(sendmsg(sv[0], &mh, 0), 1, "sendmsg with three fds");
    close(p[0]);
    close(p[1]);
    close(three[2]);
    mh = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = CMSG_SPACE(2 * sizeof(int))};
    TEST_EQ(recvmsg(sv[1], &mh, 0), 1, "recvmsg with room for two");
    TEST_EQ(mh.msg_flags, MSG_CTRUNC, "MSG_CTRUNC");
    c = CMSG_FIRSTHDR(&mh);
    TEST_CHECK(c && c->cmsg_len == CMSG_LEN(2 * sizeof(int)), "a cmsg with two fds");
    if (c) {
        int two[2];
        memcpy(two, CMSG_DATA(c), sizeof two);
        TEST_EQ(write(two[1], "ab", 2), 2, "the passed write end works");
        TEST_EQ(read(two[0], buf, sizeof buf), 2, "into the passed read end");
        close(two[0]);
        close(two[1]);
    }
    TEST_EQ(dup(0), p[0], "the third fd was dropped");
    close(p[0]);

    /* bad control messages */
    char byte = 'x';
    struct iovec bi = {&byte, 1};
    mh = (struct msghdr){.msg_iov = &bi, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = 77;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    mh.msg_controllen = CMSG_SPACE(sizeof(int));
    TEST_ERRNO(sendmsg(sv[0], &mh, 0), EINVAL, "sendmsg with an unknown SOL_SOCKET cmsg type");
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = 4;
    TEST_ERRNO(sendmsg(sv[0], &mh, 0), EINVAL, "sendmsg with a cmsg_len below the header");
    /* the raw syscalls: musl's wrappers copy the msghdr and the control data first */
    mh.msg_control = TST_BADPTR;
    TEST_ERRNO(syscall(SYS_sendmsg, sv[0], &mh, 0), EFAULT, "sendmsg with a bad control pointer");
    TEST_ERRNO(syscall(SYS_sendmsg, sv[0], TST_BADPTR, 0), EFAULT, "sendmsg with a bad msghdr");
    TEST_ERRNO(syscall(SYS_recvmsg, sv[1], TST_BADPTR, 0), EFAULT, "recvmsg with a bad msghdr");
    close(sv[0]);
    close(sv[1]);
}

static void section_options(void)
{
    int sv[2], v;
    socklen_t len;
    char buf[16];

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    /* getsockopt02: SO_PEERCRED */
    struct ucred cr;
    len = sizeof cr;
    TEST_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len), "SO_PEERCRED of a socketpair");
    TEST_CHECK(len == sizeof cr && cr.pid == getpid() && cr.uid == getuid() && cr.gid == getgid(),
               "the creator's pid, uid and gid");
    TEST_EQ(sockopt(sv[0], SO_TYPE), SOCK_STREAM, "SO_TYPE");
    TEST_EQ(sockopt(sv[0], SO_DOMAIN), AF_UNIX, "SO_DOMAIN");
    TEST_EQ(sockopt(sv[0], SO_ERROR), 0, "SO_ERROR");
    TEST_EQ(sockopt(sv[0], SO_REUSEADDR), 0, "SO_REUSEADDR is off");
    v = 1;
    TEST_OK(setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof v), "set SO_REUSEADDR");
    TEST_EQ(sockopt(sv[0], SO_REUSEADDR), 1, "SO_REUSEADDR is on");
    v = 7;
    TEST_OK(setsockopt(sv[0], SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v), "set SO_KEEPALIVE to 7");
    TEST_EQ(sockopt(sv[0], SO_KEEPALIVE), 1, "a boolean option reads back as 1");
    v = 10000;
    TEST_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v), "set SO_SNDBUF 10000");
    TEST_EQ(sockopt(sv[0], SO_SNDBUF), 20000, "SO_SNDBUF reads back doubled");
    v = 1;
    TEST_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v), "set SO_RCVBUF 1");
    v = sockopt(sv[0], SO_RCVBUF);
    TEST_CHECK(v >= 2048 && v < 4096, "SO_RCVBUF is raised to its minimum (2 KiB and an sk_buff)");
    struct linger lg = {1, 5}, lo;
    TEST_OK(setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg), "set SO_LINGER");
    len = sizeof lo;
    TEST_OK(getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lo, &len), "get SO_LINGER");
    TEST_CHECK(len == sizeof lo && lo.l_onoff == 1 && lo.l_linger == 5, "SO_LINGER reads back");
    struct timeval tv = {0, 100000}, to;
    TEST_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), "set SO_RCVTIMEO 100 ms");
    len = sizeof to;
    TEST_OK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &to, &len), "get SO_RCVTIMEO");
    TEST_CHECK(len == sizeof to && to.tv_sec == 0 && to.tv_usec == 100000, "SO_RCVTIMEO reads back");
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    TEST_ERRNO(recv(sv[0], buf, sizeof buf, 0), EAGAIN, "a blocking recv times out with EAGAIN");
    TEST_CHECK(elapsed_ms(&start) >= 90, "after about 100 ms");
    tv.tv_usec = 2000000;
    TEST_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM, "SO_RCVTIMEO with tv_usec 2e6");
    /* setsockopt01 / getsockopt01 errors */
    TEST_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL, "setsockopt with optlen 2");
    TEST_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, TST_BADPTR, sizeof v), EFAULT, "setsockopt with a bad optval");
    TEST_ERRNO(setsockopt(sv[0], SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT, "setsockopt of an unknown option");
    TEST_ERRNO(setsockopt(sv[0], IPPROTO_IP, 2, &v, sizeof v), EOPNOTSUPP, "setsockopt at IPPROTO_IP on AF_UNIX");
    len = sizeof v;
    TEST_ERRNO(getsockopt(sv[0], SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT, "getsockopt of an unknown option");
    TEST_ERRNO(getsockopt(sv[0], IPPROTO_TCP, 1, &v, &len), EOPNOTSUPP, "getsockopt at IPPROTO_TCP on AF_UNIX");
    TEST_ERRNO(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, TST_BADPTR), EFAULT, "getsockopt with a bad optlen");
    TEST_ERRNO(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, TST_BADPTR, &len), EFAULT, "getsockopt with a bad optval");
    len = (socklen_t)-1;
    TEST_ERRNO(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len), EINVAL, "getsockopt with a negative optlen");
    len = 2;
    v = 0;
    TEST_OK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len), "getsockopt with optlen 2");
    TEST_CHECK(len == 2 && v == SOCK_STREAM, "two bytes of the value");
    close(sv[0]);
    close(sv[1]);

    /* SO_PASSCRED: SCM_CREDENTIALS on every message, and an unbound sender is autobound */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    int on = 1;
    TEST_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on), "set SO_PASSCRED");
    TEST_EQ(sockopt(sv[1], SO_PASSCRED), 1, "SO_PASSCRED reads back");
    send(sv[0], "c", 1, 0);
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } uc;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = uc.buf, .msg_controllen = sizeof uc.buf};
    TEST_EQ(recvmsg(sv[1], &mh, 0), 1, "recvmsg with SO_PASSCRED");
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    TEST_CHECK(c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
               c->cmsg_len == CMSG_LEN(sizeof(struct ucred)), "an SCM_CREDENTIALS message");
    if (c) {
        memcpy(&cr, CMSG_DATA(c), sizeof cr);
        TEST_CHECK(cr.pid == getpid() && cr.uid == getuid() && cr.gid == getgid(), "with the sender's pid, uid and gid");
    }
    close(sv[0]);
    close(sv[1]);
    struct sockaddr_un rn, from;
    socklen_t rlen = mkabstract(&rn, "passcred");
    int rcv = socket(AF_UNIX, SOCK_DGRAM, 0), snd = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind(rcv, (struct sockaddr *)&rn, rlen);
    len = sizeof from;
    getsockname(snd, (struct sockaddr *)&from, &len);
    TEST_EQ(len, sizeof(sa_family_t), "the sender is unbound");
    setsockopt(snd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    TEST_EQ(sendto(snd, "a", 1, 0, (struct sockaddr *)&rn, rlen), 1, "a sender with SO_PASSCRED sends");
    len = sizeof from;
    getsockname(snd, (struct sockaddr *)&from, &len);
    TEST_CHECK(len == sizeof(sa_family_t) + 6 && from.sun_path[0] == 0, "and was autobound");
    len = sizeof from;
    TEST_EQ(recvfrom(rcv, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 1, "recvfrom");
    TEST_EQ(len, sizeof(sa_family_t) + 6, "the receiver sees the autobound name");
    close(rcv);
    close(snd);

    /* SO_PEERCRED across fork: the listener's and the connector's processes */
    struct sockaddr_un sun;
    socklen_t alen = mkabstract(&sun, "cred");
    int srv = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(srv, (struct sockaddr *)&sun, alen);
    listen(srv, 1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        struct ucred pc;
        socklen_t pl = sizeof pc;
        int ok = connect(c, (struct sockaddr *)&sun, alen) == 0 &&
                 getsockopt(c, SOL_SOCKET, SO_PEERCRED, &pc, &pl) == 0 && pc.pid == getppid();
        write(c, ok ? "y" : "n", 1);
        read(c, buf, 1);
        _exit(0);
    }
    int conn = accept(srv, NULL, NULL);
    len = sizeof cr;
    TEST_OK(getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &len), "SO_PEERCRED of an accepted socket");
    TEST_EQ(cr.pid, pid, "the peer is the connecting child");
    TEST_EQ(read(conn, buf, 1), 1, "the child's verdict");
    TEST_EQ(buf[0], 'y', "the child sees the listener's process as its peer");
    write(conn, "k", 1);
    TEST_CHECK(wait_ok(pid), "the child exited");
    close(conn);
    close(srv);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    tst_scratch();
    section_pairs();
    section_paths();
    section_abstract();
    section_rights();
    section_options();
    return tst_exit();
}

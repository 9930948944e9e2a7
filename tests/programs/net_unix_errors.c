/* Bad input and options on sockets, compared with Linux: wrong families, types and
 * protocols, ENOTSOCK, bad addresses and lengths, calls in the wrong state, EFAULT,
 * SOL_SOCKET options (types, buffer sizes, timeouts), and the fd limit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <netinet/in.h>

static int check(const char *what, long r) {
    printf("%s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
    return (int)r;
}

static int opt(int fd, int level, int name) {
    int v = -7;
    socklen_t l = sizeof v;
    if (getsockopt(fd, level, name, &v, &l) < 0) {
        printf("getsockopt(%d, %d): %s\n", level, name, strerror(errno));
        return -1;
    }
    printf("getsockopt(%d, %d) = %d len %u\n", level, name, v, (unsigned)l);
    return v;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    char buf[64];
    check("family 99", socket(99, SOCK_STREAM, 0));
    check("family -1", socket(-1, SOCK_STREAM, 0));
    check("type 7", socket(AF_UNIX, 7, 0));
    check("type bits", socket(AF_UNIX, SOCK_STREAM | 0x100, 0));
    check("protocol 5", socket(AF_UNIX, SOCK_STREAM, 5));
    int raw = check("SOCK_RAW unix", socket(AF_UNIX, SOCK_RAW, 0));
    opt(raw, SOL_SOCKET, SO_TYPE);
    close(raw);
    int sv[2];
    check("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
    check("socketpair family 99", socketpair(99, SOCK_STREAM, 0, sv));
    check("socketpair EFAULT", socketpair(AF_UNIX, SOCK_STREAM, 0, (int *)8));
    int f = open("/proc/self/status", O_RDONLY);
    struct sockaddr_un a = {AF_UNIX, "/tmp/x"};
    check("bind on a file", bind(f, (struct sockaddr *)&a, sizeof a));
    check("listen on a file", listen(f, 1));
    check("send on a file", send(f, "x", 1, 0));
    check("getsockopt on a file", getsockopt(f, SOL_SOCKET, SO_TYPE, buf, &(socklen_t){4}));
    check("bad fd", listen(999, 1));
    close(f);

    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    printf("flags O_NONBLOCK %d cloexec %d\n", !!(fcntl(s, F_GETFL) & O_NONBLOCK), fcntl(s, F_GETFD));
    printf("O_RDWR %d\n", (fcntl(s, F_GETFL) & O_ACCMODE) == O_RDWR);
    struct stat st;
    fstat(s, &st);
    printf("S_ISSOCK %d mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777);
    check("lseek", lseek(s, 0, SEEK_SET));
    check("pread", pread(s, buf, 1, 0));
    check("accept unbound", accept(s, NULL, NULL));
    check("listen unbound", listen(s, 1));
    check("getpeername unconnected", getpeername(s, (struct sockaddr *)&a, &(socklen_t){sizeof a}));
    socklen_t len = sizeof a;
    check("getsockname unbound", getsockname(s, (struct sockaddr *)&a, &len));
    printf("unbound name len %u\n", (unsigned)len);
    check("write unconnected", write(s, "x", 1));
    check("recv unconnected nonblock", recv(s, buf, 1, 0));
    check("bind len 1", bind(s, (struct sockaddr *)&a, 1));
    check("bind len 200", bind(s, (struct sockaddr *)&a, 200));
    check("bind len -1", bind(s, (struct sockaddr *)&a, -1));
    struct sockaddr_un wrong = {AF_INET, "/tmp/y"};
    check("bind wrong family", bind(s, (struct sockaddr *)&wrong, sizeof wrong));
    check("connect wrong family", connect(s, (struct sockaddr *)&wrong, sizeof wrong));
    check("connect len 2", connect(s, (struct sockaddr *)&a, 2));
    check("bind EFAULT", bind(s, (struct sockaddr *)8, sizeof a));
    struct sockaddr_un missing = {AF_UNIX, "/nonexistent/dir/sock"};
    check("bind in missing dir", bind(s, (struct sockaddr *)&missing, sizeof missing));
    check("connect missing", connect(s, (struct sockaddr *)&missing, sizeof missing));
    struct sockaddr_un notsock = {AF_UNIX, "/proc/self/status"};
    check("connect to a non-socket", connect(s, (struct sockaddr *)&notsock, sizeof notsock));
    check("accept4 bad flags", accept4(s, NULL, NULL, 0x1));

    /* options */
    opt(s, SOL_SOCKET, SO_TYPE);
    opt(s, SOL_SOCKET, SO_DOMAIN);
    opt(s, SOL_SOCKET, SO_PROTOCOL);
    opt(s, SOL_SOCKET, SO_ACCEPTCONN);
    opt(s, SOL_SOCKET, SO_ERROR);
    opt(s, SOL_SOCKET, SO_REUSEADDR);
    int v = 1;
    check("SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v));
    opt(s, SOL_SOCKET, SO_REUSEADDR);
    v = 10000;
    check("SO_SNDBUF", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    opt(s, SOL_SOCKET, SO_SNDBUF);
    v = 1;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    opt(s, SOL_SOCKET, SO_RCVBUF);
    check("setsockopt short", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 2));
    check("setsockopt negative len", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, -1));
    check("setsockopt EFAULT", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (void *)8, 4));
    check("set SO_TYPE", setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof v));
    opt(s, 99, 1);
    opt(s, IPPROTO_TCP, 1);
    opt(s, SOL_SOCKET, 9999);
    len = 2;
    v = 0x55555555;
    check("getsockopt short len", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
    printf("short value %#x len %u\n", v, (unsigned)len);
    len = -1;
    check("getsockopt negative len", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
    check("getsockopt EFAULT len", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, (socklen_t *)8));
    struct ucred cr;
    len = sizeof cr;
    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len);
    printf("unconnected peercred pid %d uid %d gid %d\n", cr.pid, (int)cr.uid, (int)cr.gid);
    struct timeval tv = {0, 20000};
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    check("SO_RCVTIMEO", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    struct timeval back;
    len = sizeof back;
    getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &back, &len);
    printf("timeout back %ld.%06ld\n", (long)back.tv_sec, (long)back.tv_usec);
    check("recv times out", recv(sv[0], buf, 1, 0));
    tv.tv_usec = 2000000;
    check("SO_RCVTIMEO bad usec", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    check("recv EFAULT with data pending", (write(sv[1], "x", 1), recv(sv[0], (void *)8, 1, 0)));
    check("recvfrom zero length", recvfrom(sv[0], buf, 0, 0, NULL, NULL));
    close(sv[0]);
    close(sv[1]);

    /* the fd limit: sockets count like any fd */
    struct rlimit rl = {32, 32};
    setrlimit(RLIMIT_NOFILE, &rl);
    int last = 0, err = 0;
    for (int i = 0; i < 64; i++) {
        int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0) { err = errno; break; }
        last = fd;
    }
    printf("last fd %d then %s\n", last, strerror(err));
    check("socketpair at limit", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    return 0;
}

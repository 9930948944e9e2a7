/* Descriptor passing and credentials over AF_UNIX: SCM_RIGHTS between forked
 * processes (a pipe, a file, a socket), several fds in one message, a control buffer
 * too small (MSG_CTRUNC), MSG_CMSG_CLOEXEC, fds dropped by read(2), SCM_CREDENTIALS
 * with SO_PASSCRED, and the errors of bad control messages. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int check(const char *what, long r) {
    printf("%s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
    return (int)r;
}

static ssize_t send_fds(int sock, const int *fds, int count, const char *data) {
    char control[CMSG_SPACE(sizeof(int) * 8)];
    memset(control, 0, sizeof control);
    struct iovec iov = {(void *)data, strlen(data)};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = CMSG_SPACE(sizeof(int) * count)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * count);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
    return sendmsg(sock, &mh, 0);
}

/* Receives a message; prints the data and what the control part held. */
static int recv_fds(int sock, int *fds, size_t room, int flags) {
    char control[512];
    char data[64];
    struct iovec iov = {data, sizeof data};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = room};
    ssize_t n = recvmsg(sock, &mh, flags);
    if (n < 0) {
        printf("recvmsg: %s\n", strerror(errno));
        return -1;
    }
    int count = 0;
    printf("recvmsg %zd '%.*s' ctrunc %d controllen %zu", n, (int)n, data, !!(mh.msg_flags & MSG_CTRUNC),
           (size_t)mh.msg_controllen);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            memcpy(fds + count, CMSG_DATA(c), k * sizeof(int));
            count += k;
            printf(" rights %d", k);
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred cr;
            memcpy(&cr, CMSG_DATA(c), sizeof cr);
            printf(" creds pid-is-sender %d uid %u gid %u", cr.pid > 0, cr.uid, cr.gid);
        }
    }
    printf("\n");
    return count;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int sv[2], st;
    check("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    pid_t pid = fork();
    if (pid == 0) {
        /* the child opens things the parent never had and passes them */
        close(sv[0]);
        int p[2];
        pipe(p);
        write(p[1], "through a passed pipe", 21);
        char path[64];
        snprintf(path, sizeof path, "/tmp/vk-scm-%08d", (int)getppid());
        int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        write(f, "file contents", 13);
        int inner[2];
        socketpair(AF_UNIX, SOCK_DGRAM, 0, inner);
        send(inner[0], "over a passed socket", 20, 0);
        int fds[3] = {p[0], f, inner[1]};
        send_fds(sv[1], fds, 3, "three");
        close(p[0]);
        close(p[1]);
        close(f);
        close(inner[1]);
        char b[8];
        read(sv[1], b, 1);               /* wait for the parent */
        write(inner[0], "x", 0);
        _exit(0);
    }
    close(sv[1]);
    int fds[16];
    int n = recv_fds(sv[0], fds, 512, 0);
    char buf[64];
    if (n == 3) {
        int r = read(fds[0], buf, sizeof buf);
        printf("pipe: %.*s\n", r, buf);
        r = pread(fds[1], buf, sizeof buf, 0);
        printf("file: %.*s\n", r, buf);
        r = recv(fds[2], buf, sizeof buf, 0);
        printf("socket: %.*s\n", r, buf);
        struct stat a, b;
        fstat(fds[1], &a);
        char path[64];
        snprintf(path, sizeof path, "/tmp/vk-scm-%08d", (int)getpid());
        stat(path, &b);
        printf("same file %d\n", a.st_ino == b.st_ino);
        unlink(path);
        printf("cloexec %d\n", fcntl(fds[0], F_GETFD));
        for (int i = 0; i < 3; i++) close(fds[i]);
    }
    write(sv[0], "g", 1);
    waitpid(pid, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    close(sv[0]);

    /* a control buffer with room for one fd of three */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int three[3] = {0, 1, 2};
    send_fds(sv[0], three, 3, "ctrunc");
    n = recv_fds(sv[1], fds, CMSG_SPACE(sizeof(int)), 0);
    for (int i = 0; i < n; i++) close(fds[i]);
    /* MSG_CMSG_CLOEXEC */
    send_fds(sv[0], three, 1, "cloexec");
    n = recv_fds(sv[1], fds, 512, MSG_CMSG_CLOEXEC);
    if (n == 1) {
        printf("cloexec %d\n", fcntl(fds[0], F_GETFD));
        close(fds[0]);
    }
    /* no control buffer at all */
    send_fds(sv[0], three, 2, "none");
    n = recv_fds(sv[1], fds, 0, 0);
    /* read(2) drops passed fds; the data still arrives */
    send_fds(sv[0], three, 2, "read");
    int before = dup(0);
    close(before);
    n = read(sv[1], buf, sizeof buf);
    printf("read %d %.*s\n", n, n, buf);
    int after = dup(0);
    printf("no fd leaked %d\n", after == before);
    close(after);
    /* messages with fds do not merge with the next */
    send_fds(sv[0], three, 1, "one");
    send(sv[0], "two", 3, 0);
    n = recv_fds(sv[1], fds, 512, 0);
    if (n == 1) close(fds[0]);
    n = recv_fds(sv[1], fds, 512, 0);

    /* credentials */
    int on = 1;
    check("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    send(sv[0], "creds", 5, 0);
    n = recv_fds(sv[1], fds, 512, 0);
    char control[CMSG_SPACE(sizeof(struct ucred))];
    struct ucred me = {getpid(), getuid(), getgid()};
    struct iovec iov = {"explicit", 8};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof me);
    memcpy(CMSG_DATA(c), &me, sizeof me);
    check("sendmsg explicit creds", sendmsg(sv[0], &mh, 0));
    n = recv_fds(sv[1], fds, 512, 0);

    /* bad control messages */
    int bad = 999;
    check("SCM_RIGHTS bad fd", send_fds(sv[0], &bad, 1, "bad"));
    c->cmsg_len = 4;
    check("cmsg_len too small", sendmsg(sv[0], &mh, 0));
    c->cmsg_len = CMSG_LEN(sizeof me);
    c->cmsg_level = 99;
    check("unknown level", sendmsg(sv[0], &mh, 0));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = 77;
    check("unknown type", sendmsg(sv[0], &mh, 0));
    mh.msg_control = (void *)8;
    /* raw syscalls: musl's sendmsg copies the control buffer itself */
    check("control EFAULT", syscall(SYS_sendmsg, sv[0], &mh, 0));
    check("msghdr EFAULT", syscall(SYS_sendmsg, sv[0], (struct msghdr *)8, 0));
    mh.msg_control = NULL;
    mh.msg_controllen = 0;
    mh.msg_iovlen = 2000;
    check("iovlen too big", sendmsg(sv[0], &mh, 0));
    return 0;
}

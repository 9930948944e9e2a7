/* AF_UNIX stream sockets between processes: ping-pong, shutdown, EOF, EPIPE and
 * SIGPIPE, MSG_PEEK/DONTWAIT/WAITALL, FIONREAD, a 4 MiB checksummed transfer through
 * blocking sends, ECONNRESET after closing with unread data, poll/epoll readiness. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int check(const char *what, long r) {
    printf("%s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
    return (int)r;
}

static short revents(int fd, short events) {
    struct pollfd p = {fd, events, 0};
    poll(&p, 1, 0);
    return p.revents;
}

static unsigned long sum(const unsigned char *p, size_t n, unsigned long s) {
    for (size_t i = 0; i < n; i++) s = s * 31 + p[i];
    return s;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int sv[2];
    char buf[256];
    check("socketpair", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
    printf("fresh pair revents %#x\n", revents(sv[0], POLLIN | POLLOUT | POLLRDHUP));

    /* ping-pong with a child */
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        for (int i = 0; i < 3; i++) {
            int n = read(sv[1], buf, sizeof buf);
            buf[n] = 0;
            char reply[64];
            snprintf(reply, sizeof reply, "pong %s", buf);
            write(sv[1], reply, strlen(reply));
        }
        _exit(0);
    }
    for (int i = 0; i < 3; i++) {
        char msg[16];
        snprintf(msg, sizeof msg, "%d", i);
        write(sv[0], msg, strlen(msg));
        int n = read(sv[0], buf, sizeof buf);
        printf("parent got %.*s\n", n, buf);
    }
    int st;
    waitpid(pid, &st, 0);
    close(sv[1]);
    printf("after peer close revents %#x\n", revents(sv[0], POLLIN | POLLOUT | POLLRDHUP));
    check("read at EOF", read(sv[0], buf, sizeof buf));
    check("send to closed peer", send(sv[0], "x", 1, MSG_NOSIGNAL));
    close(sv[0]);

    /* SIGPIPE kills a writer by default */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    close(sv[1]);
    pid = fork();
    if (pid == 0) {
        write(sv[0], "x", 1);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    printf("writer: signaled %d sig %d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    signal(SIGPIPE, SIG_IGN);
    check("write with SIGPIPE ignored", write(sv[0], "x", 1));
    close(sv[0]);

    /* shutdown */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "tail", 4);
    check("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
    printf("reader revents %#x\n", revents(sv[1], POLLIN | POLLOUT | POLLRDHUP));
    printf("writer revents %#x\n", revents(sv[0], POLLIN | POLLOUT | POLLRDHUP));
    check("read tail", read(sv[1], buf, sizeof buf));
    check("read EOF", read(sv[1], buf, sizeof buf));
    check("write after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL));
    check("reverse direction still works", write(sv[1], "back", 4));
    check("read back", read(sv[0], buf, sizeof buf));
    check("shutdown SHUT_RD", shutdown(sv[1], SHUT_RD));
    printf("after both revents %#x %#x\n", revents(sv[0], POLLIN | POLLOUT | POLLRDHUP),
           revents(sv[1], POLLIN | POLLOUT | POLLRDHUP));
    check("shutdown bad how", shutdown(sv[0], 7));
    close(sv[0]);
    close(sv[1]);

    /* peek, dontwait, fionread, waitall */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    check("recv DONTWAIT empty", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    write(sv[0], "abc", 3);
    write(sv[0], "defg", 4);
    int avail = -1;
    ioctl(sv[1], FIONREAD, &avail);
    printf("FIONREAD %d\n", avail);
    int n = recv(sv[1], buf, 5, MSG_PEEK);
    printf("peek %d %.*s\n", n, n, buf);
    n = recv(sv[1], buf, 2, 0);
    printf("recv %d %.*s\n", n, n, buf);
    n = recv(sv[1], buf, sizeof buf, 0);
    printf("recv rest %d %.*s\n", n, n, buf);
    pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 4; i++) {
            usleep(2000);
            write(sv[0], "wxyz", 4);
        }
        _exit(0);
    }
    n = recv(sv[1], buf, 16, MSG_WAITALL);
    printf("waitall %d %.*s\n", n, n, buf);
    waitpid(pid, &st, 0);
    close(sv[0]);
    close(sv[1]);

    /* write(2) and read(2) on O_NONBLOCK sockets: EAGAIN, never a wait */
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    check("read(2) on an empty non-blocking stream", read(sv[1], buf, sizeof buf));
    static char block[4096];
    ssize_t w = 0;
    for (int i = 0; i < 1000 && w >= 0; i++) w = write(sv[0], block, sizeof block);
    check("write(2) until a non-blocking stream is full", w);
    close(sv[0]);
    close(sv[1]);
    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv);
    w = 0;
    for (int i = 0; i < 2000 && w >= 0; i++) w = write(sv[0], "x", 1);
    check("write(2) until a non-blocking datagram queue is full", w);
    close(sv[0]);
    close(sv[1]);

    /* a 4 MiB transfer: the writer blocks on a full buffer many times */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    size_t total = 4 << 20;
    pid = fork();
    if (pid == 0) {
        close(sv[0]);
        unsigned char *data = malloc(total);
        for (size_t i = 0; i < total; i++) data[i] = (unsigned char)(i * 7 + i / 4096);
        ssize_t w = write(sv[1], data, total);
        printf("child wrote %zd sum %lx\n", w, sum(data, total, 0));
        fflush(stdout);
        _exit(0);
    }
    close(sv[1]);
    unsigned char *in = malloc(65536);
    size_t got = 0;
    unsigned long s = 0;
    while ((n = read(sv[0], in, 65536)) > 0) {
        s = sum(in, n, s);
        got += n;
    }
    waitpid(pid, &st, 0);
    printf("parent read %zu sum %lx\n", got, s);
    close(sv[0]);

    /* closing with unread data resets the peer */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "unread", 6);
    close(sv[1]);
    check("read after reset", read(sv[0], buf, sizeof buf));
    check("read after reset again", read(sv[0], buf, sizeof buf));
    close(sv[0]);

    /* epoll over a socket, edge triggered */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET | EPOLLRDHUP, .data.fd = sv[1]};
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
    struct epoll_event out[4];
    check("epoll empty", epoll_wait(ep, out, 4, 0));
    write(sv[0], "1", 1);
    n = epoll_wait(ep, out, 4, 0);
    printf("epoll after write %d events %#x\n", n, n > 0 ? out[0].events : 0);
    check("epoll ET again", epoll_wait(ep, out, 4, 0));
    write(sv[0], "2", 1);
    check("epoll ET new data", epoll_wait(ep, out, 4, 0));
    close(sv[0]);
    n = epoll_wait(ep, out, 4, 0);
    printf("epoll after close %d events %#x\n", n, n > 0 ? out[0].events : 0);
    pid = fork();
    if (pid == 0) {
        usleep(5000);
        _exit(0);
    }
    close(sv[1]);
    close(ep);
    waitpid(pid, &st, 0);
    return 0;
}

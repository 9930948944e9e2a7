/* An epoll echo server on a Unix socket path serving forked clients at once: every
 * client sends checksummed blocks and checks the echo; the server multiplexes the
 * listening socket, its clients, a pipe and a signalfd-free eventfd in one loop. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLIENTS 40
#define BLOCK 3000
#define ROUNDS 5

static struct sockaddr_un addr;
static socklen_t addrlen;

static int client(int id) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&addr, addrlen) < 0) return 2;
    unsigned char out[BLOCK], in[BLOCK];
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < BLOCK; i++) out[i] = (unsigned char)(id * 131 + r * 17 + i);
        if (write(s, out, BLOCK) != BLOCK) return 3;
        size_t got = 0;
        while (got < BLOCK) {
            ssize_t n = read(s, in + got, BLOCK - got);
            if (n <= 0) return 4;
            got += n;
        }
        if (memcmp(in, out, BLOCK)) return 5;
    }
    close(s);
    return 0;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "/tmp/vk-server-%08d", (int)getpid());
    unlink(addr.sun_path);
    addrlen = offsetof(struct sockaddr_un, sun_path) + strlen(addr.sun_path) + 1;
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (bind(ls, (struct sockaddr *)&addr, addrlen) || listen(ls, 8)) {
        perror("listen");
        return 1;
    }
    int ev = eventfd(0, EFD_NONBLOCK);
    int p[2];
    pipe2(p, O_NONBLOCK);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event e = {.events = EPOLLIN, .data.fd = ls};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &e);
    e.data.fd = ev;
    epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e);
    e.data.fd = p[0];
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e);
    pid_t pids[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) _exit(client(i));
    }
    /* a helper tells the loop through the eventfd and the pipe when clients are done */
    pid_t reaper = fork();
    if (reaper == 0) {
        int bad = 0, st;
        for (int i = 0; i < CLIENTS; i++) {
            waitpid(pids[i], &st, 0);
            bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        uint64_t one = 1;
        write(ev, &one, 8);
        write(p[1], &bad, sizeof bad);
        _exit(0);
    }
    int accepted = 0, closed = 0, bad = -1, done = 0;
    long echoed = 0;
    char buf[4096];
    while (!done || closed < accepted) {
        struct epoll_event out[16];
        int n = epoll_wait(ep, out, 16, 30000);
        if (n <= 0) {
            printf("epoll_wait timed out\n");
            break;
        }
        for (int i = 0; i < n; i++) {
            int fd = out[i].data.fd;
            if (fd == ls) {
                int c;
                while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    struct epoll_event ce = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                    accepted++;
                }
            } else if (fd == ev) {
                uint64_t v;
                read(ev, &v, 8);
                done = 1;
            } else if (fd == p[0]) {
                read(p[0], &bad, sizeof bad);
            } else {
                ssize_t r = read(fd, buf, sizeof buf);
                if (r > 0) {
                    /* the client reads its echo back before sending more: a write fits */
                    if (write(fd, buf, r) != r) printf("short echo\n");
                    echoed += r;
                } else if (r == 0 || (out[i].events & (EPOLLHUP | EPOLLRDHUP))) {
                    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                    close(fd);
                    closed++;
                }
            }
        }
    }
    /* the pipe may come after the eventfd */
    if (bad < 0) {
        fd_set rs;
        FD_ZERO(&rs);
        FD_SET(p[0], &rs);
        struct timeval tv = {30, 0};
        if (select(p[0] + 1, &rs, NULL, NULL, &tv) == 1) read(p[0], &bad, sizeof bad);
    }
    waitpid(reaper, NULL, 0);
    unlink(addr.sun_path);
    printf("accepted %d closed %d echoed %ld failed clients %d\n", accepted, closed, echoed, bad);
    return bad != 0;
}

/* An epoll echo server (level- or edge-triggered: argv[1] "lt" or "et") serving
 * argv[2] concurrent TCP clients (default 200) from argv[3] forked client processes
 * (default 4).  Every client opens all its connections first, then sends checksummed
 * messages on all of them for a few rounds and checks each echo. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 3
#define MSG 1500
#define MAXCONN 1024

struct conn {
    int fd;
    unsigned char pending[65536];   /* bytes read but not yet echoed */
    size_t len;
};

static struct conn *conns[MAXCONN + 16];
static int edge;
static uint64_t echoed, bytesum;

static uint32_t fnv(const unsigned char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static void fill(unsigned char *m, int client, int round) {
    for (int i = 0; i < MSG; i++) m[i] = (unsigned char)(client * 131 + round * 17 + i * 7);
    uint32_t h = fnv(m, MSG - 4);
    memcpy(m + MSG - 4, &h, 4);
}

static void set_events(int ep, struct conn *c, int out) {
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0) | (edge ? EPOLLET : 0), .data.fd = c->fd};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Write what is pending; 1 when all of it went. */
static int flush(struct conn *c) {
    size_t off = 0;
    while (off < c->len) {
        ssize_t w = write(c->fd, c->pending + off, c->len - off);
        if (w < 0) {
            if (errno == EAGAIN) break;
            return -1;
        }
        off += w;
    }
    memmove(c->pending, c->pending + off, c->len - off);
    c->len -= off;
    return c->len == 0;
}

static int serve(int ls, int total) {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN | (edge ? EPOLLET : 0), .data.fd = ls};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    int accepted = 0, closed = 0;
    struct epoll_event evs[64];
    while (closed < total) {
        int n = epoll_wait(ep, evs, 64, 20000);
        if (n <= 0) {
            printf("epoll_wait %d errno %d with %d closed\n", n, errno, closed);
            return 1;
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                for (;;) {
                    int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0) break;
                    struct conn *k = calloc(1, sizeof *k);
                    k->fd = c;
                    conns[c] = k;
                    struct epoll_event ce = {.events = EPOLLIN | (edge ? EPOLLET : 0), .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                    accepted++;
                    if (!edge) break;
                }
                continue;
            }
            struct conn *c = conns[fd];
            int eof = 0;
            if (evs[i].events & EPOLLOUT) {
                int r = flush(c);
                if (r > 0) set_events(ep, c, 0);
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                for (;;) {
                    if (c->len == sizeof c->pending) break;     /* wait for room first */
                    ssize_t r = read(fd, c->pending + c->len, sizeof c->pending - c->len);
                    if (r > 0) {
                        for (ssize_t j = 0; j < r; j++) bytesum += c->pending[c->len + j];
                        c->len += r;
                        echoed += r;
                        if (!edge) break;
                        continue;
                    }
                    if (r == 0 || errno != EAGAIN) eof = 1;
                    break;
                }
                int r = flush(c);
                if (r == 0) set_events(ep, c, 1);
                if (r < 0) eof = 1;
            }
            if (eof) {
                epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                close(fd);
                free(c);
                conns[fd] = NULL;
                closed++;
            }
        }
    }
    printf("server (%s): %d connections accepted, %d closed, %llu bytes echoed, byte sum %llu\n",
           edge ? "edge-triggered" : "level-triggered", accepted, closed, (unsigned long long)echoed,
           (unsigned long long)bytesum);
    return 0;
}

static int read_full(int fd, unsigned char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) return -1;
        got += r;
    }
    return 0;
}

static int client(struct sockaddr_in *addr, int first, int count) {
    int fds[MAXCONN];
    for (int i = 0; i < count; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fds[i], (void *)addr, sizeof *addr) < 0) return 10;
    }
    unsigned char out[MSG], in[MSG];
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < count; i++) {
            fill(out, first + i, round);
            if (write(fds[i], out, MSG) != MSG) return 11;
        }
        for (int i = 0; i < count; i++) {
            fill(out, first + i, round);
            if (read_full(fds[i], in, MSG) < 0) return 12;
            uint32_t h;
            memcpy(&h, in + MSG - 4, 4);
            if (memcmp(in, out, MSG) != 0 || fnv(in, MSG - 4) != h) return 13;
        }
    }
    for (int i = 0; i < count; i++) close(fds[i]);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    edge = argc > 1 && strcmp(argv[1], "et") == 0;
    int total = argc > 2 ? atoi(argv[2]) : 200;
    int procs = argc > 3 ? atoi(argv[3]) : 4;
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (void *)&addr, sizeof addr) < 0 || listen(ls, 1024) < 0) { perror("listen"); return 1; }
    socklen_t l = sizeof addr;
    getsockname(ls, (void *)&addr, &l);
    pid_t pids[64];
    for (int p = 0; p < procs; p++) {
        int first = total * p / procs, count = total * (p + 1) / procs - first;
        pids[p] = fork();
        if (pids[p] == 0) {
            close(ls);
            _exit(client(&addr, first, count));
        }
    }
    int rc = serve(ls, total);
    int ok = 0;
    for (int p = 0; p < procs; p++) {
        int st;
        waitpid(pids[p], &st, 0);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ok++;
        else printf("client %d: status %#x\n", p, st);
    }
    printf("clients ok: %d of %d\n", ok, procs);
    return rc || ok != procs;
}

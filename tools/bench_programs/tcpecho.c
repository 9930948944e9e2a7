/* Benchmark: epoll echo round trips over loopback TCP.  argv[1] connections, argv[2]
 * rounds: a forked server echoes with a level-triggered epoll loop; each round the
 * client sends a 64-byte message on every connection, then waits (epoll) until every
 * echo is back.  Prints the number of round trips. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MSG 64

static int serve(int ls) {
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    struct epoll_event evs[128];
    char buf[4096];
    for (;;) {
        int n = epoll_wait(ep, evs, 128, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                int c = accept(ls, NULL, NULL);
                int one = 1;
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0) {
                close(fd);
                continue;
            }
            if (write(fd, buf, r) != r) return 1;
        }
    }
}

int main(int argc, char **argv) {
    int conns = argc > 1 ? atoi(argv[1]) : 1;
    long rounds = argc > 2 ? atol(argv[2]) : 1000;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (void *)&a, sizeof a) < 0 || listen(ls, 256) < 0) return 1;
    socklen_t l = sizeof a;
    getsockname(ls, (void *)&a, &l);
    pid_t server = fork();
    if (server == 0) _exit(serve(ls));
    close(ls);
    int *fds = calloc(conns, sizeof *fds);
    int ep = epoll_create1(0);
    for (int i = 0; i < conns; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fds[i], (void *)&a, sizeof a) < 0) return 1;
        int one = 1;
        setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    char msg[MSG], buf[MSG];
    memset(msg, 'x', sizeof msg);
    int *got = calloc(conns, sizeof *got);
    struct epoll_event evs[128];
    long trips = 0;
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < conns; i++) {
            if (write(fds[i], msg, MSG) != MSG) return 1;
            got[i] = 0;
        }
        int done = 0;
        while (done < conns) {
            int n = epoll_wait(ep, evs, 128, -1);
            for (int k = 0; k < n; k++) {
                int i = evs[k].data.u32;
                ssize_t g = read(fds[i], buf, MSG - got[i]);
                if (g <= 0) return 1;
                got[i] += g;
                if (got[i] == MSG) done++, trips++;
            }
        }
    }
    for (int i = 0; i < conns; i++) close(fds[i]);
    kill(server, SIGKILL);
    waitpid(server, NULL, 0);
    printf("%ld\n", trips);
    return 0;
}

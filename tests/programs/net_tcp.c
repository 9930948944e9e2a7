/* TCP over loopback between forked processes: echo, large checksummed transfers
 * (blocking sends that do not fit the socket buffer), MSG_PEEK, MSG_WAITALL,
 * MSG_DONTWAIT, shutdown, FIONREAD, options, addresses, non-blocking connect with
 * EINPROGRESS and SO_ERROR, ECONNREFUSED, EPIPE with and without SIGPIPE, IPv6. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG (1 << 20)

static void check(int ok, const char *what) {
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok) printf("  errno %d (%s)\n", errno, strerror(errno));
    fflush(stdout);
}

static uint32_t sum(const unsigned char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static int listener(int family, struct sockaddr_storage *addr, socklen_t *len) {
    int s = socket(family, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(addr, 0, sizeof *addr);
    if (family == AF_INET) {
        struct sockaddr_in *a = (void *)addr;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        *len = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (void *)addr;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        *len = sizeof *a;
    }
    if (bind(s, (void *)addr, *len) < 0) { perror("bind"); exit(1); }
    if (listen(s, 16) < 0) { perror("listen"); exit(1); }
    getsockname(s, (void *)addr, len);
    return s;
}

static ssize_t read_full(int fd, unsigned char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) return r < 0 ? r : (ssize_t)got;
        got += r;
    }
    return got;
}

/* Echo everything back until EOF, then close. */
static void echo_server(int c) {
    unsigned char buf[65536];
    for (;;) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(c, buf + off, n - off);
            if (w < 0) _exit(3);
            off += w;
        }
    }
    close(c);
}

static void test_echo(int family, const char *name) {
    struct sockaddr_storage addr;
    socklen_t len;
    int s = listener(family, &addr, &len);
    pid_t pid = fork();
    if (pid == 0) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        int c = accept(s, (void *)&peer, &plen);
        if (c < 0) _exit(2);
        echo_server(c);
        _exit(0);
    }
    close(s);
    int c = socket(family, SOCK_STREAM, 0);
    char label[64];
    snprintf(label, sizeof label, "%s connect", name);
    check(connect(c, (void *)&addr, len) == 0, label);
    struct sockaddr_storage me, peer;
    socklen_t mlen = sizeof me, plen = sizeof peer;
    getsockname(c, (void *)&me, &mlen);
    getpeername(c, (void *)&peer, &plen);
    snprintf(label, sizeof label, "%s peername is the listener", name);
    check(plen == len && memcmp(&peer, &addr, len) == 0, label);
    snprintf(label, sizeof label, "%s sockname family and length", name);
    check(mlen == len && me.ss_family == family, label);

    /* A megabyte each way at once: the client's blocking write cannot fit, and the
     * server echoes as it reads, so both sides fill their buffers. */
    unsigned char *out = malloc(BIG), *in = malloc(BIG);
    for (int i = 0; i < BIG; i++) out[i] = (unsigned char)(i * 7 + i / 251);
    pid_t writer = fork();
    if (writer == 0) {
        ssize_t w = write(c, out, BIG);
        _exit(w == BIG ? 0 : 4);
    }
    ssize_t r = read_full(c, in, BIG);
    int st;
    waitpid(writer, &st, 0);
    snprintf(label, sizeof label, "%s 1 MiB echoed intact", name);
    check(r == BIG && WIFEXITED(st) && WEXITSTATUS(st) == 0 && sum(in, BIG) == sum(out, BIG), label);

    /* MSG_PEEK leaves the data; MSG_WAITALL waits for all of it; FIONREAD counts it. */
    write(c, "peekaboo", 8);
    char buf[16] = {0};
    r = recv(c, buf, 4, MSG_PEEK | MSG_WAITALL);
    snprintf(label, sizeof label, "%s MSG_PEEK", name);
    check(r == 4 && memcmp(buf, "peek", 4) == 0, label);
    int avail = 0;
    for (int i = 0; i < 100 && avail < 8; i++) { ioctl(c, FIONREAD, &avail); if (avail < 8) usleep(1000); }
    snprintf(label, sizeof label, "%s FIONREAD", name);
    check(avail == 8, label);
    r = recv(c, buf, 8, MSG_WAITALL);
    snprintf(label, sizeof label, "%s recv after peek", name);
    check(r == 8 && memcmp(buf, "peekaboo", 8) == 0, label);
    r = recv(c, buf, 8, MSG_DONTWAIT);
    snprintf(label, sizeof label, "%s MSG_DONTWAIT on empty", name);
    check(r == -1 && errno == EAGAIN, label);
    /* MSG_WAITALL across two writes the server echoes separately. */
    write(c, "abc", 3);
    usleep(20000);
    write(c, "defgh", 5);
    r = recv(c, buf, 8, MSG_WAITALL);
    snprintf(label, sizeof label, "%s MSG_WAITALL", name);
    check(r == 8 && memcmp(buf, "abcdefgh", 8) == 0, label);

    /* Half close: the server sees EOF and closes, we see EOF. */
    shutdown(c, SHUT_WR);
    r = read(c, buf, sizeof buf);
    snprintf(label, sizeof label, "%s EOF after shutdown", name);
    check(r == 0, label);
    waitpid(pid, &st, 0);
    snprintf(label, sizeof label, "%s server exit", name);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, label);
    close(c);
    free(out);
    free(in);
}

static void test_options(void) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    int v = 1, got = -1;
    socklen_t l = sizeof got;
    check(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) == 0, "TCP_NODELAY set");
    getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &got, &l);
    check(got != 0 && l == 4, "TCP_NODELAY get");
    v = 1;
    check(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v) == 0, "SO_KEEPALIVE set");
    l = sizeof got;
    getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &got, &l);
    check(got == 1, "SO_KEEPALIVE get");
    v = 30;
    setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v);
    v = 5;
    setsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof v);
    v = 3;
    setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v);
    int idle = 0, intvl = 0, cnt = 0;
    l = 4; getsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &l);
    l = 4; getsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, &l);
    l = 4; getsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &cnt, &l);
    printf("keepalive %d %d %d\n", idle, intvl, cnt);
    v = 65536;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    l = 4; getsockopt(s, SOL_SOCKET, SO_RCVBUF, &got, &l);
    printf("SO_RCVBUF %d\n", got);
    struct linger lg = {1, 5}, lg2;
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    l = sizeof lg2; getsockopt(s, SOL_SOCKET, SO_LINGER, &lg2, &l);
    printf("SO_LINGER %d %d\n", lg2.l_onoff, lg2.l_linger);
    l = 4; getsockopt(s, SOL_SOCKET, SO_TYPE, &got, &l);
    printf("SO_TYPE %d\n", got);
    l = 4; getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &got, &l);
    printf("SO_PROTOCOL %d\n", got);
    l = 4; getsockopt(s, SOL_SOCKET, SO_DOMAIN, &got, &l);
    printf("SO_DOMAIN %d\n", got);
    v = 64;
    check(setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof v) == 0, "IP_TTL set");
    l = 4; getsockopt(s, IPPROTO_IP, IP_TTL, &got, &l);
    printf("IP_TTL %d\n", got);
    v = 0x10;
    setsockopt(s, IPPROTO_IP, IP_TOS, &v, sizeof v);
    l = 4; getsockopt(s, IPPROTO_IP, IP_TOS, &got, &l);
    printf("IP_TOS %#x\n", got);
    l = 4; got = 7;
    getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &got, &l);
    printf("SO_ACCEPTCONN before listen %d\n", got);
    int fl = fcntl(s, F_GETFD);
    printf("cloexec %d\n", fl & FD_CLOEXEC);
    close(s);
    s = socket(AF_INET6, SOCK_STREAM, 0);
    v = 1;
    check(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v) == 0, "IPV6_V6ONLY set");
    l = 4; getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &got, &l);
    printf("IPV6_V6ONLY %d\n", got);
    close(s);
}

static void test_nonblocking_connect(void) {
    struct sockaddr_storage addr;
    socklen_t len;
    int s = listener(AF_INET, &addr, &len);
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(c, (void *)&addr, len);
    check(r == 0 || errno == EINPROGRESS, "non-blocking connect: 0 or EINPROGRESS");
    struct pollfd p = {c, POLLOUT, 0};
    check(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT), "poll POLLOUT once connected");
    int err = -1;
    socklen_t l = sizeof err;
    getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &l);
    check(err == 0, "SO_ERROR 0");
    /* The connection is made: connecting again completes it (0), then EISCONN. */
    r = connect(c, (void *)&addr, len);
    printf("connect again after POLLOUT: %d\n", r == 0 ? 0 : errno);
    r = connect(c, (void *)&addr, len);
    check(r == -1 && errno == EISCONN, "then EISCONN");
    /* A blocking connect on a socket whose non-blocking connect is in progress waits
     * for it (EALREADY only without blocking). */
    struct sockaddr_storage addr2;
    socklen_t len2;
    int s2 = listener(AF_INET, &addr2, &len2);
    int c2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    r = connect(c2, (void *)&addr2, len2);
    if (r == -1 && errno == EINPROGRESS) {
        fcntl(c2, F_SETFL, 0);
        r = connect(c2, (void *)&addr2, len2);
        printf("blocking connect while in progress: %s\n", r == 0 || errno == EISCONN ? "connected" : strerror(errno));
    } else {
        printf("blocking connect while in progress: connected\n");
    }
    close(c2);
    close(s2);
    int a = accept4(s, NULL, NULL, SOCK_NONBLOCK);
    check(a >= 0 && (fcntl(a, F_GETFL) & O_NONBLOCK), "accept4 SOCK_NONBLOCK");
    char b[4];
    check(read(a, b, 4) == -1 && errno == EAGAIN, "read on empty non-blocking EAGAIN");
    close(a);
    close(c);
    /* Non-blocking accept with nothing pending. */
    fcntl(s, F_SETFL, O_NONBLOCK);
    check(accept(s, NULL, NULL) == -1 && errno == EAGAIN, "non-blocking accept EAGAIN");
    close(s);

    /* A port nobody listens on: refused, now (blocking) or through SO_ERROR. */
    s = listener(AF_INET, &addr, &len);
    close(s);
    c = socket(AF_INET, SOCK_STREAM, 0);
    check(connect(c, (void *)&addr, len) == -1 && errno == ECONNREFUSED, "blocking connect ECONNREFUSED");
    close(c);
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    r = connect(c, (void *)&addr, len);
    if (r == -1 && errno == EINPROGRESS) {
        p.fd = c; p.events = POLLOUT; p.revents = 0;
        poll(&p, 1, 5000);
        l = sizeof err;
        getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &l);
        check(err == ECONNREFUSED, "non-blocking connect SO_ERROR ECONNREFUSED");
        l = sizeof err;
        getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &l);
        check(err == 0, "SO_ERROR cleared once read");
    } else {
        check(r == -1 && errno == ECONNREFUSED, "non-blocking connect SO_ERROR ECONNREFUSED");
        check(1, "SO_ERROR cleared once read");
    }
    close(c);
}

static int sigpipes;
static void on_pipe(int sig) { (void)sig; sigpipes++; }

static void test_epipe(void) {
    struct sockaddr_storage addr;
    socklen_t len;
    int s = listener(AF_INET, &addr, &len);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (void *)&addr, len);
    int a = accept(s, NULL, NULL);
    close(a);
    close(s);
    usleep(50000);
    signal(SIGPIPE, on_pipe);
    /* The first write meets the reset or succeeds into the void; keep writing. */
    ssize_t r = 0;
    for (int i = 0; i < 50 && r >= 0; i++) { r = send(c, "x", 1, MSG_NOSIGNAL); if (r >= 0) usleep(10000); }
    check(r == -1 && (errno == EPIPE || errno == ECONNRESET), "send to a closed peer fails");
    int before = sigpipes;
    r = send(c, "x", 1, MSG_NOSIGNAL);
    check(r == -1 && errno == EPIPE && sigpipes == before, "MSG_NOSIGNAL: EPIPE, no SIGPIPE");
    r = write(c, "x", 1);
    check(r == -1 && errno == EPIPE && sigpipes == before + 1, "write: EPIPE and SIGPIPE");
    close(c);
    signal(SIGPIPE, SIG_DFL);
}

static void on_alarm(int sig) { (void)sig; }

/* Small buffers: a blocking write far larger than both of them completes whole
 * while the reader drains slowly; a signal cuts one short with the count so far. */
static void test_small_buffers(void) {
    struct sockaddr_storage addr;
    socklen_t len;
    int small = 4096;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in *a = (void *)&addr;
    memset(&addr, 0, sizeof addr);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
    bind(s, (void *)&addr, len);
    listen(s, 4);
    getsockname(s, (void *)&addr, &len);
    size_t n = 512 * 1024;
    unsigned char *out = malloc(n);
    for (size_t i = 0; i < n; i++) out[i] = (unsigned char)(i * 13 + i / 509);
    pid_t pid = fork();
    if (pid == 0) {
        int c = accept(s, NULL, NULL);
        unsigned char *in = malloc(n);
        usleep(100000);
        ssize_t r = read_full(c, in, n);
        _exit(r == (ssize_t)n && sum(in, n) == sum(out, n) ? 0 : 5);
    }
    int c = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    connect(c, (void *)&addr, len);
    ssize_t w = write(c, out, n);
    check(w == (ssize_t)n, "512 KiB blocking write through small buffers");
    int st;
    waitpid(pid, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "reader got it intact");
    close(c);

    /* Nobody reads: SIGALRM (no SA_RESTART) ends the blocked write with a short count. */
    pid = fork();
    if (pid == 0) {
        int k = accept(s, NULL, NULL);
        pause();
        _exit(k < 0);
    }
    c = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    connect(c, (void *)&addr, len);
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 200000}};
    setitimer(ITIMER_REAL, &it, NULL);
    w = write(c, out, n);
    check(w > 0 && w < (ssize_t)n, "interrupted blocking write returns its partial count");
    struct timeval tv = {0, 100000};
    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    w = write(c, out, n);
    check((w == -1 && errno == EAGAIN) || (w > 0 && w < (ssize_t)n),
          "SO_SNDTIMEO ends a blocked write (EAGAIN, or the count that fit)");
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    close(c);
    close(s);
    free(out);
}

/* Blocked calls and signals: accept and recv without SA_RESTART give EINTR;
 * SO_RCVTIMEO gives EAGAIN; poll's view of a socket in each state. */
static void test_interrupts_and_poll(void) {
    struct sockaddr_storage addr;
    socklen_t len;
    int s = listener(AF_INET, &addr, &len);
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    check(accept(s, NULL, NULL) == -1 && errno == EINTR, "blocked accept, signal: EINTR");
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct pollfd p = {c, POLLIN | POLLOUT | POLLRDHUP, 0};
    poll(&p, 1, 0);
    printf("fresh socket revents %#x\n", p.revents);
    connect(c, (void *)&addr, len);
    int a = accept(s, NULL, NULL);
    p.revents = 0;
    poll(&p, 1, 0);
    printf("connected revents %#x\n", p.revents);
    p.fd = s;
    p.revents = 0;
    poll(&p, 1, 0);
    printf("idle listener revents %#x\n", p.revents);
    p.fd = c;
    setitimer(ITIMER_REAL, &it, NULL);
    char b[8];
    check(recv(c, b, sizeof b, 0) == -1 && errno == EINTR, "blocked recv, signal: EINTR");
    /* 100 ms: a whole number of jiffies at any HZ, which Linux rounds the timeout to. */
    struct timeval tv = {0, 100000};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    check(recv(c, b, sizeof b, 0) == -1 && errno == EAGAIN, "SO_RCVTIMEO: EAGAIN");
    struct timeval got;
    socklen_t l = sizeof got;
    getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &got, &l);
    printf("SO_RCVTIMEO %ld.%06ld\n", (long)got.tv_sec, (long)got.tv_usec);
    write(a, "z", 1);
    close(a);
    usleep(20000);
    p.revents = 0;
    poll(&p, 1, 0);
    printf("peer wrote and closed revents %#x\n", p.revents);
    check(recv(c, b, sizeof b, 0) == 1 && recv(c, b, sizeof b, 0) == 0, "data, then EOF");
    close(c);
    close(s);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_interrupts_and_poll();
    test_small_buffers();
    test_echo(AF_INET, "ipv4");
    test_echo(AF_INET6, "ipv6");
    test_options();
    test_nonblocking_connect();
    test_epipe();
    return 0;
}

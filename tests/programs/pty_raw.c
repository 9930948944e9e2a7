/* A pseudo-terminal in raw mode: cfmakeraw, VMIN/VTIME reads, O_NONBLOCK, and both
 * ends' readiness through poll, select and epoll. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>
#include <time.h>
/* termios2's requests by number: glibc names them with a struct it does not declare. */
#define GET_TERMIOS2 0x802C542A
#define SET_TERMIOS2 0x402C542B
#ifndef BOTHER
#define BOTHER 0010000
#endif
#include <unistd.h>

#define TRY(tag, expr) do { errno = 0; long r_ = (long)(expr); int e_ = errno; \
        printf("%s %ld %s\n", tag, r_, r_ < 0 ? strerror(e_) : "ok"); } while (0)

static void show(const char *tag, const char *b, int n) {
    printf("%s %d:", tag, n);
    for (int i = 0; i < n; i++) {
        unsigned char c = b[i];
        if (c >= 32 && c < 127 && c != '\\') putchar(c); else printf("\\x%02x", c);
    }
    putchar('\n');
}

static long ms_since(struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static int readable(int fd, int ms) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

static void vmin_vtime(int m, int s, int vmin, int vtime, const char *typed, int count) {
    struct termios t;
    tcgetattr(s, &t);
    t.c_cc[VMIN] = vmin;
    t.c_cc[VTIME] = vtime;
    tcsetattr(s, TCSANOW, &t);
    if (*typed) {
        write(m, typed, strlen(typed));
        readable(s, 500);
    }
    char buf[64];
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = read(s, buf, count);
    long ms = ms_since(&t0);
    printf("VMIN %d VTIME %d typed %zu: read %d", vmin, vtime, strlen(typed), n);
    if (n > 0) show(",", buf, n); else printf("\n");
    /* A timeout shows as a wait of at least most of VTIME tenths. */
    printf("  waited %s\n", vtime && ms >= vtime * 80 ? "the timeout" : "no timeout");
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    grantpt(m);
    unlockpt(m);
    int s = open(ptsname(m), O_RDWR | O_NOCTTY);
    struct termios t;
    tcgetattr(s, &t);
    cfmakeraw(&t);
    tcsetattr(s, TCSANOW, &t);
    tcgetattr(s, &t);
    printf("raw iflag %o oflag %o lflag %o cflag %o VMIN %d VTIME %d\n", t.c_iflag, t.c_oflag, t.c_lflag,
           t.c_cflag, t.c_cc[VMIN], t.c_cc[VTIME]);

    /* No echo, no translation, no signals, bytes as they come. */
    write(m, "a\r\x03\x7f\x04z\n", 7);
    readable(s, 500);
    char buf[64];
    int n = read(s, buf, sizeof buf);
    show("slave read", buf, n);
    write(s, "out\n", 4);
    readable(m, 500);
    show("master read", buf, read(m, buf, sizeof buf));
    TRY("master has no echo", readable(m, 100));

    vmin_vtime(m, s, 0, 0, "", 10);
    vmin_vtime(m, s, 0, 0, "xy", 10);
    vmin_vtime(m, s, 0, 3, "", 10);
    vmin_vtime(m, s, 0, 3, "q", 10);
    vmin_vtime(m, s, 3, 0, "abcd", 10);
    vmin_vtime(m, s, 3, 0, "abcd", 2);
    vmin_vtime(m, s, 5, 2, "ab", 10);

    /* Turning ICANON on makes what is held one complete line; off, a partial line
     * becomes readable bytes. */
    tcgetattr(s, &t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(s, TCSANOW, &t);
    write(m, "held", 4);
    readable(s, 500);
    t.c_lflag |= ICANON;
    tcsetattr(s, TCSANOW, &t);
    printf("canonical poll %x\n", readable(s, 0));
    show("canonical read", buf, read(s, buf, sizeof buf));
    write(m, "par", 3);
    usleep(50000);
    printf("partial poll %x\n", readable(s, 0));
    t.c_lflag &= ~ICANON;
    tcsetattr(s, TCSANOW, &t);
    printf("raw poll %x\n", readable(s, 0));
    show("raw read", buf, read(s, buf, sizeof buf));
    cfmakeraw(&t);
    tcsetattr(s, TCSANOW, &t);

    /* O_NONBLOCK: EAGAIN on both ends when there is nothing. */
    fcntl(s, F_SETFL, O_NONBLOCK);
    fcntl(m, F_SETFL, O_NONBLOCK);
    TRY("slave nonblock read", read(s, buf, sizeof buf));
    TRY("master nonblock read", read(m, buf, sizeof buf));
    fcntl(s, F_SETFL, 0);
    fcntl(m, F_SETFL, 0);

    /* Canonical again: readiness needs a whole line. */
    tcgetattr(s, &t);
    t.c_lflag |= ICANON;
    t.c_lflag &= ~ECHO;
    tcsetattr(s, TCSANOW, &t);
    write(m, "part", 4);
    usleep(100000);
    struct pollfd ps = {s, POLLIN | POLLOUT, 0};
    poll(&ps, 1, 0);
    printf("slave poll partial line %x\n", ps.revents);
    fcntl(s, F_SETFL, O_NONBLOCK);
    TRY("slave nonblock partial line", read(s, buf, sizeof buf));
    fcntl(s, F_SETFL, 0);
    write(m, "ial\n", 4);
    printf("slave poll line %x\n", readable(s, 500));

    fd_set rd, wr;
    FD_ZERO(&rd); FD_ZERO(&wr);
    FD_SET(s, &rd); FD_SET(m, &rd); FD_SET(m, &wr);
    struct timeval tv = {1, 0};
    int ready = select((m > s ? m : s) + 1, &rd, &wr, NULL, &tv);
    printf("select %d slave readable %d master readable %d master writable %d\n", ready,
           FD_ISSET(s, &rd) != 0, FD_ISSET(m, &rd) != 0, FD_ISSET(m, &wr) != 0);
    show("slave read", buf, read(s, buf, sizeof buf));

    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = m};
    epoll_ctl(ep, EPOLL_CTL_ADD, m, &ev);
    ev.data.fd = s;
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    struct epoll_event got[4];
    TRY("epoll nothing", epoll_wait(ep, got, 4, 50));
    write(s, "to master\n", 10);
    n = epoll_wait(ep, got, 4, 1000);
    printf("epoll %d master %d\n", n, n == 1 && got[0].data.fd == m);
    show("master read", buf, read(m, buf, sizeof buf));
    write(m, "to slave\n", 9);
    n = epoll_wait(ep, got, 4, 1000);
    printf("epoll %d slave %d\n", n, n == 1 && got[0].data.fd == s);
    show("slave read", buf, read(s, buf, sizeof buf));

    /* Speeds: cfsetspeed codes, and termios2 (TCGETS2/TCSETS2) with BOTHER. */
    tcgetattr(s, &t);
    cfsetospeed(&t, B9600);
    cfsetispeed(&t, B2400);
    tcsetattr(s, TCSANOW, &t);
    struct { unsigned iflag, oflag, cflag, lflag; unsigned char line, cc[19]; unsigned ispeed, ospeed; } t2;
    ioctl(s, GET_TERMIOS2, &t2);
    printf("speeds %u %u out %d in %d\n", t2.ispeed, t2.ospeed, cfgetospeed(&t) == B9600, cfgetispeed(&t) == B2400);
    t2.cflag = (t2.cflag & ~(CBAUD | (CBAUD << 16))) | BOTHER | (BOTHER << 16);
    t2.ospeed = 12345;
    t2.ispeed = 777;
    TRY("TCSETS2", ioctl(m, SET_TERMIOS2, &t2));
    ioctl(s, GET_TERMIOS2, &t2);
    tcgetattr(s, &t);
    printf("speeds %u %u cflag baud %o\n", t2.ispeed, t2.ospeed, t.c_cflag & CBAUD);
    cfsetspeed(&t, B38400);
    tcsetattr(s, TCSANOW, &t);
    ioctl(s, GET_TERMIOS2, &t2);
    printf("speeds %u %u\n", t2.ispeed, t2.ospeed);

    /* Bad arguments get an errno. */
    TRY("TCGETS to NULL", ioctl(m, TCGETS, NULL));
    TRY("TIOCSWINSZ from a bad pointer", ioctl(s, TIOCSWINSZ, (void *)16));
    TRY("TCFLSH 7", ioctl(s, TCFLSH, 7));
    TRY("TCXONC 9", ioctl(s, TCXONC, 9));
    TRY("TIOCSIG 0", ioctl(m, TIOCSIG, 0));
    TRY("slave TIOCSPTLCK", ioctl(s, TIOCSPTLCK, &n));
    TRY("unknown request", ioctl(s, 0x54ff, 0));

    /* A slave closing shows as POLLHUP on the master to epoll as well. */
    ev.events = EPOLLIN;
    ev.data.fd = m;
    epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL);
    close(s);
    n = epoll_wait(ep, got, 4, 1000);
    printf("epoll after slave close %d events %x\n", n, n == 1 ? got[0].events : 0);
    TRY("master read", read(m, buf, sizeof buf));
    return 0;
}

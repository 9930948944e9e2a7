/* A pseudo-terminal pair in one process: locking, the canonical line discipline with
 * its echoes, input and output translation, termios and window size round trips,
 * FIONREAD, and what each end sees when the other goes away. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

static void show(const char *tag, const char *b, int n) {
    printf("%s %d:", tag, n);
    for (int i = 0; i < n; i++) {
        unsigned char c = b[i];
        if (c >= 32 && c < 127 && c != '\\') putchar(c); else printf("\\x%02x", c);
    }
    putchar('\n');
}

/* Everything the master has to read, waiting a little for Linux's deferred echoes. */
static void drain(int m, const char *tag) {
    char buf[512];
    int n = 0;
    struct pollfd p = {m, POLLIN, 0};
    while (n < (int)sizeof buf && poll(&p, 1, n ? 30 : 200) == 1 && (p.revents & POLLIN)) {
        int r = read(m, buf + n, sizeof buf - n);
        if (r <= 0) break;
        n += r;
    }
    show(tag, buf, n);
}

static void slave_line(int s, const char *tag) {
    char buf[512];
    int n = read(s, buf, sizeof buf);
    show(tag, buf, n);
}

static void type(int m, int s, const char *tag, const char *keys) {
    write(m, keys, strlen(keys));
    drain(m, tag);
    (void)s;
}

/* A call's result and, when it failed, its error (evaluated in that order). */
#define TRY(tag, expr) do { errno = 0; long r_ = (long)(expr); int e_ = errno; \
        printf("%s %ld %s\n", tag, r_, r_ < 0 ? strerror(e_) : "ok"); } while (0)

static struct termios get(int fd) { struct termios t; tcgetattr(fd, &t); return t; }
static void set(int fd, struct termios *t) { if (tcsetattr(fd, TCSANOW, t)) perror("tcsetattr"); }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0) { perror("posix_openpt"); return 1; }
    printf("isatty master %d\n", isatty(m));
    unsigned ptn = 0;
    printf("TIOCGPTN %d\n", ioctl(m, TIOCGPTN, &ptn));
    char name[64];
    snprintf(name, sizeof name, "/dev/pts/%u", ptn);
    printf("ptsname matches %d\n", strcmp(ptsname(m), name) == 0);
    int lock = -1;
    ioctl(m, TIOCGPTLCK, &lock);
    printf("locked %d\n", lock);
    TRY("open locked", open(name, O_RDWR | O_NOCTTY));
    printf("grantpt %d unlockpt %d\n", grantpt(m), unlockpt(m));
    ioctl(m, TIOCGPTLCK, &lock);
    printf("locked %d\n", lock);
    /* Typed before the slave opens: held, then echoed once it does. */
    write(m, "early\n", 6);
    struct pollfd pm = {m, POLLIN, 0};
    poll(&pm, 1, 500);
    printf("master poll before slave %x\n", pm.revents);
    pm.events = POLLIN | POLLOUT;
    int s = open(name, O_RDWR | O_NOCTTY);
    printf("isatty slave %d\n", isatty(s));
    struct stat st;
    stat(name, &st);
    printf("slave node chr %d major %d same minor %d\n", S_ISCHR(st.st_mode), major(st.st_rdev),
           minor(st.st_rdev) == ptn);
    char *tn = ttyname(s);
    printf("ttyname %s\n", tn && strcmp(tn, name) == 0 ? "ok" : "wrong");
    slave_line(s, "slave");
    drain(m, "echo");

    struct termios t = get(s);
    printf("termios iflag %o oflag %o cflag %o lflag %o line %d\n", t.c_iflag, t.c_oflag, t.c_cflag,
           t.c_lflag, t.c_line);
    printf("cc");
    for (int i = 0; i < 17; i++) printf(" %d", t.c_cc[i]);
    printf("\n");
    struct termios tm = get(m);
    printf("master termios same %d\n", tm.c_lflag == t.c_lflag && tm.c_iflag == t.c_iflag
                                       && memcmp(tm.c_cc, t.c_cc, 17) == 0);
    TRY("slave TIOCGPTN", ioctl(s, TIOCGPTN, &ptn));

    /* Canonical editing. */
    type(m, s, "echo erase", "ab\x7f" "c\n");
    slave_line(s, "slave");
    type(m, s, "echo tab erase", "ab\tc\x7f\x7f\x7f\x01\x7f\n");
    slave_line(s, "slave");
    type(m, s, "echo werase", "foo bar  \x17\x17x\n");
    slave_line(s, "slave");
    type(m, s, "echo lnext", "q\x16\x03z\r");
    slave_line(s, "slave");
    type(m, s, "echo high bytes", "\x85\xe2\x82\xac\x16\x7f\n");
    slave_line(s, "slave");
    type(m, s, "echo erase utf-8 byte", "a\xc3\xa9\x7f\n");
    slave_line(s, "slave");
    struct termios u = get(s);
    u.c_iflag |= IUTF8;
    set(s, &u);
    type(m, s, "echo erase utf-8 char", "a\xc3\xa9\x7f\t\xc3\xa9\x7f\x7f\n");
    slave_line(s, "slave");
    u.c_iflag &= ~IUTF8;
    set(s, &u);
    type(m, s, "echo reprint kill", "ab\x12" "c\x15\n");
    slave_line(s, "slave");
    /* VEOF: ends a line without itself; alone it is end of file; a line read in parts. */
    type(m, s, "echo eof", "abc\x04");
    char two[2];
    show("read 2", two, read(s, two, 2));
    slave_line(s, "rest");
    type(m, s, "echo eof empty", "\x04");
    slave_line(s, "eof");
    type(m, s, "echo 2 lines", "one\ntwo\n");
    int inq = -1;
    ioctl(s, FIONREAD, &inq);
    printf("slave FIONREAD %d\n", inq);
    slave_line(s, "line 1");
    slave_line(s, "line 2");

    /* Output processing from the slave. */
    write(s, "x\ny\r\n\ta\tb\n", 11);
    poll(&pm, 1, 200);
    ioctl(m, FIONREAD, &inq);
    printf("master FIONREAD %d\n", inq);
    drain(m, "output");
    t = get(s);
    t.c_oflag |= XTABS | OCRNL;
    set(m, &t);                      /* through the master: the same termios */
    printf("slave sees master's set %d\n", (get(s).c_oflag & (XTABS | OCRNL)) == (XTABS | OCRNL));
    write(s, "\ta\tb\r\n", 6);
    drain(m, "output xtabs ocrnl");
    t.c_oflag &= ~OPOST;
    set(s, &t);
    write(s, "raw\n", 4);
    type(m, s, "echo no opost", "a\n");
    slave_line(s, "slave");
    drain(m, "output no opost");
    t.c_oflag = OPOST | ONLCR;

    /* Input translation and echo flags. */
    t.c_iflag = INLCR | IGNCR;
    set(s, &t);
    type(m, s, "echo inlcr igncr", "a\rb\nc\n");
    t.c_iflag = ICRNL;
    t.c_lflag &= ~ECHO;
    t.c_lflag |= ECHONL;
    set(s, &t);
    type(m, s, "echo echonl", "secret\r");
    slave_line(s, "slave");
    t.c_lflag |= ECHO;
    t.c_lflag &= ~(ECHOCTL | ECHONL);
    set(s, &t);
    type(m, s, "echo no echoctl", "\x01\x7f\n");
    slave_line(s, "slave");
    t.c_lflag &= ~ECHOE;
    set(s, &t);
    type(m, s, "echo no echoe", "xy\x7f\x15\n");
    slave_line(s, "slave");
    t.c_lflag |= ECHOE | ECHOCTL;
    set(s, &t);
    /* TCSETSF drops typed input; TCIFLUSH too. */
    type(m, s, "echo", "lost\npartial");
    tcsetattr(s, TCSAFLUSH, &t);
    ioctl(s, FIONREAD, &inq);
    printf("after TCSAFLUSH FIONREAD %d\n", inq);
    type(m, s, "echo", "kept\n");
    slave_line(s, "slave");
    type(m, s, "echo", "gone\n");
    tcflush(s, TCIFLUSH);
    type(m, s, "echo", "after flush\n");
    slave_line(s, "slave");

    /* Window size, both ends. */
    struct winsize ws;
    ioctl(s, TIOCGWINSZ, &ws);
    printf("winsize %d %d %d %d\n", ws.ws_row, ws.ws_col, ws.ws_xpixel, ws.ws_ypixel);
    ws.ws_row = 24; ws.ws_col = 80; ws.ws_xpixel = 640; ws.ws_ypixel = 480;
    ioctl(m, TIOCSWINSZ, &ws);
    memset(&ws, 0, sizeof ws);
    ioctl(s, TIOCGWINSZ, &ws);
    printf("winsize %d %d %d %d\n", ws.ws_row, ws.ws_col, ws.ws_xpixel, ws.ws_ypixel);

    /* No controlling terminal here. */
    int pg = -1;
    TRY("slave TIOCGPGRP", ioctl(s, TIOCGPGRP, &pg));
    printf("master TIOCGPGRP %d %d\n", ioctl(m, TIOCGPGRP, &pg), pg);
    TRY("master TIOCGSID", ioctl(m, TIOCGSID, &pg));
    TRY("lseek", lseek(s, 0, SEEK_SET));

    /* This process leads no session: opening without O_NOCTTY takes no terminal. */
    int plain = open(name, O_RDWR);
    TRY("master TIOCGSID after plain open", ioctl(m, TIOCGSID, &pg));
    TRY("TIOCSCTTY", ioctl(plain, TIOCSCTTY, 0));
    close(plain);

    /* TIOCSTI: a byte as if typed (root may, without a controlling terminal). */
    if (geteuid() == 0) {
        ioctl(s, TIOCSTI, "s");
        ioctl(s, TIOCSTI, "\n");
        type(m, s, "echo sti", "");
        slave_line(s, "slave");
    }
    TRY("TIOCSTI bad pointer", ioctl(s, TIOCSTI, (char *)8));

    /* TIOCGPTPEER: another slave description. */
    int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    printf("peer isatty %d\n", isatty(peer));
    close(peer);

    /* All slaves closed: the master reads what is left, then EIO; it may still write. */
    write(s, "bye\n", 4);
    close(s);
    poll(&pm, 1, 0);
    printf("master poll slave closed %x\n", pm.revents & ~POLLIN);
    char buf[64];
    int n;
    while ((n = read(m, buf, sizeof buf)) > 0) show("master read", buf, n);
    printf("master read %d %s\n", n, strerror(errno));
    TRY("master write", write(m, "again\n", 6));
    s = open(name, O_RDWR | O_NOCTTY);
    slave_line(s, "reopened");
    drain(m, "echo");

    /* Master closed: the slave is hung up. */
    write(m, "never read\n", 11);
    close(m);
    TRY("slave read", read(s, buf, sizeof buf));
    TRY("slave write", write(s, "x", 1));
    struct pollfd ps = {s, POLLIN | POLLOUT, 0};
    TRY("slave poll", poll(&ps, 1, 0));
    printf("slave revents %x\n", ps.revents);
    TRY("tcgetattr", tcgetattr(s, &t));
    TRY("TIOCSPGRP", ioctl(s, TIOCSPGRP, &pg));
    TRY("open after master close", open(name, O_RDWR | O_NOCTTY));
    return 0;
}

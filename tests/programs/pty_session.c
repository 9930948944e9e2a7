/* A child in its own session with the slave as controlling terminal (setsid +
 * TIOCSCTTY, as login_tty), talking to its parent over the master: lines, ^C as
 * SIGINT to the foreground group, SIGWINCH on a resize, TIOCSPGRP, /dev/tty, VEOF,
 * and the hang-up a closing master sends to the session leader. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* The handlers report themselves, so a signal that lands outside read(2) is seen too. */
static void on_int(int sig) {
    const char *name = sig == SIGINT ? "SIGINT\n" : sig == SIGQUIT ? "SIGQUIT\n" : "SIGTSTP\n";
    write(1, name, strlen(name));
}
static void on_winch(int sig) {
    (void)sig;
    struct winsize ws;
    char buf[64];
    ioctl(1, TIOCGWINSZ, &ws);
    int n = snprintf(buf, sizeof buf, "SIGWINCH %dx%d\n", ws.ws_col, ws.ws_row);
    write(1, buf, n);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    write(1, buf, n);
}

static int child(int slave) {
    setsid();
    int r = ioctl(slave, TIOCSCTTY, 0);
    int again = ioctl(slave, TIOCSCTTY, 0);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    if (slave > 2) close(slave);
    struct sigaction sa = {0};
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_int;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sigaction(SIGTSTP, &sa, NULL);
    sa.sa_handler = on_winch;
    sigaction(SIGWINCH, &sa, NULL);
    say("ctty %d again %d fg %d sid %d\n", r, again, tcgetpgrp(0) == getpgrp(), tcgetsid(0) == getsid(0));
    int tty = open("/dev/tty", O_RDWR);
    say("dev tty %d\n", tty >= 0 && isatty(tty));
    close(tty);
    char line[128];
    for (;;) {
        int n = read(0, line, sizeof line - 1);
        if (n <= 0) break;
        line[n] = 0;
        if (strcmp(line, "group\n") == 0) {
            /* A second process group in the session takes the foreground. */
            pid_t pid = fork();
            if (pid == 0) {
                setpgid(0, 0);
                pause();
                _exit(0);
            }
            setpgid(pid, pid);
            int set = tcsetpgrp(0, pid);
            say("tcsetpgrp %d fg is child %d\n", set, tcgetpgrp(0) == pid);
            errno = 0;
            int bad = -1;
            int r2 = ioctl(0, TIOCSPGRP, &bad);
            say("TIOCSPGRP -1: %d %s\n", r2, r2 ? strerror(errno) : "");
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            signal(SIGTTOU, SIG_IGN);
            tcsetpgrp(0, getpgrp());
            say("fg back %d\n", tcgetpgrp(0) == getpgrp());
            continue;
        }
        say("got %d: %s", n, line);
    }
    say("eof\n");
    return 3;
}

/* Read the master until ``want`` shows up; print what came, echoes removed with
 * ECHO off by the parent's choice of tests. */
static char acc[4096];
static int acc_len;
static int expect(int m, const char *want) {
    for (;;) {
        acc[acc_len] = 0;
        char *at = strstr(acc, want);
        if (at) {
            int end = at - acc + strlen(want);
            printf("[%.*s]\n", end, acc);
            memmove(acc, acc + end, acc_len - end);
            acc_len -= end;
            return 1;
        }
        struct pollfd p = {m, POLLIN, 0};
        if (poll(&p, 1, 5000) != 1) { printf("timeout waiting for %s\n", want); return 0; }
        int n = read(m, acc + acc_len, sizeof acc - 1 - acc_len);
        if (n <= 0) { printf("master read %d waiting for %s\n", n, want); return 0; }
        acc_len += n;
    }
}

/* Wait until ``pid`` sleeps (in its read), as /proc/PID/stat tells. */
static void sleeping(pid_t pid) {
    char path[64], stat[256];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(path, "r");
        if (!f) break;
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = 0;
        char *close_paren = strrchr(stat, ')');
        if (close_paren && close_paren[2] == 'S') break;
        usleep(10000);
    }
    usleep(20000);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    grantpt(m);
    unlockpt(m);
    int s = open(ptsname(m), O_RDWR | O_NOCTTY);
    /* Echo off, so the parent sees only what the child writes, in order. */
    struct termios t;
    tcgetattr(s, &t);
    t.c_lflag &= ~ECHO;
    tcsetattr(s, TCSANOW, &t);
    pid_t pid = fork();
    if (pid == 0) {
        close(m);
        return child(s);
    }
    close(s);
    expect(m, "sid 1\r\n");
    expect(m, "dev tty 1\r\n");
    int pg = 0;
    ioctl(m, TIOCGPGRP, &pg);
    printf("master TIOCGPGRP is child %d\n", pg == pid);
    write(m, "hello\n", 6);
    expect(m, "hello\r\n");
    write(m, "two\rlines\r", 10);
    expect(m, "lines\r\n");
    write(m, "\x03", 1);
    expect(m, "SIGINT\r\n");
    write(m, "\x1c", 1);
    expect(m, "SIGQUIT\r\n");
    write(m, "\x1a", 1);
    expect(m, "SIGTSTP\r\n");
    ioctl(m, TIOCSIG, SIGINT);                /* the master signals without a character */
    expect(m, "SIGINT\r\n");
    write(m, "half\x03", 5);                  /* ^C also drops the half-typed line */
    expect(m, "SIGINT\r\n");
    write(m, "line\n", 5);
    expect(m, "got 5: line\r\n");
    struct winsize ws = {.ws_row = 30, .ws_col = 100};
    ioctl(m, TIOCSWINSZ, &ws);
    expect(m, "SIGWINCH 100x30\r\n");
    ioctl(m, TIOCSWINSZ, &ws);               /* the same size: no signal */
    write(m, "group\n", 6);
    expect(m, "fg back 1\r\n");
    write(m, "\x04", 1);
    expect(m, "eof\r\n");
    char buf[64];
    int n;
    while ((n = read(m, buf, sizeof buf)) > 0) {}
    printf("master read after exit %d %s\n", n, n < 0 ? strerror(errno) : "");
    int status;
    waitpid(pid, &status, 0);
    printf("child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

    /* Hang-up: closing the master sends SIGHUP to the session leader. */
    m = posix_openpt(O_RDWR | O_NOCTTY);
    grantpt(m);
    unlockpt(m);
    s = open(ptsname(m), O_RDWR | O_NOCTTY);
    int ready[2];
    pipe(ready);
    pid = fork();
    if (pid == 0) {
        close(m);
        close(ready[0]);
        setsid();
        ioctl(s, TIOCSCTTY, 0);
        write(ready[1], "r", 1);
        char c;
        for (;;) read(s, &c, 1);
    }
    close(s);
    close(ready[1]);
    char c;
    read(ready[0], &c, 1);
    close(m);
    waitpid(pid, &status, 0);
    printf("leader %s %d\n", WIFSIGNALED(status) ? "killed by" : "exited", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));

    /* A session leader that ignores SIGHUP reads end of file instead. */
    m = posix_openpt(O_RDWR | O_NOCTTY);
    grantpt(m);
    unlockpt(m);
    s = open(ptsname(m), O_RDWR | O_NOCTTY);
    pipe(ready);
    pid = fork();
    if (pid == 0) {
        close(m);
        close(ready[0]);
        signal(SIGHUP, SIG_IGN);
        setsid();
        ioctl(s, TIOCSCTTY, 0);
        write(ready[1], "r", 1);
        int r = read(s, &c, 1);
        int e = errno;
        int again = read(s, &c, 1);
        int w = write(s, "x", 1);
        dprintf(ready[1], "blocked read %d %s; read %d; write %d %s", r, strerror(e), again, w, strerror(errno));
        _exit(0);
    }
    close(s);
    close(ready[1]);
    read(ready[0], &c, 1);
    sleeping(pid);
    close(m);
    n = read(ready[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    waitpid(pid, &status, 0);
    printf("ignoring leader: %s; exit %d\n", buf, WEXITSTATUS(status));

    /* TIOCSCTTY needs a session leader without a terminal. */
    m = posix_openpt(O_RDWR | O_NOCTTY);
    unlockpt(m);
    s = open(ptsname(m), O_RDWR | O_NOCTTY);
    pid = fork();
    if (pid == 0) {
        int r1 = ioctl(s, TIOCSCTTY, 0);
        int e1 = errno;
        setsid();
        int fd2 = posix_openpt(O_RDWR | O_NOCTTY);
        unlockpt(fd2);
        int s2 = open(ptsname(fd2), O_RDWR);   /* no O_NOCTTY: becomes the controlling tty */
        errno = 0;
        int r2 = ioctl(s, TIOCSCTTY, 0);
        int e2 = errno;
        printf("not leader %d %s; already has one %d %s; first open took it %d\n", r1, strerror(e1), r2,
               strerror(e2), tcgetsid(s2) == getpid());
        signal(SIGHUP, SIG_IGN);         /* giving it up hangs up the foreground group: us */
        errno = 0;
        int r3 = ioctl(s2, TIOCNOTTY);
        int e3 = errno;
        printf("TIOCNOTTY %d %s; after: %d\n", r3, r3 ? strerror(e3) : "", tcgetsid(s2));
        _exit(0);
    }
    waitpid(pid, &status, 0);

    /* Job control: a background group reading its terminal stops with SIGTTIN, one
     * writing under TOSTOP with SIGTTOU; each call runs again once it may. */
    m = posix_openpt(O_RDWR | O_NOCTTY);
    unlockpt(m);
    s = open(ptsname(m), O_RDWR | O_NOCTTY);
    tcgetattr(s, &t);
    t.c_lflag &= ~ECHO;
    tcsetattr(s, TCSANOW, &t);
    acc_len = 0;
    pid = fork();
    if (pid == 0) {
        close(m);
        setsid();
        ioctl(s, TIOCSCTTY, 0);
        dup2(s, 0);
        dup2(s, 1);
        close(s);
        signal(SIGTTOU, SIG_IGN);        /* the leader hands the foreground around */
        pid_t bg = fork();
        if (bg == 0) {
            setpgid(0, 0);
            signal(SIGTTOU, SIG_DFL);
            char line[64];
            int n = read(0, line, sizeof line - 1);   /* stops, then runs again in front */
            line[n > 0 ? n : 0] = 0;
            say("background read %d: %s", n, line);
            _exit(0);
        }
        setpgid(bg, bg);
        int st;
        waitpid(bg, &st, WUNTRACED);
        say("stopped %d by %d\n", WIFSTOPPED(st), WIFSTOPPED(st) ? WSTOPSIG(st) : 0);
        tcsetpgrp(0, bg);
        kill(bg, SIGCONT);
        say("ready\n");
        waitpid(bg, &st, 0);
        tcsetpgrp(0, getpgrp());
        struct termios tt;
        tcgetattr(0, &tt);
        tt.c_lflag |= TOSTOP;
        tcsetattr(0, TCSANOW, &tt);
        bg = fork();
        if (bg == 0) {
            setpgid(0, 0);
            signal(SIGTTOU, SIG_DFL);
            say("written after the stop\n");
            signal(SIGTTIN, SIG_IGN);
            char c;
            errno = 0;
            int r = read(0, &c, 1);
            say("ignored SIGTTIN: read %d %s\n", r, strerror(errno));
            _exit(0);
        }
        setpgid(bg, bg);
        waitpid(bg, &st, WUNTRACED);
        say("stopped %d by %d\n", WIFSTOPPED(st), WIFSTOPPED(st) ? WSTOPSIG(st) : 0);
        tt.c_lflag &= ~TOSTOP;
        tcsetattr(0, TCSANOW, &tt);
        kill(bg, SIGCONT);
        waitpid(bg, &st, 0);
        say("done\n");
        _exit(0);
    }
    close(s);
    expect(m, "ready\r\n");
    write(m, "typed\n", 6);
    expect(m, "done\r\n");
    waitpid(pid, &status, 0);
    close(m);

    /* Bulk output from a child: blocking writes are never short, nothing is lost. */
    m = posix_openpt(O_RDWR | O_NOCTTY);
    unlockpt(m);
    s = open(ptsname(m), O_RDWR | O_NOCTTY);
    pid = fork();
    if (pid == 0) {
        close(m);
        static char line[100];
        memset(line, 'x', 99);
        line[99] = '\n';
        int short_writes = 0;
        for (int i = 0; i < 20000; i++) short_writes += write(s, line, 100) != 100;
        _exit(short_writes);
    }
    close(s);
    static char big[65536];
    long total = 0;
    while ((n = read(m, big, sizeof big)) > 0) total += n;
    waitpid(pid, &status, 0);
    printf("bulk %ld bytes, short writes %d\n", total, WEXITSTATUS(status));
    return 0;
}

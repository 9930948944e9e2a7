/* Interrupted blocking calls: nanosleep/clock_nanosleep give EINTR and the remaining
 * time even with SA_RESTART; a blocking pipe read restarts with SA_RESTART (and with
 * signal(), BSD semantics) and fails with EINTR without it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int ticks;
static int pipe_w;
static void tick(int sig) {
    if (++ticks == 3) {
        struct itimerval off = {0};
        setitimer(ITIMER_REAL, &off, NULL);
        write(pipe_w, "x", 1);
    }
}

static void install(int flags) {
    struct sigaction sa = {0};
    sa.sa_handler = tick;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
}

static void arm(long usec, long interval) {
    struct itimerval it = {{0, interval}, {0, usec}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static double secs(struct timespec ts) { return ts.tv_sec + ts.tv_nsec / 1e9; }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int restart = 0; restart <= 1; restart++) {
        install(restart ? SA_RESTART : 0);
        struct timespec req = {1, 0}, rem = {-1, -1};
        ticks = 0;
        arm(50000, 0);
        errno = 0;
        int r = nanosleep(&req, &rem);
        printf("nanosleep%s: %d %s ticks=%d rem in (0.5,1): %d\n", restart ? " SA_RESTART" : "", r, strerror(errno),
               ticks, secs(rem) > 0.5 && secs(rem) < 1.0);
        rem = (struct timespec){-1, -1};
        ticks = 0;
        arm(50000, 0);
        r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
        printf("clock_nanosleep relative: %s ticks=%d rem in (0.5,1): %d\n", strerror(r), ticks,
               secs(rem) > 0.5 && secs(rem) < 1.0);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        now.tv_sec += 1;
        rem = (struct timespec){7, 7};
        ticks = 0;
        arm(50000, 0);
        r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, &rem);
        printf("clock_nanosleep absolute: %s ticks=%d rem untouched: %d\n", strerror(r), ticks,
               rem.tv_sec == 7 && rem.tv_nsec == 7);
    }

    /* A blocking pipe read and an interval timer whose third tick writes the byte. */
    int p[2];
    pipe(p);
    pipe_w = p[1];
    char c = 0;
    install(0);
    ticks = 0;
    arm(20000, 20000);
    errno = 0;
    ssize_t n = read(p[0], &c, 1);
    printf("read without SA_RESTART: %zd %s ticks=%d\n", n, strerror(errno), ticks);
    while (ticks < 3) pause();
    read(p[0], &c, 1);

    install(SA_RESTART);
    ticks = 0;
    arm(20000, 20000);
    n = read(p[0], &c, 1);
    printf("read with SA_RESTART: %zd '%c' ticks=%d\n", n, c, ticks);

    signal(SIGALRM, tick);           /* glibc and musl: BSD semantics, SA_RESTART */
    struct sigaction now_sa;
    sigaction(SIGALRM, NULL, &now_sa);
    printf("signal() sets SA_RESTART: %d\n", !!(now_sa.sa_flags & SA_RESTART));
    ticks = 0;
    arm(20000, 20000);
    n = read(p[0], &c, 1);
    printf("read after signal(): %zd '%c' ticks=%d\n", n, c, ticks);

    /* A blocked signal does not interrupt; unblocked later it runs the handler once. */
    sigset_t set, old;
    sigemptyset(&set); sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, &old);
    ticks = 0;
    arm(10000, 0);
    struct timespec short_req = {0, 60000000};
    int r = nanosleep(&short_req, NULL);
    printf("blocked: nanosleep=%d ticks=%d\n", r, ticks);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: ticks=%d\n", ticks);
    return 0;
}

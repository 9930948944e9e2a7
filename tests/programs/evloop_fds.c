/* eventfd (counter and semaphore modes), timerfd (relative, absolute, intervals,
 * gettime), signalfd (SIGUSR1 sent with kill, read as signalfd_siginfo), and
 * select/pselect/poll/ppoll over pipes, eventfds, timerfds and signalfds mixed, with
 * sigmasks.  Timing results are printed as booleans with tolerances. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static volatile int handled;
static void on_usr2(int sig) { handled = sig; }

int main(void)
{
    uint64_t v;

    /* eventfd: a counter, read whole */
    int e = eventfd(5, EFD_NONBLOCK);
    v = 7;
    write(e, &v, 8);
    ssize_t got = read(e, &v, 8);
    printf("eventfd read %zd value %lu\n", got, (unsigned long)v);
    printf("eventfd empty: %d\n", read(e, &v, 8) == -1 && errno == EAGAIN);
    printf("eventfd short buffer: %d\n", read(e, &v, 4) == -1 && errno == EINVAL);
    v = UINT64_MAX;
    printf("eventfd write max: %d\n", write(e, &v, 8) == -1 && errno == EINVAL);
    v = UINT64_MAX - 1;
    got = write(e, &v, 8);
    v = 1;
    printf("eventfd fill: %zd, overflow: %d\n", got, write(e, &v, 8) == -1 && errno == EAGAIN);
    read(e, &v, 8);
    printf("eventfd bad flags: %d\n", eventfd(0, 0x1234) == -1 && errno == EINVAL);

    /* semaphore mode: one at a time */
    int sem = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
    int reads = 0;
    while (read(sem, &v, 8) == 8 && v == 1)
        reads++;
    printf("semaphore reads: %d\n", reads);

    /* timerfd: periodic 10 ms, count after ~55 ms */
    int tf = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    printf("timerfd unarmed: %d\n", read(tf, &v, 8) == -1 && errno == EAGAIN);
    struct itimerspec its = {{0, 10000000}, {0, 10000000}}, cur;
    timerfd_settime(tf, 0, &its, NULL);
    usleep(55000);
    read(tf, &v, 8);
    printf("periodic expirations in 4..7: %d\n", v >= 4 && v <= 7);
    timerfd_gettime(tf, &cur);
    printf("gettime interval %ld ns, value <= interval: %d\n", cur.it_interval.tv_nsec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 10000000);
    /* disarm */
    struct itimerspec zero = {{0, 0}, {0, 0}};
    timerfd_settime(tf, 0, &zero, &cur);
    printf("old interval %ld\n", cur.it_interval.tv_nsec);
    usleep(20000);
    printf("disarmed: %d\n", read(tf, &v, 8) == -1 && errno == EAGAIN);
    /* absolute, in the past: expires at once */
    struct timespec nowts;
    clock_gettime(CLOCK_REALTIME, &nowts);
    int tabs = timerfd_create(CLOCK_REALTIME, 0);
    struct itimerspec past = {{0, 0}, {nowts.tv_sec - 1, 0}};
    timerfd_settime(tabs, TFD_TIMER_ABSTIME, &past, NULL);
    got = read(tabs, &v, 8);
    printf("absolute past: %zd value %lu\n", got, (unsigned long)v);
    /* absolute, 30 ms ahead: a blocking read waits for it */
    clock_gettime(CLOCK_REALTIME, &nowts);
    struct itimerspec ahead = {{0, 0}, {nowts.tv_sec, nowts.tv_nsec + 30000000}};
    if (ahead.it_value.tv_nsec >= 1000000000) {
        ahead.it_value.tv_sec++;
        ahead.it_value.tv_nsec -= 1000000000;
    }
    timerfd_settime(tabs, TFD_TIMER_ABSTIME, &ahead, NULL);
    long t0 = now_ms();
    read(tabs, &v, 8);
    long dt = now_ms() - t0;
    printf("absolute ahead: %lu after 20..500 ms: %d\n", (unsigned long)v, dt >= 20 && dt < 500);
    printf("timerfd bad clock: %d\n", timerfd_create(12345, 0) == -1 && errno == EINVAL);
    struct itimerspec badts = {{0, 0}, {0, 1000000000}};
    printf("timerfd bad nsec: %d\n", timerfd_settime(tf, 0, &badts, NULL) == -1 && errno == EINVAL);
    printf("timerfd_settime on eventfd: %d\n", timerfd_settime(e, 0, &its, NULL) == -1 && errno == EINVAL);

    /* signalfd: SIGUSR1 blocked, sent with kill, read back */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_NONBLOCK);
    printf("signalfd empty: %d\n", read(sfd, &v, 8) == -1 && errno == EINVAL);
    struct signalfd_siginfo si;
    printf("signalfd nothing: %d\n", read(sfd, &si, sizeof si) == -1 && errno == EAGAIN);
    kill(getpid(), SIGUSR1);
    struct pollfd pf = {sfd, POLLIN, 0};
    int r = poll(&pf, 1, 0);
    printf("poll signalfd: %d revents %#x\n", r, pf.revents);
    memset(&si, 0, sizeof si);
    ssize_t n = read(sfd, &si, sizeof si);
    printf("signalfd read %zd signo %u code %d pid ok %d\n", n, si.ssi_signo, si.ssi_code, si.ssi_pid == (uint32_t)getpid());
    printf("consumed: %d\n", poll(&pf, 1, 0));

    /* select over a pipe, an eventfd, a timerfd and a signalfd */
    int p[2];
    pipe(p);
    int ev2 = eventfd(0, 0);
    int tf2 = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec once = {{0, 0}, {0, 20000000}};
    timerfd_settime(tf2, 0, &once, NULL);
    int maxfd = p[0];
    int all[4] = {p[0], ev2, tf2, sfd};
    for (int i = 0; i < 4; i++)
        if (all[i] > maxfd)
            maxfd = all[i];
    fd_set rs, ws;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    for (int i = 0; i < 4; i++)
        FD_SET(all[i], &rs);
    FD_SET(p[1], &ws);
    struct timeval tv = {0, 0};
    r = select(maxfd + 1, &rs, &ws, NULL, &tv);
    printf("select now: %d pipe-writable %d\n", r, FD_ISSET(p[1], &ws));
    FD_ZERO(&rs);
    for (int i = 0; i < 4; i++)
        FD_SET(all[i], &rs);
    tv.tv_sec = 2;
    tv.tv_usec = 0;
    r = select(maxfd + 1, &rs, NULL, NULL, &tv);
    printf("select timer: %d tfd %d pipe %d ev %d sig %d time left < 2s: %d\n", r, FD_ISSET(tf2, &rs),
           FD_ISSET(p[0], &rs), FD_ISSET(ev2, &rs), FD_ISSET(sfd, &rs), tv.tv_sec < 2);
    read(tf2, &v, 8);
    v = 2;
    write(ev2, &v, 8);
    write(p[1], "x", 1);
    kill(getpid(), SIGUSR1);
    FD_ZERO(&rs);
    for (int i = 0; i < 4; i++)
        FD_SET(all[i], &rs);
    r = select(maxfd + 1, &rs, NULL, NULL, NULL);
    printf("select three: %d tfd %d pipe %d ev %d sig %d\n", r, FD_ISSET(tf2, &rs), FD_ISSET(p[0], &rs),
           FD_ISSET(ev2, &rs), FD_ISSET(sfd, &rs));
    read(sfd, &si, sizeof si);
    FD_ZERO(&rs);
    FD_SET(60, &rs);       /* below 64: Linux ignores fds past its fd table's allocated size */
    printf("select EBADF: %d\n", select(61, &rs, NULL, NULL, &tv) == -1 && errno == EBADF);
    tv.tv_sec = -1;
    FD_ZERO(&rs);
    printf("select EINVAL: %d\n", select(1, &rs, NULL, NULL, &tv) == -1 && errno == EINVAL);
    tv.tv_sec = 0;
    tv.tv_usec = 30000;
    t0 = now_ms();
    r = select(0, NULL, NULL, NULL, &tv);
    printf("select timeout: %d ", r);
    dt = now_ms() - t0;
    printf("slept 20..500 ms %d left %ld.%06ld\n", dt >= 20 && dt < 500, (long)tv.tv_sec, (long)tv.tv_usec);

    /* poll: the same mix */
    struct pollfd pfs[4];
    for (int i = 0; i < 4; i++)
        pfs[i] = (struct pollfd){all[i], POLLIN, 0};
    r = poll(pfs, 4, 0);
    printf("poll mix: %d revents %#x %#x %#x %#x\n", r, pfs[0].revents, pfs[1].revents,
           pfs[2].revents, pfs[3].revents);

    /* pselect and ppoll with a sigmask: SIGUSR2 blocked outside, let in during the wait */
    struct sigaction sa = {0};
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t b2, during, cur_mask;
    sigemptyset(&b2);
    sigaddset(&b2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &b2, NULL);
    kill(getpid(), SIGUSR2);
    printf("pending, not handled: %d\n", handled);
    sigprocmask(SIG_BLOCK, NULL, &during);
    sigdelset(&during, SIGUSR2);
    int q[2];
    pipe(q);
    FD_ZERO(&rs);
    FD_SET(q[0], &rs);
    struct timespec ts = {5, 0};
    r = pselect(q[0] + 1, &rs, NULL, NULL, &ts, &during);
    printf("pselect: %d errno EINTR %d handled %d\n", r, errno == EINTR, handled);
    sigprocmask(SIG_BLOCK, NULL, &cur_mask);
    printf("mask restored: %d\n", sigismember(&cur_mask, SIGUSR2));
    handled = 0;
    kill(getpid(), SIGUSR2);
    struct pollfd qp = {q[0], POLLIN, 0};
    r = ppoll(&qp, 1, &ts, &during);
    printf("ppoll: %d errno EINTR %d handled %d\n", r, errno == EINTR, handled);
    sigprocmask(SIG_BLOCK, NULL, &cur_mask);
    printf("mask restored: %d\n", sigismember(&cur_mask, SIGUSR2));
    write(q[1], "r", 1);
    r = ppoll(&qp, 1, &ts, &during);
    printf("ppoll ready: %d revents %#x\n", r, qp.revents);
    struct timespec tiny = {0, 1000000};
    printf("ppoll timeout: %d\n", ppoll(NULL, 0, &tiny, &during));
    return 0;
}

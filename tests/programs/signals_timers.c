/* POSIX timers: timer_create on three clocks with SIGEV_SIGNAL, SIGEV_NONE,
 * SIGEV_THREAD_ID and SIGEV_THREAD; relative and absolute timer_settime, intervals,
 * timer_gettime, overruns while the signal is blocked, timer_delete, bad arguments
 * (raw syscalls, so that glibc and musl agree). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#define RAW(label, call) do { errno = 0; long r_ = (call); printf("%s: %ld %s\n", label, r_, strerror(errno)); } while (0)

static volatile int hits, last_code, last_value, last_overrun;
static void handler(int sig, siginfo_t *si, void *uc) {
    hits++;
    last_code = si->si_code;
    last_value = si->si_value.sival_int;
    last_overrun = si->si_overrun;
}

static long ms(const struct timespec *ts) { return ts->tv_sec * 1000 + ts->tv_nsec / 1000000; }

static timer_t make(clockid_t clock, int notify, int sig, int value) {
    struct sigevent ev = {0};
    ev.sigev_notify = notify;
    ev.sigev_signo = sig;
    ev.sigev_value.sival_int = value;
    timer_t id;
    if (timer_create(clock, &ev, &id)) perror("timer_create");
    return id;
}

static void arm_ms(timer_t id, int flags, long value_ms, long interval_ms) {
    struct itimerspec its = {{interval_ms / 1000, interval_ms % 1000 * 1000000},
                             {value_ms / 1000, value_ms % 1000 * 1000000}};
    if (timer_settime(id, flags, &its, NULL)) perror("timer_settime");
}

static sem_t fired;
static volatile int thread_value;
static void notify_fn(union sigval v) { thread_value = v.sival_int; sem_post(&fired); }

static volatile pid_t waiter_tid;
static volatile int waiter_got, waiter_code, waiter_value, waiter_self;
static void *waiter(void *arg) {
    waiter_tid = gettid();
    sigset_t set; sigemptyset(&set); sigaddset(&set, SIGRTMIN + 3);
    siginfo_t si;
    int sig = sigwaitinfo(&set, &si);
    waiter_got = sig == SIGRTMIN + 3;
    waiter_code = si.si_code;
    waiter_value = si.si_value.sival_int;
    waiter_self = gettid() == waiter_tid;
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN + 2, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);

    /* A default sigevent: SIGALRM with the timer id as value. */
    timer_t d;
    timer_create(CLOCK_MONOTONIC, NULL, &d);
    arm_ms(d, 0, 20, 0);
    while (hits < 1) pause();
    printf("default sigevent: code=%d value-is-id=%d\n", last_code, last_value == (int)(long)d);
    timer_delete(d);

    /* One-shot on each clock. */
    clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME};
    for (int i = 0; i < 3; i++) {
        timer_t id = make(clocks[i], SIGEV_SIGNAL, SIGRTMIN + 2, 100 + i);
        hits = 0;
        arm_ms(id, 0, 20, 0);
        struct itimerspec cur;
        timer_gettime(id, &cur);
        printf("clock %d armed: value in (0,20]=%d interval=%ld\n", i, ms(&cur.it_value) <= 20 &&
               (cur.it_value.tv_sec || cur.it_value.tv_nsec), ms(&cur.it_interval));
        while (hits < 1) pause();
        timer_gettime(id, &cur);
        printf("clock %d fired: code=%d value=%d overrun=%d; now disarmed=%d\n", i, last_code, last_value,
               last_overrun, !cur.it_value.tv_sec && !cur.it_value.tv_nsec);
        timer_delete(id);
    }

    /* Absolute deadlines: 30 ms ahead, and one in the past (fires at once). */
    timer_t a = make(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGRTMIN + 2, 7);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct itimerspec abs_its = {{0, 0}, {now.tv_sec, now.tv_nsec + 30000000}};
    if (abs_its.it_value.tv_nsec >= 1000000000) { abs_its.it_value.tv_sec++; abs_its.it_value.tv_nsec -= 1000000000; }
    hits = 0;
    timer_settime(a, TIMER_ABSTIME, &abs_its, NULL);
    while (hits < 1) pause();
    printf("absolute: hits=%d value=%d\n", hits, last_value);
    timer_t past = make(CLOCK_REALTIME, SIGEV_SIGNAL, SIGRTMIN + 2, 8);
    struct itimerspec past_its = {{0, 0}, {1, 0}};
    hits = 0;
    timer_settime(past, TIMER_ABSTIME, &past_its, NULL);
    while (hits < 1) pause();
    printf("absolute in the past: hits=%d value=%d\n", hits, last_value);

    /* Periodic: three ticks, then disarm; old_value reports the interval. */
    hits = 0;
    arm_ms(a, 0, 10, 10);
    while (hits < 3) pause();
    struct itimerspec zero = {0}, old;
    timer_settime(a, 0, &zero, &old);
    printf("periodic: ticks>=3=%d old interval=%ld\n", hits >= 3, ms(&old.it_interval));

    /* Overruns: a periodic timer whose signal stays blocked. */
    sigset_t set, prev;
    sigemptyset(&set); sigaddset(&set, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &set, &prev);
    arm_ms(a, 0, 5, 5);
    struct timespec nap = {0, 100000000};
    nanosleep(&nap, NULL);
    siginfo_t si;
    int got = sigwaitinfo(&set, &si);
    int over = timer_getoverrun(a);
    printf("overrun: sig ok=%d code=%d si_overrun>=5=%d getoverrun==si_overrun=%d\n", got == SIGRTMIN + 2,
           si.si_code, si.si_overrun >= 5, over == si.si_overrun);
    timer_settime(a, 0, &zero, NULL);
    sigprocmask(SIG_SETMASK, &prev, NULL);
    timer_delete(a);
    timer_delete(past);

    /* SIGEV_NONE: counts down, never signals. */
    timer_t n = make(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0);
    hits = 0;
    arm_ms(n, 0, 30, 0);
    struct itimerspec cur;
    timer_gettime(n, &cur);
    long first = ms(&cur.it_value);
    struct timespec nap2 = {0, 50000000};
    nanosleep(&nap2, NULL);
    timer_gettime(n, &cur);
    printf("SIGEV_NONE: first<=30=%d expired=%d hits=%d\n", first <= 30, !cur.it_value.tv_sec && !cur.it_value.tv_nsec, hits);
    timer_delete(n);

    /* SIGEV_THREAD_ID: to one thread, which takes it with sigwaitinfo. */
    sigemptyset(&set); sigaddset(&set, SIGRTMIN + 3);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pthread_t th;
    pthread_create(&th, NULL, waiter, NULL);
    while (!waiter_tid) sched_yield();
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGRTMIN + 3;
    ev.sigev_value.sival_int = 33;
    ev.sigev_notify_thread_id = waiter_tid;
    timer_t tt;
    timer_create(CLOCK_MONOTONIC, &ev, &tt);
    arm_ms(tt, 0, 10, 0);
    pthread_join(th, NULL);
    printf("SIGEV_THREAD_ID: got=%d code=%d value=%d in its thread=%d\n", waiter_got, waiter_code, waiter_value,
           waiter_self);
    timer_delete(tt);

    /* SIGEV_THREAD: the libc runs the function in a thread. */
    sem_init(&fired, 0, 0);
    struct sigevent tev = {0};
    tev.sigev_notify = SIGEV_THREAD;
    tev.sigev_notify_function = notify_fn;
    tev.sigev_value.sival_int = 44;
    timer_t st;
    timer_create(CLOCK_MONOTONIC, &tev, &st);
    arm_ms(st, 0, 10, 0);
    sem_wait(&fired);
    printf("SIGEV_THREAD: value=%d\n", thread_value);
    timer_delete(st);

    /* Bad arguments, through the raw syscalls. */
    int kid;
    struct sigevent bad = {0};
    bad.sigev_notify = SIGEV_SIGNAL;
    bad.sigev_signo = 65;
    RAW("bad signal", syscall(SYS_timer_create, CLOCK_MONOTONIC, &bad, &kid));
    bad.sigev_signo = SIGUSR1;
    bad.sigev_notify = 99;
    RAW("bad notify", syscall(SYS_timer_create, CLOCK_MONOTONIC, &bad, &kid));
    bad.sigev_notify = SIGEV_THREAD_ID;
    bad.sigev_notify_thread_id = 999999;
    RAW("bad tid", syscall(SYS_timer_create, CLOCK_MONOTONIC, &bad, &kid));
    RAW("bad clock", syscall(SYS_timer_create, 99, NULL, &kid));
    RAW("raw clock", syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, NULL, &kid));
    RAW("bad pointer", syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &kid));
    syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &kid);
    struct itimerspec badts = {{0, 0}, {0, 1000000000}};
    RAW("bad nsec", syscall(SYS_timer_settime, kid, 0, &badts, NULL));
    syscall(SYS_timer_delete, kid);
    RAW("deleted settime", syscall(SYS_timer_settime, kid, 0, &zero, NULL));
    RAW("deleted gettime", syscall(SYS_timer_gettime, kid, &cur));
    RAW("deleted getoverrun", syscall(SYS_timer_getoverrun, kid));
    RAW("delete twice", syscall(SYS_timer_delete, kid));
    return 0;
}

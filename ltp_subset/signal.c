/* Signals in the manner of LTP's kill*, sigaction*, rt_sigprocmask*, sigpending*,
 * sigsuspend*, rt_sigtimedwait*, sigaltstack*, alarm*, setitimer*, tgkill*, rt_sigqueueinfo*,
 * timer_create/timer_settime/timer_delete* and nanosleep*: argument errors, masks,
 * pending sets, dispositions, alternate stacks, timers and interrupted sleeps. */
#define TCID "signal"
#include "tst.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t got, got_code, got_value;
static void catcher(int sig) { got = sig; }
static void info_catcher(int sig, siginfo_t *si, void *uc) {
    got = sig; got_code = si->si_code; got_value = si->si_value.sival_int;
}

#define SETSIZE 8

int main(void)
{
    struct sigaction sa, old;
    sigset_t set, prev, pend;
    stack_t ss, oss;
    static char stack[1 << 16];
    struct timespec ts;
    siginfo_t si;

    /* kill02-kill12 */
    TEST_OK(kill(getpid(), 0), "kill with signal 0 checks the target");
    TEST_ERRNO(kill(getpid(), 65), EINVAL, "kill with signal 65");
    TEST_ERRNO(kill(getpid(), -1), EINVAL, "kill with signal -1");
    TEST_ERRNO(kill(999999, SIGUSR1), ESRCH, "kill of a pid that does not exist");
    TEST_ERRNO(syscall(SYS_tgkill, getpid(), 999999, SIGUSR1), ESRCH, "tgkill of a tid that does not exist");
    TEST_ERRNO(syscall(SYS_tgkill, 0, getpid(), SIGUSR1), EINVAL, "tgkill with tgid 0");
    TEST_ERRNO(syscall(SYS_tkill, -1, SIGUSR1), EINVAL, "tkill with tid -1");

    /* sigaction01-sigaction02, rt_sigaction01-03 */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = catcher;
    TEST_ERRNO(sigaction(SIGKILL, &sa, NULL), EINVAL, "sigaction on SIGKILL");
    TEST_ERRNO(sigaction(SIGSTOP, &sa, NULL), EINVAL, "sigaction on SIGSTOP");
    TEST_ERRNO(sigaction(0, &sa, NULL), EINVAL, "sigaction on signal 0");
    TEST_ERRNO(sigaction(65, &sa, NULL), EINVAL, "sigaction on signal 65");
    TEST_OK(sigaction(SIGKILL, NULL, &old), "reading SIGKILL's disposition is allowed");
    TEST_CHECK(old.sa_handler == SIG_DFL, "SIGKILL's disposition is SIG_DFL");
    TEST_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4), EINVAL, "rt_sigaction with sigsetsize 4");
    TEST_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, TST_BADPTR, NULL, SETSIZE), EFAULT, "rt_sigaction with a bad act");
    TEST_OK(sigaction(SIGUSR1, &sa, NULL), "install a handler");
    TEST_OK(sigaction(SIGUSR1, NULL, &old), "read it back");
    TEST_CHECK(old.sa_handler == catcher, "the handler reads back");
    got = 0;
    TEST_OK(raise(SIGUSR1), "raise SIGUSR1");
    TEST_EQ(got, SIGUSR1, "the handler ran before raise returned");

    /* rt_sigprocmask01-02, sigpending02 */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    TEST_ERRNO(syscall(SYS_rt_sigprocmask, 99, &set, NULL, SETSIZE), EINVAL, "rt_sigprocmask with a bad how");
    TEST_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4), EINVAL, "rt_sigprocmask with sigsetsize 4");
    TEST_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, TST_BADPTR, NULL, SETSIZE), EFAULT,
               "rt_sigprocmask with a bad set");
    TEST_OK(sigprocmask(SIG_BLOCK, &set, &prev), "block SIGUSR1");
    got = 0;
    TEST_OK(kill(getpid(), SIGUSR1), "send SIGUSR1 while blocked");
    TEST_EQ(got, 0, "a blocked signal is not delivered");
    TEST_OK(sigpending(&pend), "sigpending");
    TEST_EQ(sigismember(&pend, SIGUSR1), 1, "the blocked signal is pending");
    TEST_ERRNO(syscall(SYS_rt_sigpending, &pend, 16), EINVAL, "rt_sigpending with sigsetsize 16");
    TEST_OK(sigprocmask(SIG_SETMASK, &prev, NULL), "unblock");
    TEST_EQ(got, SIGUSR1, "unblocking delivers it");
    sigemptyset(&set);
    sigaddset(&set, SIGKILL);
    sigaddset(&set, SIGSTOP);
    TEST_OK(sigprocmask(SIG_BLOCK, &set, NULL), "blocking SIGKILL and SIGSTOP is accepted");
    TEST_OK(sigprocmask(SIG_BLOCK, NULL, &prev), "read the mask");
    TEST_CHECK(!sigismember(&prev, SIGKILL) && !sigismember(&prev, SIGSTOP), "but they are never blocked");

    /* SIG_IGN discards a pending signal (sigaction03-like) */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, &prev);
    kill(getpid(), SIGUSR2);
    signal(SIGUSR2, SIG_IGN);
    sigpending(&pend);
    TEST_EQ(sigismember(&pend, SIGUSR2), 0, "setting SIG_IGN discards the pending signal");
    sigprocmask(SIG_SETMASK, &prev, NULL);
    signal(SIGUSR2, SIG_DFL);

    /* rt_sigtimedwait01, sigwaitinfo01 */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &prev);
    ts.tv_sec = 0;
    ts.tv_nsec = 1000000;
    TEST_ERRNO(sigtimedwait(&set, &si, &ts), EAGAIN, "sigtimedwait times out");
    ts.tv_nsec = 1000000000;
    TEST_ERRNO(sigtimedwait(&set, &si, &ts), EINVAL, "sigtimedwait with tv_nsec 1e9");
    TEST_ERRNO(syscall(SYS_rt_sigtimedwait, &set, &si, NULL, 4), EINVAL, "rt_sigtimedwait with sigsetsize 4");
    ts.tv_nsec = 0;
    TEST_ERRNO(sigtimedwait(&set, &si, &ts), EAGAIN, "sigtimedwait with a zero timeout polls");
    union sigval v = {.sival_int = 99};
    TEST_OK(sigqueue(getpid(), SIGUSR1, v), "sigqueue");
    TEST_EQ(sigwaitinfo(&set, &si), SIGUSR1, "sigwaitinfo takes it");
    TEST_EQ(si.si_code, SI_QUEUE, "si_code is SI_QUEUE");
    TEST_EQ(si.si_value.sival_int, 99, "si_value arrives");
    TEST_EQ(si.si_pid, getpid(), "si_pid is the sender");
    sigprocmask(SIG_SETMASK, &prev, NULL);

    /* rt_sigqueueinfo01: a process may not claim a kernel si_code towards another one */
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_KERNEL;
    TEST_ERRNO(syscall(SYS_rt_sigqueueinfo, getppid(), SIGUSR1, &si), EPERM, "rt_sigqueueinfo with SI_KERNEL");
    si.si_code = SI_TKILL;
    TEST_ERRNO(syscall(SYS_rt_sigqueueinfo, getppid(), SIGUSR1, &si), EPERM, "rt_sigqueueinfo with SI_TKILL");
    sigprocmask(SIG_BLOCK, &set, &prev);
    si.si_code = SI_KERNEL;
    TEST_OK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si), "but it may towards itself");
    TEST_EQ(sigwaitinfo(&set, &si), SIGUSR1, "and the signal arrives");
    TEST_EQ(si.si_code, SI_KERNEL, "with the si_code it chose");
    sigprocmask(SIG_SETMASK, &prev, NULL);
    si.si_code = SI_QUEUE;
    TEST_ERRNO(syscall(SYS_rt_sigqueueinfo, getpid(), 65, &si), EINVAL, "rt_sigqueueinfo with signal 65");

    /* sigsuspend01: returns EINTR after the handler, with the old mask back */
    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, &prev);
    signal(SIGALRM, catcher);
    got = 0;
    alarm(1);
    sigset_t empty;
    sigemptyset(&empty);
    TEST_ERRNO(sigsuspend(&empty), EINTR, "sigsuspend returns EINTR");
    TEST_EQ(got, SIGALRM, "the handler ran");
    sigprocmask(SIG_BLOCK, NULL, &pend);
    TEST_EQ(sigismember(&pend, SIGALRM), 1, "the mask from before sigsuspend is back");
    sigprocmask(SIG_SETMASK, &prev, NULL);

    /* alarm02-03, setitimer01-02, getitimer01 */
    TEST_EQ(alarm(10), 0, "no alarm was pending");
    TEST_EQ(alarm(0), 10, "alarm returns the seconds left");
    struct itimerval it = {{0, 0}, {5, 0}}, oit;
    TEST_OK(setitimer(ITIMER_REAL, &it, NULL), "setitimer 5 s");
    TEST_OK(getitimer(ITIMER_REAL, &oit), "getitimer");
    TEST_CHECK(oit.it_value.tv_sec <= 5 && oit.it_value.tv_sec >= 4, "it counts down from 5 s");
    memset(&it, 0, sizeof it);
    TEST_OK(setitimer(ITIMER_REAL, &it, &oit), "disarm");
    TEST_CHECK(oit.it_value.tv_sec >= 4, "the old value comes back");
    it.it_value.tv_usec = 1000000;
    TEST_ERRNO(setitimer(ITIMER_REAL, &it, NULL), EINVAL, "setitimer with tv_usec 1e6");
    TEST_ERRNO(setitimer(99, &it, NULL), EINVAL, "setitimer with a bad timer");
    TEST_ERRNO(getitimer(99, &oit), EINVAL, "getitimer with a bad timer");

    /* sigaltstack01-02 */
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = stack;
    ss.ss_size = 2047;               /* the kernel's MINSIGSTKSZ is 2048 (glibc's macro may be larger) */
    TEST_ERRNO(sigaltstack(&ss, NULL), ENOMEM, "sigaltstack smaller than MINSIGSTKSZ");
    ss.ss_size = sizeof stack;
    ss.ss_flags = 99;
    TEST_ERRNO(sigaltstack(&ss, NULL), EINVAL, "sigaltstack with bad flags");
    ss.ss_flags = 0;
    TEST_OK(sigaltstack(NULL, &oss), "read the alternate stack");
    TEST_EQ(oss.ss_flags, SS_DISABLE, "none is set: SS_DISABLE");
    TEST_OK(sigaltstack(&ss, NULL), "set one");
    TEST_OK(sigaltstack(NULL, &oss), "read it back");
    TEST_CHECK(oss.ss_sp == stack && oss.ss_size == sizeof stack && oss.ss_flags == 0, "it reads back");
    ss.ss_flags = SS_DISABLE;
    TEST_OK(sigaltstack(&ss, NULL), "disable it");

    /* nanosleep02-04, clock_nanosleep01 */
    ts.tv_sec = 0;
    ts.tv_nsec = -1;
    TEST_ERRNO(nanosleep(&ts, NULL), EINVAL, "nanosleep with tv_nsec -1");
    ts.tv_nsec = 1000000000;
    TEST_ERRNO(nanosleep(&ts, NULL), EINVAL, "nanosleep with tv_nsec 1e9");
    TEST_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL), EINVAL, "clock_nanosleep on a thread CPU clock");
    struct timespec req = {1, 0}, rem = {0, 0};
    signal(SIGALRM, catcher);
    struct itimerval shot = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &shot, NULL);
    TEST_ERRNO(nanosleep(&req, &rem), EINTR, "a handler interrupts nanosleep");
    TEST_CHECK(rem.tv_sec == 0 && rem.tv_nsec > 500000000, "rem holds the time left");

    /* timer_create01-03, timer_settime01-02, timer_delete01-02 */
    timer_t tid;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 1;
    ev.sigev_value.sival_int = 5;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_catcher;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN + 1, &sa, NULL);
    TEST_OK(timer_create(CLOCK_MONOTONIC, &ev, &tid), "timer_create");
    struct itimerspec its = {{0, 0}, {0, 10000000}}, cur;
    got = 0;
    TEST_OK(timer_settime(tid, 0, &its, NULL), "timer_settime 10 ms");
    while (!got)
        pause();
    TEST_EQ(got, SIGRTMIN + 1, "the timer's signal arrives");
    TEST_EQ(got_code, SI_TIMER, "si_code is SI_TIMER");
    TEST_EQ(got_value, 5, "si_value is sigev_value");
    TEST_OK(timer_gettime(tid, &cur), "timer_gettime");
    TEST_CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, "a one-shot timer is disarmed after firing");
    TEST_EQ(timer_getoverrun(tid), 0, "no overrun");
    its.it_value.tv_nsec = -5;
    TEST_ERRNO(timer_settime(tid, 0, &its, NULL), EINVAL, "timer_settime with a negative tv_nsec");
    TEST_OK(timer_delete(tid), "timer_delete");
    TEST_ERRNO(syscall(SYS_timer_delete, (long)(intptr_t)tid), EINVAL, "timer_delete twice");
    TEST_ERRNO(syscall(SYS_timer_create, 99, NULL, &tid), EINVAL, "timer_create on a bad clock");

    /* Default actions, as the parent sees them */
    pid_t pid = fork();
    if (pid == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    int st;
    TEST_EQ(waitpid(pid, &st, 0), pid, "wait for a child killed by SIGTERM");
    TEST_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "it died of SIGTERM");
    pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_IGN);
        raise(SIGTERM);
        raise(SIGCHLD);
        _exit(4);
    }
    TEST_EQ(waitpid(pid, &st, 0), pid, "wait for a child ignoring SIGTERM");
    TEST_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4, "ignored and default-ignored signals do nothing");
    return tst_exit();
}

/* Signal handlers, masks, frames: each line is deterministic; compared with native. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t hits, last_sig, last_code, last_value;
static sigjmp_buf jump;
static volatile long fault_rip_ok;
static char altstack[65536];
static volatile long on_alt;

static void plain(int sig) { hits++; last_sig = sig; }
static void info_handler(int sig, siginfo_t *si, void *uc) {
    hits++; last_sig = sig; last_code = si->si_code; last_value = si->si_value.sival_int;
}
static void segv(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    fault_rip_ok = uc->uc_mcontext.gregs[REG_RIP] != 0 && si->si_addr == (void *)16;
    siglongjmp(jump, 1);
}
static void alt_handler(int sig) {
    char probe;
    on_alt = (&probe >= altstack && &probe < altstack + sizeof altstack);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = {0};
    sa.sa_handler = plain;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("raise: hits=%d sig=%d\n", hits, last_sig);

    sigset_t block, old;
    sigemptyset(&block); sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    kill(getpid(), SIGUSR1);
    sigset_t pend; sigpending(&pend);
    printf("blocked: hits=%d pending=%d\n", hits, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: hits=%d\n", hits);

    sa.sa_sigaction = info_handler; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    union sigval v = {.sival_int = 42};
    sigqueue(getpid(), SIGUSR2, v);
    printf("sigqueue: sig=%d code=%d value=%d\n", last_sig, last_code, last_value);

    struct sigaction sv = {0};
    sv.sa_sigaction = segv; sv.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sv, NULL);
    if (sigsetjmp(jump, 1) == 0) {
        volatile int *p = (int *)16;
        *p = 1;
        puts("not reached");
    }
    printf("segv recovered: rip-and-addr=%ld\n", fault_rip_ok);

    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa2 = {0};
    sa2.sa_handler = alt_handler; sa2.sa_flags = SA_ONSTACK;
    sigaction(SIGWINCH, &sa2, NULL);
    raise(SIGWINCH);
    printf("altstack used: %ld\n", on_alt);

    sa.sa_handler = plain; sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    hits = 0;
    alarm(1);
    pause();
    printf("alarm+pause: hits=%d sig=%d\n", hits, last_sig);

    struct itimerval it = {{0, 20000}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    hits = 0;
    while (hits < 3) pause();
    struct itimerval off = {0};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("itimer ticks >= 3: %d\n", hits >= 3);

    sigset_t wait_set; sigemptyset(&wait_set); sigaddset(&wait_set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &wait_set, NULL);
    kill(getpid(), SIGUSR1);
    siginfo_t wi;
    int got = sigwaitinfo(&wait_set, &wi);
    printf("sigwaitinfo: %d code=%d\n", got, wi.si_code);
    struct timespec ts = {0, 10000000};
    errno = 0;
    int r = sigtimedwait(&wait_set, &wi, &ts);
    printf("sigtimedwait timeout: %d %s\n", r, strerror(errno));

    pid_t child = fork();
    if (child == 0) { pause(); _exit(0); }
    kill(child, SIGTERM);
    int st; waitpid(child, &st, 0);
    printf("child killed by %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);

    sa.sa_handler = plain; sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    sigprocmask(SIG_UNBLOCK, &wait_set, NULL);
    raise(SIGUSR1);
    struct sigaction now; sigaction(SIGUSR1, NULL, &now);
    printf("resethand -> default: %d\n", now.sa_handler == SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    int fds[2]; pipe(fds); close(fds[0]);
    errno = 0;
    ssize_t w = write(fds[1], "x", 1);
    printf("write to closed pipe: %zd %s\n", w, strerror(errno));
    signal(SIGPIPE, SIG_DFL);
    write(fds[1], "x", 1);
    puts("not reached either");
    return 0;
}

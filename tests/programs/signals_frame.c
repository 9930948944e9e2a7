/* The frame a handler gets, checked against the real kernel's: ucontext alignment,
 * siginfo-ucontext offset, uc_flags, uc_stack as stored (SS_AUTODISARM, legacy
 * SS_ONSTACK), the xstate magic in fpstate; then SA_NODEFER recursion, SA_RESETHAND,
 * real-time signals queued in order and standard ones coalesced. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <ucontext.h>
#include <unistd.h>
#include <string.h>
#include <sys/wait.h>
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
static char alt[65536];
static void h(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    stack_t q; sigaltstack(NULL, &q);
    printf("sig=%d uc%%16=%lu si-uc=%ld flags=%#lx link=%p ss_flags=%#x ss_size=%zu ss_sp_ok=%d fp%%64=%lu q.flags=%#x q.size=%zu fp-uc>0=%d\n",
        sig, (uintptr_t)uc % 16, (long)((char*)si - (char*)uc), uc->uc_flags, uc->uc_link, uc->uc_stack.ss_flags, uc->uc_stack.ss_size,
        uc->uc_stack.ss_sp == (q.ss_size ? alt : 0) || uc->uc_stack.ss_sp == alt, (uintptr_t)uc->uc_mcontext.fpregs % 64, q.ss_flags, q.ss_size,
        (char*)uc->uc_mcontext.fpregs > (char*)uc);
    uint32_t *sw = (uint32_t *)((char *)uc->uc_mcontext.fpregs + 464);
    printf("  magic1=%#x ext=%u xfeat&3=%lu\n", sw[0], sw[1] > 0, (unsigned long)(*(uint64_t*)(sw+2) & 3));
}

static volatile int depth, max_depth, calls;
static void nest(int sig) {
    calls++;
    if (++depth > max_depth) max_depth = depth;
    if (calls < 5) raise(sig);
    depth--;
}
static void count(int sig) { calls++; }
static char log_buf[256];
static void logger(int sig, siginfo_t *si, void *uc) {
    size_t n = strlen(log_buf);
    snprintf(log_buf + n, sizeof log_buf - n, " %s:%d:%d", sig == SIGUSR1 ? "USR1" : "RT1", si->si_code,
             sig == SIGUSR1 ? 0 : si->si_value.sival_int);
}
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = {0}; sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    raise(SIGUSR1);
    sa.sa_flags |= SA_ONSTACK; sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    ss.ss_flags = SS_AUTODISARM; sigaltstack(&ss, NULL);
    raise(SIGUSR1);
    stack_t q; sigaltstack(NULL, &q); printf("after: %#x %zu\n", q.ss_flags, q.ss_size);
    ss.ss_flags = SS_ONSTACK; printf("legacy SS_ONSTACK: %d\n", sigaltstack(&ss, NULL));
    raise(SIGUSR1);
    sigaltstack(NULL, &q); printf("after: %#x %zu\n", q.ss_flags, q.ss_size);

    /* SA_NODEFER: the handler interrupts itself; without it the raise waits. */
    struct sigaction nd = {0};
    nd.sa_handler = nest; nd.sa_flags = SA_NODEFER;
    sigaction(SIGUSR2, &nd, NULL);
    depth = max_depth = calls = 0;
    raise(SIGUSR2);
    printf("SA_NODEFER: calls=%d max depth=%d\n", calls, max_depth);
    nd.sa_flags = 0;
    sigaction(SIGUSR2, &nd, NULL);
    depth = max_depth = calls = 0;
    raise(SIGUSR2);
    printf("deferred: calls=%d max depth=%d\n", calls, max_depth);

    /* SA_RESETHAND: the second one kills (checked in a child). */
    pid_t child = fork();
    if (child == 0) {
        struct sigaction rh = {0};
        rh.sa_handler = count; rh.sa_flags = SA_RESETHAND;
        sigaction(SIGUSR1, &rh, NULL);
        raise(SIGUSR1);
        printf("child: first SIGUSR1 handled (%d)\n", calls);
        raise(SIGUSR1);
        _exit(0);
    }
    int st;
    waitpid(child, &st, 0);
    printf("SA_RESETHAND child: signaled=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));

    /* Queued: five SIGRTMIN+1 with values in order, three SIGUSR1 coalesced into one;
     * SIGUSR1 (lower number) is delivered first. */
    struct sigaction qa = {0};
    qa.sa_sigaction = logger; qa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN + 1, &qa, NULL);
    sigaction(SIGUSR1, &qa, NULL);
    sigset_t set, old;
    sigemptyset(&set); sigaddset(&set, SIGRTMIN + 1); sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    for (int i = 1; i <= 5; i++) sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = i * 10});
    for (int i = 0; i < 3; i++) kill(getpid(), SIGUSR1);
    sigset_t pend; sigpending(&pend);
    printf("pending: rt=%d usr1=%d\n", sigismember(&pend, SIGRTMIN + 1), sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("delivered:%s\n", log_buf);
    return 0;
}

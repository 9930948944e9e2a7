/* SIGCHLD: a handler that reaps with waitpid, SA_NOCLDWAIT and SIG_IGN (no zombies:
 * wait fails with ECHILD), si_code/si_status of CLD_EXITED and CLD_KILLED; exit
 * statuses of children killed by signals and of abort(). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int reaped, chld_code, chld_status, chld_pid_ok;
static volatile pid_t expected;
static void on_chld(int sig, siginfo_t *si, void *uc) {
    chld_code = si->si_code;
    chld_status = si->si_status;
    chld_pid_ok = si->si_pid == expected;
    int st;
    while (waitpid(-1, &st, WNOHANG) > 0) reaped++;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t chld, old;
    sigemptyset(&chld); sigaddset(&chld, SIGCHLD);

    sigprocmask(SIG_BLOCK, &chld, &old);
    expected = fork();
    if (expected == 0) _exit(7);
    sigsuspend(&old);
    printf("exited child: reaped=%d code=%d status=%d pid ok=%d\n", reaped, chld_code, chld_status, chld_pid_ok);

    expected = fork();
    if (expected == 0) { pause(); _exit(0); }
    kill(expected, SIGTERM);
    sigsuspend(&old);
    printf("killed child: reaped=%d code=%d status=%d pid ok=%d\n", reaped, chld_code, chld_status, chld_pid_ok);
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* Statuses as wait sees them. */
    int sigs[] = {SIGKILL, SIGSEGV, SIGUSR1, SIGABRT};
    sa.sa_handler = SIG_DFL; sa.sa_flags = 0;
    sigaction(SIGCHLD, &sa, NULL);
    for (int i = 0; i < 4; i++) {
        pid_t p = fork();
        if (p == 0) {
            if (sigs[i] == SIGABRT) abort();
            raise(sigs[i]);
            _exit(0);
        }
        int st;
        waitpid(p, &st, 0);
        printf("child raising %d: signaled=%d termsig=%d\n", sigs[i], WIFSIGNALED(st), WTERMSIG(st));
    }
    pid_t p = fork();
    if (p == 0) { volatile int *z = 0; *z = 1; _exit(0); }
    int st;
    waitpid(p, &st, 0);
    printf("child faulting: termsig=%d\n", WTERMSIG(st));

    /* SA_NOCLDWAIT, then SIG_IGN: children leave no zombie. */
    for (int mode = 0; mode < 2; mode++) {
        struct sigaction nw = {0};
        nw.sa_handler = mode ? SIG_IGN : SIG_DFL;
        nw.sa_flags = mode ? 0 : SA_NOCLDWAIT;
        sigaction(SIGCHLD, &nw, NULL);
        pid_t c = fork();
        if (c == 0) _exit(3);
        errno = 0;
        int r = waitpid(c, &st, 0);
        printf("%s: waitpid=%d %s\n", mode ? "SIG_IGN" : "SA_NOCLDWAIT", r, strerror(errno));
    }
    abort();
}

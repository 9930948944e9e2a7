/* Tries: a syscall under a trap rule (uname -> trap), with a SIGSYS handler.
 * Must: the call does not run; SIGSYS arrives with si_code SYS_SECCOMP (1) and
 * si_syscall 63, audited (trap, syscalls.rule[0]). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static volatile int code = -1, nr = -1;
static void on_sigsys(int sig, siginfo_t *si, void *uc) { code = si->si_code; nr = si->si_syscall; }

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSYS, &sa, NULL);
    struct utsname u;
    uname(&u);
    printf("sigsys: code=%d syscall=%d\n", code, nr);
    return 0;
}

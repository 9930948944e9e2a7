/* What execve keeps and resets of a thread's signal state: the alternate signal stack
 * is cleared (a handler with SA_ONSTACK then runs on the normal stack), handlers go
 * back to SIG_DFL, ignored signals stay ignored, the mask is kept. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int got;
static void on_usr1(int sig) { got = sig; }

static int child(void) {
    stack_t ss;
    sigaltstack(NULL, &ss);
    printf("after exec: altstack %s, size %zu\n", ss.ss_flags & SS_DISABLE ? "disabled" : "enabled",
           ss.ss_size);
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    printf("SIGUSR1 handler reset to default: %d\n", sa.sa_handler == SIG_DFL);
    sigaction(SIGUSR2, NULL, &sa);
    printf("SIGUSR2 still ignored: %d\n", sa.sa_handler == SIG_IGN);
    sigset_t mask;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    printf("SIGTERM still blocked: %d\n", sigismember(&mask, SIGTERM));
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK;            /* no altstack: runs on the normal stack */
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("SA_ONSTACK handler ran: %d\n", got == SIGUSR1);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1)
        return child();
    static char stack[65536];
    stack_t ss = {.ss_sp = stack, .ss_size = sizeof stack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    fflush(stdout);
    execl("/proc/self/exe", argv[0], "child", (char *)NULL);
    perror("execl");
    return 1;
}

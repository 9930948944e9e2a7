/* Tries: a CPU spin that ignores SIGXCPU (quota cpu_seconds = 0.5).
 * Must: SIGXCPU at the limit, SIGKILL one CPU second later: death by SIGKILL, both
 * audited (quota, quotas.cpu_seconds). */
#include <signal.h>

int main(void) {
    signal(SIGXCPU, SIG_IGN);
    for (volatile unsigned long k = 0;; k++)
        ;
}

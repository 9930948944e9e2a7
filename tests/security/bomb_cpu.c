/* Tries: a CPU spin with no syscalls (quota cpu_seconds = 0.5).
 * Must: SIGXCPU at the limit: death by SIGXCPU, audited (quota, quotas.cpu_seconds). */
int main(void) {
    for (volatile unsigned long k = 0;; k++)
        ;
}

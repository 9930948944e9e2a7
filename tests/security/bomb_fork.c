/* Tries: a fork bomb: fork children that pause, until fork fails (quota processes = 8).
 * Must: 7 children (8 processes with the parent), then EAGAIN, audited (quota,
 * quotas.processes); every child is killed and reaped. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    static pid_t kids[4096];
    int n = 0;
    pid_t pid;
    while (n < 4096 && (pid = fork()) >= 0) {
        if (pid == 0) { pause(); _exit(0); }
        kids[n++] = pid;
    }
    printf("fork: %d errno=%d\n", n, errno);
    for (int k = 0; k < n; k++) kill(kids[k], SIGKILL);
    int reaped = 0;
    while (wait(NULL) > 0) reaped++;
    printf("reaped: %d\n", reaped);
    return 0;
}

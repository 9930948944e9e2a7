/* Tries: a fork bomb where every process forks again (two children each, five
 * levels: 63 processes), bounded by quota processes = 8.
 * Must: forks fail with EAGAIN, audited (quota, quotas.processes); every process
 * reaps its children, the bomb ends and the first process reports it. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* 1 if a fork failed anywhere in this subtree. */
static int bomb(int depth) {
    pid_t kids[2];
    int failed = 0, status;
    if (depth == 0) return 0;
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        if (kids[i] == 0) _exit(bomb(depth - 1));
        if (kids[i] < 0) failed = 1;
    }
    for (int i = 0; i < 2; i++)
        if (kids[i] > 0 && waitpid(kids[i], &status, 0) > 0 && WEXITSTATUS(status)) failed = 1;
    return failed;
}

int main(void) {
    printf("bomb: %s\n", bomb(5) ? "contained" : "not contained");
    return 0;
}

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    int total = 0;
    for (int i = 0; i < 5; i++) {
        pid_t p = fork();
        if (p == 0) { _exit(i + 10); }
        int st; pid_t w = waitpid(p, &st, 0);
        total += WEXITSTATUS(st);
        printf("child %d exited %d (match %d)\n", i, WEXITSTATUS(st), w == p);
    }
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) { char *av[] = {"/bin/busybox", "echo", "from exec", NULL}; execv(av[0], av); perror("execv"); _exit(127); }
    int st; waitpid(p, &st, 0);
    printf("total=%d exec child status=%d\n", total, WEXITSTATUS(st));
    return 0;
}

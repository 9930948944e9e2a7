/* Benchmark: fork + exec of "/bin/busybox true" + wait, argv[1] times; prints the count. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100, ok = 0;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            char *args[] = {"true", NULL};
            execv("/bin/busybox", args);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0) ok++;
    }
    printf("%ld\n", ok);
    return 0;
}

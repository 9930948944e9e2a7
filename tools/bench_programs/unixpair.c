/* Benchmark: a one-byte ping-pong between two processes over an AF_UNIX stream
 * socketpair, argv[1] round trips; prints the number of round trips. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        perror("socketpair");
        return 1;
    }
    char c = 'x';
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        for (long i = 0; i < n; i++) {
            if (read(sv[1], &c, 1) != 1 || write(sv[1], &c, 1) != 1) _exit(1);
        }
        _exit(0);
    }
    close(sv[1]);
    for (long i = 0; i < n; i++) {
        if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1) {
            fprintf(stderr, "round trip %ld failed\n", i);
            return 1;
        }
    }
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
    printf("%ld\n", n);
    return 0;
}

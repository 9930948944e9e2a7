/* Pipes between processes: 4 MiB from a parent to a forked child and a checksum back,
 * end of file only once every copy of the write end is closed, and a child killed by
 * SIGPIPE (default action) when it writes to a pipe nobody reads. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOTAL (4 << 20)

static uint32_t sum(uint32_t h, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) h = h * 31 + p[i];
    return h;
}

int main(void) {
    int down[2], up[2];
    pipe(down);
    pipe(up);
    pid_t pid = fork();
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        static unsigned char buf[100000];
        uint32_t h = 0;
        long total = 0;
        ssize_t n;
        while ((n = read(down[0], buf, sizeof buf)) > 0) {
            h = sum(h, buf, n);
            total += n;
        }
        char line[64];
        int len = snprintf(line, sizeof line, "%ld %08x", total, h);
        write(up[1], line, len);
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    static unsigned char data[TOTAL];
    for (size_t i = 0; i < TOTAL; i++) data[i] = (unsigned char)(i ^ (i >> 11));
    for (size_t off = 0; off < TOTAL; off += 1 << 20)
        write(down[1], data + off, 1 << 20);
    close(down[1]);
    char line[64] = {0};
    ssize_t n = read(up[0], line, sizeof line - 1);
    char want[64];
    snprintf(want, sizeof want, "%ld %08x", (long)TOTAL, sum(0, data, TOTAL));
    printf("child read and summed: %s (%zd bytes of report)\n", strcmp(line, want) == 0 ? "match" : line, n);
    printf("then end of file: %zd\n", read(up[0], line, 1));
    int status;
    waitpid(pid, &status, 0);
    printf("child exit: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    close(up[0]);

    /* end of file waits for the child's copy of the write end */
    int p[2];
    pipe(p);
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        usleep(20000);
        write(p[1], "late", 4);
        _exit(0);
    }
    close(p[1]);
    char buf[16] = {0};
    n = read(p[0], buf, sizeof buf - 1);
    printf("read while the child holds the write end: %zd %s\n", n, buf);
    printf("after it exits: %zd\n", read(p[0], buf, sizeof buf));
    waitpid(pid, &status, 0);
    close(p[0]);

    /* SIGPIPE's default action kills the writer */
    pipe(p);
    close(p[0]);
    pid = fork();
    if (pid == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    printf("writer without readers: signaled %d by %s\n", WIFSIGNALED(status),
           WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE ? "SIGPIPE" : "something else");
    return 0;
}

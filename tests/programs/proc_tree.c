/* A fork tree of 50 processes: a binary tree (each node forks up to two children)
 * where every child reports its subtree's sum through a pipe to its parent and exits
 * with a status derived from its node number.  The root prints the totals and every
 * exit status it collected; all of it is deterministic. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NODES 50

static long read_all(int fd, void *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = read(fd, (char *)buf + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return (long)off;
        off += (size_t)n;
    }
    return (long)off;
}

/* The sum of node numbers below and including ``node`` (1-based heap numbering),
 * computed by forked children; returns it, and adds the statuses seen to *statuses. */
static long subtree(int node, long *statuses, int *processes)
{
    long sum = node;
    for (int c = 2 * node; c <= 2 * node + 1 && c <= NODES; c++) {
        int p[2];
        if (pipe(p) < 0) {
            perror("pipe");
            exit(100);
        }
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            exit(101);
        }
        if (pid == 0) {
            close(p[0]);
            long st = 0;
            int procs = 1;
            long s = subtree(c, &st, &procs);
            long msg[3] = {s, st, procs};
            if (write(p[1], msg, sizeof msg) != sizeof msg)
                _exit(102);
            _exit(c % 7);
        }
        close(p[1]);
        long msg[3];
        if (read_all(p[0], msg, sizeof msg) != sizeof msg) {
            fprintf(stderr, "short read from node %d\n", c);
            exit(103);
        }
        char extra;
        long eof = read(p[0], &extra, 1);
        close(p[0]);
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
            fprintf(stderr, "waitpid of node %d failed\n", c);
            exit(104);
        }
        if (eof != 0)
            exit(105);
        sum += msg[0];
        *statuses += msg[1] + WEXITSTATUS(status);
        *processes += (int)msg[2];
    }
    return sum;
}

int main(void)
{
    long statuses = 0;
    int processes = 1;
    long sum = subtree(1, &statuses, &processes);
    printf("tree: %d processes, sum %ld (expect %d), exit statuses sum %ld\n",
           processes, sum, NODES * (NODES + 1) / 2, statuses);

    /* A flat fan-out: 49 children at once, all writing to one pipe, then reaped in any
     * order with wait(); a few die of signals. */
    int p[2];
    pipe(p);
    pid_t pids[NODES - 1];
    for (int i = 0; i < NODES - 1; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            close(p[0]);
            int v = i * i;
            write(p[1], &v, sizeof v);
            if (i % 10 == 9)
                raise(i % 20 == 9 ? SIGTERM : SIGKILL);
            _exit(i % 3);
        }
    }
    close(p[1]);
    long total = 0;
    int v, count = 0;
    while (read_all(p[0], &v, sizeof v) == sizeof v) {
        total += v;
        count++;
    }
    close(p[0]);
    int exited = 0, killed = 0, codes = 0, sigs = 0, status;
    pid_t w;
    while ((w = wait(&status)) > 0) {
        if (WIFEXITED(status)) {
            exited++;
            codes += WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            killed++;
            sigs += WTERMSIG(status);
        }
    }
    printf("fan-out: %d values, sum %ld; %d exited (codes %d), %d killed (signals %d); wait then: %s\n",
           count, total, exited, codes, killed, sigs, errno == ECHILD ? "ECHILD" : "?");

    /* A pipeline chain of 10 processes, each adding its index to the number it reads. */
    int in = -1;
    pid_t chain[10];
    for (int i = 0; i < 10; i++) {
        int q[2];
        pipe(q);
        chain[i] = fork();
        if (chain[i] == 0) {
            close(q[0]);
            long x = 0;
            if (in >= 0) {
                read_all(in, &x, sizeof x);
                close(in);
            }
            x += i + 1;
            write(q[1], &x, sizeof x);
            _exit(0);
        }
        close(q[1]);
        if (in >= 0)
            close(in);
        in = q[0];
    }
    long result = 0;
    read_all(in, &result, sizeof result);
    close(in);
    int ok = 0;
    for (int i = 0; i < 10; i++)
        ok += waitpid(chain[i], &status, 0) == chain[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("chain: result %ld (expect 55), %d of 10 reaped cleanly\n", result, ok);
    return 0;
}

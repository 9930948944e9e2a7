/* getpriority/setpriority (nice values): per thread, inherited by fork, clamped,
 * and the errors for bad arguments. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* errno is cleared before each call: getpriority may return -1 as a value */
#define show(what, call) do { errno = 0; long r_ = (call); \
    printf("%s: %ld %s\n", what, r_, errno ? strerror(errno) : ""); } while (0)

int main(void) {
    /* the raw syscall returns 20 - nice, glibc turns it back into the nice value */
    show("raw getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
    show("getpriority self", getpriority(PRIO_PROCESS, 0));
    show("setpriority 5", setpriority(PRIO_PROCESS, 0, 5));
    show("getpriority by pid", getpriority(PRIO_PROCESS, getpid()));
    /* PRIO_PGRP and PRIO_USER see the host's other processes natively: only their errors */
    show("pgrp of no process", getpriority(PRIO_PGRP, 999999));
    show("nice(3)", nice(3));
    show("setpriority 100 (clamped)", setpriority(PRIO_PROCESS, 0, 100));
    show("after clamp", getpriority(PRIO_PROCESS, 0));
    pid_t child = fork();
    if (child == 0) {
        printf("child inherits: %d\n", getpriority(PRIO_PROCESS, 0));
        _exit(0);
    }
    waitpid(child, NULL, 0);
    show("bad which", setpriority(7, 0, 1));
    show("bad which get", getpriority(7, 0));
    show("no such pid", getpriority(PRIO_PROCESS, 999999));
    show("negative pid", setpriority(PRIO_PROCESS, -5, 1));
    show("back to -3", setpriority(PRIO_PROCESS, 0, -3));   /* root: allowed */
    show("now", getpriority(PRIO_PROCESS, 0));
    return 0;
}

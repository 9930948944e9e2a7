/* Tries: io_uring_setup, a second syscall path that seccomp-like filters miss.
 * Must: EPERM, audited (errno, syscalls.rule[0]). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    static char params[120];
    long rc = syscall(SYS_io_uring_setup, 4, params);
    printf("io_uring_setup: %ld errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

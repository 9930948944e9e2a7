/* Tries: ptrace(PTRACE_TRACEME), the first step to poking another process's code.
 * Must: EPERM, audited: by the default policy's rule (errno, syscalls.rule[0]), or,
 * under a policy without that rule, by the syscall table (deny, ptrace). */
#include <errno.h>
#include <stdio.h>
#include <sys/ptrace.h>

int main(void) {
    long rc = ptrace(PTRACE_TRACEME, 0, 0, 0);
    printf("ptrace: %ld errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

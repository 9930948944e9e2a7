/* Tries: a syscall under a trap rule (uname -> trap) with no SIGSYS handler.
 * Must: death by SIGSYS, audited (trap, syscalls.rule[0]). */
#include <stdio.h>
#include <sys/utsname.h>

int main(void) {
    struct utsname u;
    uname(&u);
    printf("uname ran\n");
    return 0;
}

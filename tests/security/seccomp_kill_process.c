/* Tries: a write to fd 2 under a kill-process rule with an argument condition
 * (write with arg0 == 2); writes to fd 1 are allowed.
 * Must: the fd 1 write lands, then the process dies of SIGSYS, audited
 * (kill-process, syscalls.rule[0]). */
#include <unistd.h>

int main(void) {
    write(1, "stdout\n", 7);
    write(2, "stderr\n", 7);
    write(1, "after\n", 6);
    return 0;
}

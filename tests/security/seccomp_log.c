/* Tries: a call under a log rule (getppid -> log).
 * Must: the call runs, and leaves an audit record (log, syscalls.rule[0]). */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    printf("getppid: %d\n", getppid() >= 0);
    return 0;
}

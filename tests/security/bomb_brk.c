/* Tries: a memory bomb through the break: sbrk 1 MiB at a time (quota memory = 32M).
 * Must: the break stops growing before 32 MiB: sbrk fails with ENOMEM, audited
 * (quota, quotas.memory). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    long n = 0;
    while (n < 65536 && sbrk(1 << 20) != (void *)-1) n++;
    printf("sbrk: %s errno=%d\n", n >= 16 && n < 32 ? "16..31 MiB" : "wrong count", errno);
    return 0;
}

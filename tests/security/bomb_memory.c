/* Tries: a memory bomb: mmap and touch 1 MiB blocks until mmap fails (quota
 * memory = 64M for the whole container, the program's own image included).
 * Must: fewer than 64 blocks, then ENOMEM, audited (quota, quotas.memory). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(void) {
    long n = 0;
    char *p;
    while (n < 65536 && (p = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) != MAP_FAILED) {
        memset(p, 1, 1 << 20);
        n++;
    }
    printf("mmap: %s errno=%d\n", n >= 32 && n < 64 ? "32..63 MiB" : "wrong count", errno);
    return 0;
}

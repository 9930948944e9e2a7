/* Tries: a memory bomb: mmap 1 MiB blocks and touch their pages until mmap fails (quota
 * memory = 32M for the whole container, the program's own image included).
 * Must: fewer than 32 blocks, then ENOMEM, audited (quota, quotas.memory). */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
    long n = 0;
    char *p;
    while (n < 65536 && (p = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) != MAP_FAILED) {
        for (int k = 0; k < 1 << 20; k += 4096) p[k] = 1;
        n++;
    }
    printf("mmap: %s errno=%d\n", n >= 16 && n < 32 ? "16..31 MiB" : "wrong count", errno);
    return 0;
}

/* Tries: MAP_FIXED a writable page over a code page, fill it with code, then
 * mprotect it back to PROT_READ|PROT_EXEC (the code lives on its own pages).
 * Must: the map works (Linux allows it), the mprotect is EACCES, audited
 * (deny, mprotect): the page was writable. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

__attribute__((aligned(4096), noinline)) int victim(void) { return 1; }
__attribute__((aligned(4096))) int spacer(void) { return 2; }

int main(void) {
    void *page = (void *)&victim;
    void *m = mmap(page, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("mmap: %s\n", m == page ? "ok" : "failed");
    memset(m, 0xc3, 4096);
    int rc = mprotect(page, 4096, PROT_READ | PROT_EXEC);
    printf("mprotect: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

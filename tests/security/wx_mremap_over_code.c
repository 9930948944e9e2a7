/* Tries: move a page of freshly written code over the program's own code with
 * mremap(MREMAP_MAYMOVE|MREMAP_FIXED), then mprotect it PROT_READ|PROT_EXEC (the
 * victim function lives on its own pages).
 * Must: the move works (Linux allows it), the mprotect is EACCES, audited (deny,
 * mprotect): the moved page was writable. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

__attribute__((aligned(4096), noinline)) int victim(void) { return 1; }
__attribute__((aligned(4096))) int spacer(void) { return 2; }

int main(void) {
    void *page = (void *)&victim;
    char *code = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(code, 0xc3, 4096);
    void *m = mremap(code, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, page);
    printf("mremap: %s\n", m == page ? "ok" : "failed");
    int rc = mprotect(page, 4096, PROT_READ | PROT_EXEC);
    printf("mprotect: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

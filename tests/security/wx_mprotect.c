/* Tries: write code into a RW page, then mprotect(PROT_READ|PROT_EXEC) it.
 * Must: EACCES, audited (deny, mprotect): a page that was ever writable never
 * becomes executable. */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
    unsigned char *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[0] = 0xc3;                                        /* ret */
    int rc = mprotect(m, 4096, PROT_READ | PROT_EXEC);
    printf("mprotect: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

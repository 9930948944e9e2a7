/* Tries: make the program's own code page writable and executable at once:
 * mprotect(page of main, PROT_READ|PROT_WRITE|PROT_EXEC).
 * Must: EACCES, audited (deny, mprotect). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
    void *page = (void *)((uintptr_t)&main & ~(uintptr_t)4095);
    int rc = mprotect(page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
    printf("mprotect: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

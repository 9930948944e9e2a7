/* Tries: writable and executable at once: mmap(PROT_READ|PROT_WRITE|PROT_EXEC).
 * Must: EACCES, audited (deny, mmap). */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
    void *m = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap: %d errno=%d\n", m == MAP_FAILED ? -1 : 0, m == MAP_FAILED ? errno : 0);
    return 0;
}

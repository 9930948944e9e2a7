/* Tries: anonymous executable memory: mmap(PROT_READ|PROT_EXEC, MAP_ANONYMOUS).
 * Must: EACCES, audited (deny, mmap): no executable memory but attested code. */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
    void *m = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap: %d errno=%d\n", m == MAP_FAILED ? -1 : 0, m == MAP_FAILED ? errno : 0);
    return 0;
}

/* Tries: run code from a data page without asking: write "ret" into a RW page
 * and call it.
 * Must: the fetch faults before anything runs: death by SIGSEGV, audited (fault). */
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
    unsigned char *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[0] = 0xc3;
    ((void (*)(void))m)();
    printf("ran\n");
    return 0;
}

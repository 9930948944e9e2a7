/* Where a PIE program, a mapping and the stack land.  Line 1 holds only what every
 * layout shares (page offsets and alignment), so it can be compared with a native run;
 * the later lines are the addresses themselves (code, a mapping, the stack), for
 * comparing layouts. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

static int data_word = 1;

int main(void) {
    void *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    uintptr_t code = (uintptr_t)&main, data = (uintptr_t)&data_word, m = (uintptr_t)map;
    printf("main%%4096=%#lx data%%4096=%#lx map%%4096=%#lx data-main=%#lx\n", (unsigned long)(code & 4095),
           (unsigned long)(data & 4095), (unsigned long)(m & 4095), (unsigned long)(data - code));
    printf("main=%#lx\n", (unsigned long)code);
    printf("map=%#lx\n", (unsigned long)m);
    printf("stack=%#lx\n", (unsigned long)(uintptr_t)&code);
    return 0;
}

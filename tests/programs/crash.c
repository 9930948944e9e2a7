/* Dies of a CPU fault: argv[1] selects which. */
#include <string.h>
int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "null") == 0) return *(volatile int *)0;
    if (argc > 1 && strcmp(argv[1], "avx") == 0) {
        __asm__ volatile("vxorps %%ymm0, %%ymm0, %%ymm0" ::: "xmm0");
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "data") == 0) {
        static unsigned char code[] = {0xc3};
        ((void (*)(void))code)();
        return 0;
    }
    return 0;
}

/* Never makes a syscall after start-up: only an emulator stop can interrupt it. */
#include <stdio.h>
int main(void) {
    puts("spinning");
    fflush(stdout);
    volatile unsigned long x = 0;
    for (;;) x++;
}

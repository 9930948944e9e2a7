/* Tries: sysenter from 64-bit code, another gate to the 32-bit syscall table.
 * Must: an invalid opcode in 64-bit mode (as on AMD CPUs, and a CPU without a
 * 32-bit gate): death by SIGILL, audited (fault). */
#include <stdio.h>

int main(void) {
    long r = 20;
    __asm__ volatile("sysenter" : "+a"(r) : : "rcx", "r11", "memory");
    printf("sysenter: returned %ld\n", r);
    return 0;
}

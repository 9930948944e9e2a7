/* Tries: switching a 64-bit process to 32-bit compatibility mode (far return to
 * __USER32_CS, 0x23), from where the i386 syscall table would be one int $0x80 away.
 * Must: vkernel has no 32-bit code segment (as Linux booted with ia32_emulation=0):
 * the far return is a #GP, death by SIGSEGV, audited (fault). */
#include <stdio.h>

int main(void) {
    __asm__ volatile(
        "lea 1f(%%rip), %%rax\n"
        "pushq $0x23\n"
        "pushq %%rax\n"
        "lretq\n"
        "1: nop\n"                 /* 32-bit code from here on: never reached */
        : : : "rax", "memory");
    printf("compat: reached\n");
    return 0;
}

/* Tries: the 32-bit syscall gate from 64-bit code: int $0x80 with eax = 20
 * (getpid in the i386 table), which a seccomp filter for x86-64 numbers never sees.
 * Must: vkernel offers no 32-bit gate (as Linux booted with ia32_emulation=0):
 * #GP, death by SIGSEGV, audited (fault). */
#include <stdio.h>

int main(void) {
    long r = 20;
    __asm__ volatile("int $0x80" : "+a"(r) : : "rcx", "r11", "memory");
    printf("int80: returned %ld\n", r);
    return 0;
}

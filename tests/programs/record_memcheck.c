/* State that only memory holds: a table computed from a seed in .data, then many
   syscalls whose arguments and results do not depend on it, and an output that does
   not either.  tests/test_record.py patches the seed in a copy of the binary: the
   replay makes the same syscalls and only the recording's memory checksums differ. */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile unsigned long seed = 0x12345EEDCAFEF00DUL;
static volatile unsigned long table[4096];

__attribute__((noinline)) static void fill(void) {
    for (int i = 0; i < 4096; i++)
        table[i] = seed * (unsigned long)(i + 1);
}

int main(void) {
    fill();
    /* Leave nothing of the seed in a register the syscalls below carry along. */
    asm volatile("xor %%eax, %%eax; xor %%ecx, %%ecx; xor %%edx, %%edx; xor %%esi, %%esi; xor %%edi, %%edi;"
                 "xor %%r8d, %%r8d; xor %%r9d, %%r9d; xor %%r10d, %%r10d; xor %%r11d, %%r11d"
                 ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
    for (int i = 0; i < 3000; i++)
        syscall(SYS_getppid);
    puts("done");
    return 0;
}

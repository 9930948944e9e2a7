/* Tries: a privileged instruction from user mode (argv[1]: "hlt", "cr0" to write
 * CR0, "wrmsr" to clear EFER, "out" to port 0x80).
 * Must: #GP, death by SIGSEGV, as on Linux (user code runs at CPL 3). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *op = argv[1];
    if (!strcmp(op, "hlt")) __asm__ volatile("hlt");
    if (!strcmp(op, "cr0")) __asm__ volatile("mov %0, %%cr0" : : "r"(0UL));
    if (!strcmp(op, "wrmsr")) __asm__ volatile("wrmsr" : : "c"(0xC0000080), "a"(0), "d"(0));
    if (!strcmp(op, "out")) __asm__ volatile("outb %%al, %%dx" : : "a"(0), "d"(0x80));
    printf("%s: ran\n", op);
    return 0;
}

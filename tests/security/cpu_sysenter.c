/* Tries: sysenter from 64-bit code, another gate to the 32-bit syscall table.
 * Must: an invalid opcode in 64-bit mode (as on AMD CPUs, and on any CPU without a
 * 32-bit gate): death by SIGILL, audited (fault); with "handler" (argv[1]) a SIGILL
 * handler sees ILL_ILLOPN at the sysenter instruction and skips it. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

extern char gate[];

static void on_sigill(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    int at_gate = (char *)uc->uc_mcontext.gregs[REG_RIP] == gate && (char *)si->si_addr == gate;
    printf("SIGILL: code=%d at %s\n", si->si_code, at_gate ? "sysenter" : "another address");
    uc->uc_mcontext.gregs[REG_RIP] += 2;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "handler")) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigill;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGILL, &sa, NULL);
    }
    long r = 20;
    __asm__ volatile(".globl gate\ngate: sysenter" : "+a"(r) : : "rcx", "r11", "memory");
    printf("sysenter: returned %ld\n", r);
    return 0;
}

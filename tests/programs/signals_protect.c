/* Page rights take effect at once for memory the program already used at full speed:
 * a store after mprotect(PROT_READ), a load after PROT_NONE or munmap, an instruction
 * fetch from a written page, each fault reported with its si_addr and si_code; the
 * bytes survive the round trips.  Prints one line per check. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES 64
static sigjmp_buf back;
static volatile void *fault_addr;
static volatile int fault_code, fault_signo;

static void on_fault(int sig, siginfo_t *si, void *ctx) {
    fault_signo = sig;
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    siglongjmp(back, 1);
}

static const char *code_name(int code) {
    return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}

/* Store (or load) one byte at p; report whether and how it faulted. */
static void probe(const char *what, volatile char *p, int store, long base_offset) {
    fault_signo = 0;
    if (sigsetjmp(back, 1) == 0) {
        if (store)
            *p = 7;
        else
            (void)*p;
        printf("%-44s ok\n", what);
    } else {
        printf("%-44s signal %d %s at page+%ld (expected page+%ld)\n", what, fault_signo, code_name(fault_code),
               (long)((char *)fault_addr - (char *)p) + base_offset, base_offset);
    }
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, PAGES * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 1;
    /* Warm every page with stores and loads, many times. */
    unsigned long sum = 0;
    for (int round = 0; round < 50; round++)
        for (long i = 0; i < PAGES * pg; i += 64) {
            m[i] = (char)(i + round);
            sum += (unsigned char)m[i];
        }
    printf("warmed, sum %lu\n", sum);

    char *mid = m + 20 * pg;
    mprotect(mid, pg, PROT_READ);
    probe("store to a page made read-only", mid + 100, 1, 100);
    probe("load from it", mid + 100, 0, 0);
    probe("store to the page before it", mid - 1, 1, 0);
    mprotect(mid, pg, PROT_NONE);
    probe("load from a page made PROT_NONE", mid + 5, 0, 5);
    mprotect(mid, pg, PROT_READ | PROT_WRITE);
    printf("bytes kept through the changes: %d\n", mid[100] == (char)(20 * pg + 100 + 49));
    probe("store after rights come back", mid + 100, 1, 0);

    munmap(m + 40 * pg, pg);
    probe("load from an unmapped page", m + 40 * pg + 8, 0, 8);
    probe("store to an unmapped page", m + 40 * pg + 9, 1, 9);
    probe("store to the page after it", m + 41 * pg, 1, 0);

    /* A stack of stores through a loop, then a read-only page in its way. */
    mprotect(m + 50 * pg, pg, PROT_READ);
    fault_signo = 0;
    long reached = -1;
    if (sigsetjmp(back, 1) == 0) {
        for (long i = 45 * pg; i < 55 * pg; i += 8) {
            reached = i;
            *(volatile long *)(m + i) = i;
        }
    }
    printf("store loop stopped at page %ld offset %ld, signal %d %s\n", reached / pg, reached % pg, fault_signo,
           code_name(fault_code));

    /* Executing a page the program wrote: W^X in vkemu, and NX natively. */
    char *code = m + 60 * pg;
    code[0] = (char)0xc3;      /* ret */
    fault_signo = 0;
    if (sigsetjmp(back, 1) == 0) {
        ((void (*)(void))code)();
        printf("ran a written page\n");
    } else {
        printf("fetch from a written page: signal %d %s at page+%ld\n", fault_signo, code_name(fault_code),
               (long)((char *)fault_addr - code));
    }
    return 0;
}

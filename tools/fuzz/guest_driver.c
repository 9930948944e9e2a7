/* The through-guest fuzz driver (tools/fuzz/guest.py): reads a plan from stdin and
   executes its syscalls with the syscall instruction itself, reporting each result on
   fd 1000 (stdout moved there).

   Plan (little-endian): "VKFZPLN1", u32 number of calls; then per call u64 nr,
   u64 args[6], u32 number of pokes, and per poke u64 address, u32 length and the bytes
   (written into guest memory just before the call).  Report: per call executed,
   u64 index and i64 result.

   After setup the driver keeps all its state in the private region at PRIV (its stack
   too) and calls no libc: the fuzzed calls may clobber TLS (arch_prctl), the data
   segment, signal masks and any fd but 1000, and the planner only emits calls that
   leave the text, the private region and fd 1000 as they were. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PRIV ((uintptr_t)0x2f000000)
#define PRIV_SIZE (16u << 20)
#define STACK_SIZE (1u << 20)
#define REPORT_FD 1000

static inline long raw_syscall(long nr, long a, long b, long c, long d, long e, long f) {
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static uint64_t get(const unsigned char **p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)(*p)[i] << (8 * i);
    *p += n;
    return v;
}

/* Runs on the private stack; never returns. */
void __attribute__((noinline, noreturn, used)) run(const unsigned char *p) {
    uint64_t calls = get(&p, 4);
    for (uint64_t i = 0; i < calls; i++) {
        long nr = (long)get(&p, 8), a[6];
        for (int k = 0; k < 6; k++)
            a[k] = (long)get(&p, 8);
        uint64_t pokes = get(&p, 4);
        for (uint64_t j = 0; j < pokes; j++) {
            volatile unsigned char *dst = (volatile unsigned char *)(uintptr_t)get(&p, 8);
            uint64_t len = get(&p, 4);
            for (uint64_t b = 0; b < len; b++)
                dst[b] = p[b];
            p += len;
        }
        long rec[2];
        rec[1] = raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        rec[0] = (long)i;
        if (raw_syscall(1, REPORT_FD, (long)rec, sizeof rec, 0, 0, 0) != sizeof rec)
            break;
    }
    for (;;)
        raw_syscall(231, 0, 0, 0, 0, 0, 0);
}

int main(int argc, char **argv) {
    unsigned char *priv = mmap((void *)PRIV, PRIV_SIZE, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (priv == MAP_FAILED)
        return 3;
    unsigned char *plan = priv + STACK_SIZE;
    size_t room = PRIV_SIZE - STACK_SIZE, have = 0;
    for (;;) {
        ssize_t n = read(0, plan + have, room - have);
        if (n < 0)
            return 3;
        if (n == 0)
            break;
        have += (size_t)n;
    }
    static const char magic[8] = "VKFZPLN1";
    for (int i = 0; i < 8; i++)
        if (have < 12 || plan[i] != (unsigned char)magic[i])
            return 4;
    if (chdir(argc > 1 ? argv[1] : "/tmp") != 0)
        return 5;
    umask(022);
    if (dup2(1, REPORT_FD) != REPORT_FD)
        return 6;
    close(0);
    close(1);
    close(2);
    /* Switch to the private stack (16-byte aligned) and run. */
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "mov %1, %%rdi\n\t"
                     "call run"
                     :
                     : "r"((uintptr_t)priv + STACK_SIZE - 64), "r"(plan + 8)
                     : "memory");
    __builtin_unreachable();
}

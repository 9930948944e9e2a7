/* Bad futex and clone arguments through raw syscall(2): every call fails before it
 * could do anything, so running it natively is safe.  Prints errno names. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif
/* <linux/futex.h> is not in musl's include path. */
enum { FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
       FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9,
       FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256 };
#define P(op) ((op) | FUTEX_PRIVATE_FLAG)
#define FUTEX_OP(op, oparg, cmp, cmparg) \
    ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static const char *en(int e) {
    switch (e) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case ENOSYS: return "ENOSYS";
    case EAGAIN: return "EAGAIN";
    case EPERM: return "EPERM";
    case ETIMEDOUT: return "ETIMEDOUT";
    case E2BIG: return "E2BIG";
    case EDEADLK: return "EDEADLK";
    }
    static char buf[32];
    snprintf(buf, sizeof buf, "errno%d", e);
    return buf;
}

#define SHOW(desc, expr) do { errno = 0; long r_ = (long)(expr); \
    printf("%-52s %ld %s\n", desc, r_, r_ == -1 ? en(errno) : "-"); } while (0)

static long futex(void *uaddr, int op, int val, const void *timeout, void *uaddr2, int val3) {
    return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

struct clone_args_v0 { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; };

int main(void) {
    static uint32_t words[4] __attribute__((aligned(16)));
    char *unaligned = (char *)words + 1;
    /* A page that is surely unmapped: map one, then unmap it. */
    void *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);
    void *noread = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct timespec zero = {0, 0}, bad_ns = {0, 1000000000L}, neg = {-1, 0};

    SHOW("futex WAIT unaligned", futex(unaligned, FUTEX_WAIT, 0, &zero, NULL, 0));
    SHOW("futex WAKE unaligned", futex(unaligned, FUTEX_WAKE, 1, NULL, NULL, 0));
    SHOW("futex WAIT unmapped", futex(gone, FUTEX_WAIT, 0, &zero, NULL, 0));
    SHOW("futex WAIT_PRIVATE unmapped", futex(gone, P(FUTEX_WAIT), 0, &zero, NULL, 0));
    SHOW("futex WAIT PROT_NONE", futex(noread, P(FUTEX_WAIT), 0, &zero, NULL, 0));
    SHOW("futex WAKE (shared) unmapped", futex(gone, FUTEX_WAKE, 1, NULL, NULL, 0));
    SHOW("futex WAKE_PRIVATE unmapped", futex(gone, P(FUTEX_WAKE), 1, NULL, NULL, 0));
    SHOW("futex WAIT unmapped, bad timeout", futex(gone, P(FUTEX_WAIT), 0, &bad_ns, NULL, 0));
    SHOW("futex WAIT timeout pointer unmapped", futex(&words[0], P(FUTEX_WAIT), 0, gone, NULL, 0));
    SHOW("futex WAIT tv_nsec 1e9", futex(&words[0], P(FUTEX_WAIT), 0, &bad_ns, NULL, 0));
    SHOW("futex WAIT negative timeout", futex(&words[0], P(FUTEX_WAIT), 0, &neg, NULL, 0));
    SHOW("futex WAIT value mismatch", futex(&words[0], P(FUTEX_WAIT), 1, NULL, NULL, 0));
    SHOW("futex WAIT zero timeout", futex(&words[0], P(FUTEX_WAIT), 0, &zero, NULL, 0));
    SHOW("futex WAIT_BITSET bitset 0", futex(&words[0], P(FUTEX_WAIT_BITSET), 0, NULL, NULL, 0));
    SHOW("futex WAKE_BITSET bitset 0", futex(&words[0], P(FUTEX_WAKE_BITSET), 1, NULL, NULL, 0));
    SHOW("futex unknown op 99", futex(&words[0], 99, 0, NULL, NULL, 0));
    SHOW("futex FUTEX_FD", futex(&words[0], 2, 0, NULL, NULL, 0));
    SHOW("futex WAKE | CLOCK_REALTIME", futex(&words[0], FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
    SHOW("futex WAIT | CLOCK_REALTIME, zero timeout",
         futex(&words[0], FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, &zero, NULL, 0));
    SHOW("futex CMP_REQUEUE value mismatch", futex(&words[0], P(FUTEX_CMP_REQUEUE), 1, (void *)1, &words[1], 5));
    SHOW("futex CMP_REQUEUE negative count", futex(&words[0], P(FUTEX_CMP_REQUEUE), -1, (void *)1, &words[1], 0));
    SHOW("futex REQUEUE onto an unmapped word", futex(&words[0], P(FUTEX_REQUEUE), 1, (void *)1, gone, 0));
    SHOW("futex WAKE_OP unknown op", futex(&words[0], P(FUTEX_WAKE_OP), 1, (void *)1, &words[1], 0x70000000));
    SHOW("futex WAKE_OP unknown cmp", futex(&words[0], P(FUTEX_WAKE_OP), 1, (void *)1, &words[1], 0x0f000000));
    SHOW("futex WAKE_OP shift 40", futex(&words[0], P(FUTEX_WAKE_OP), 1, (void *)1, &words[1], FUTEX_OP(0 | 8, 40, 0, 0)));
    SHOW("futex WAKE_OP on an unmapped word", futex(&words[0], P(FUTEX_WAKE_OP), 1, (void *)1, gone, 0));
    SHOW("futex UNLOCK_PI not owner", futex(&words[0], P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0));
    SHOW("futex LOCK_PI unmapped", futex(gone, P(FUTEX_LOCK_PI), 0, NULL, NULL, 0));
    words[0] = syscall(SYS_gettid);
    SHOW("futex LOCK_PI held by the caller", futex(&words[0], P(FUTEX_LOCK_PI), 0, NULL, NULL, 0));
    SHOW("futex TRYLOCK_PI held by the caller", futex(&words[0], P(FUTEX_TRYLOCK_PI), 0, NULL, NULL, 0));
    SHOW("futex UNLOCK_PI by the owner", futex(&words[0], P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0));
    printf("word after UNLOCK_PI: %u\n", words[0]);

    char stack[256];
    SHOW("clone THREAD without SIGHAND", syscall(SYS_clone, CLONE_VM | CLONE_THREAD, stack + 256, 0, 0, 0));
    SHOW("clone SIGHAND without VM", syscall(SYS_clone, CLONE_SIGHAND, stack + 256, 0, 0, 0));
    SHOW("clone THREAD|SIGHAND without VM", syscall(SYS_clone, CLONE_SIGHAND | CLONE_THREAD, stack + 256, 0, 0, 0));
    SHOW("clone NEWNS|FS", syscall(SYS_clone, CLONE_NEWNS | CLONE_FS, stack + 256, 0, 0, 0));
    SHOW("clone NEWUSER|FS", syscall(SYS_clone, CLONE_NEWUSER | CLONE_FS, stack + 256, 0, 0, 0));
    int pidfd = -1;
    SHOW("clone PIDFD|PARENT_SETTID", syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID, stack + 256, &pidfd, 0, 0));

    struct clone_args_v0 ca;
    char big[4096 + 64];
    memset(&ca, 0, sizeof ca);
    SHOW("clone3 size 32", syscall(SYS_clone3, &ca, 32));
    memset(big, 0, sizeof big);
    SHOW("clone3 size 4096+64", syscall(SYS_clone3, big, sizeof big));
    memset(big, 0, sizeof big);
    big[100] = 1;
    ((struct clone_args_v0 *)big)->flags = CLONE_THREAD;
    SHOW("clone3 nonzero bytes past the struct", syscall(SYS_clone3, big, 128));
    ca.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
    ca.exit_signal = 17;
    SHOW("clone3 thread with an exit signal", syscall(SYS_clone3, &ca, sizeof ca));
    ca.flags = CLONE_THREAD;
    ca.exit_signal = 0;
    SHOW("clone3 THREAD without SIGHAND", syscall(SYS_clone3, &ca, sizeof ca));
    ca.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | 17;
    SHOW("clone3 signal in flags", syscall(SYS_clone3, &ca, sizeof ca));
    ca.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
    ca.stack_size = 4096;
    SHOW("clone3 stack_size without stack", syscall(SYS_clone3, &ca, sizeof ca));
    ca.stack_size = 0;
    ca.stack = (uintptr_t)stack;
    SHOW("clone3 stack without stack_size", syscall(SYS_clone3, &ca, sizeof ca));
    ca.stack = 0;
    ca.exit_signal = 65;
    ca.flags = CLONE_VM;
    SHOW("clone3 exit_signal 65", syscall(SYS_clone3, &ca, sizeof ca));
    SHOW("clone3 unmapped args", syscall(SYS_clone3, gone, sizeof ca));
    return 0;
}

/* clone(2) of a thread through libc's clone(3): CLONE_SETTLS, CLONE_PARENT_SETTID,
 * CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID (with its futex wake), and argument errors.
 * The child only makes raw syscalls, which touch no TLS on success. */
#define TCID "clone"
#include "tst.h"
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif
#define ARCH_GET_FS 0x1003

static struct { void *self; char pad[248]; } fake_tcb;   /* a TCB whose first word points to itself */
static atomic_int child_tid_word = 1, parent_tid_word, settid_word;
static long child_pid, child_tid, child_fs = -1;
static atomic_int child_done;

static int child_fn(void *arg)
{
    unsigned long fs = 0;
    child_pid = syscall(SYS_getpid);
    child_tid = syscall(SYS_gettid);
    if (syscall(SYS_arch_prctl, ARCH_GET_FS, &fs) == 0)
        child_fs = (long)fs;
    atomic_store(&child_done, (int)(long)arg);
    return 0;   /* clone(3)'s trampoline calls exit(2): only this thread ends */
}

int main(void)
{
    const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    size_t stack_size = 256 * 1024;
    char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        TFAIL("setup: mmap a stack: %s", tst_errname(errno));
        return tst_exit();
    }
    fake_tcb.self = &fake_tcb;

    /* CHILD_SETTID and CHILD_CLEARTID share one word: set at start, cleared at exit. */
    long ret = clone(child_fn, stack + stack_size, flags, (void *)7L, &parent_tid_word, &fake_tcb,
                     &child_tid_word);
    if (TEST_CHECK(ret > 0, "clone a thread")) {
        int v;
        /* CLONE_CHILD_CLEARTID: the kernel zeroes the word and wakes its futex. */
        while ((v = atomic_load(&child_tid_word)) != 0)
            syscall(SYS_futex, &child_tid_word, 0 /* FUTEX_WAIT, shared */, v, NULL, NULL, 0);
        TPASS("CLONE_CHILD_CLEARTID: the word is cleared at the child's exit");
        TEST_EQ(parent_tid_word, ret, "CLONE_PARENT_SETTID stores the child's tid");
        TEST_EQ(child_tid, ret, "the child's gettid is clone's result");
        TEST_EQ(child_pid, getpid(), "CLONE_THREAD: the child shares the pid");
        TEST_CHECK(child_tid != getpid(), "the child's tid differs from the pid");
        TEST_EQ(child_fs, (long)&fake_tcb, "CLONE_SETTLS sets the child's FS base");
        TEST_EQ(child_done, 7, "the child ran its function with its argument");
        unsigned long fs = 0;
        syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
        TEST_CHECK(fs != (unsigned long)&fake_tcb, "the parent's FS base is unchanged");
    }

    /* A second thread without SETTLS or the tid words: it inherits the parent's FS base. */
    atomic_store(&child_done, 0);
    atomic_store(&child_tid_word, 1);
    child_fs = -1;
    ret = clone(child_fn, stack + stack_size, flags & ~(CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID),
                (void *)9L, NULL, NULL, &child_tid_word);
    if (TEST_CHECK(ret > 0, "clone a thread without CLONE_SETTLS")) {
        while (!atomic_load(&child_done) || atomic_load(&child_tid_word) != 0) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
        unsigned long fs = 0;
        syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
        TEST_EQ(child_fs, (long)fs, "without CLONE_SETTLS the child keeps the parent's FS base");
    }

    /* Flag combinations copy_process refuses before creating anything. */
    TEST_ERRNO(syscall(SYS_clone, CLONE_VM | CLONE_THREAD, stack + stack_size, 0, 0, 0), EINVAL,
               "CLONE_THREAD without CLONE_SIGHAND");
    TEST_ERRNO(syscall(SYS_clone, CLONE_SIGHAND, stack + stack_size, 0, 0, 0), EINVAL,
               "CLONE_SIGHAND without CLONE_VM");
    TEST_ERRNO(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS, stack + stack_size, 0, 0, 0), EINVAL,
               "CLONE_NEWNS with CLONE_FS");
    TEST_ERRNO(syscall(SYS_clone, CLONE_NEWUSER | CLONE_FS, stack + stack_size, 0, 0, 0), EINVAL,
               "CLONE_NEWUSER with CLONE_FS");
    munmap(stack, stack_size);
    return tst_exit();
}

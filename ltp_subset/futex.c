/* futex(2) by raw syscall: WAIT/WAKE, bitsets, REQUEUE/CMP_REQUEUE, WAKE_OP, the PI
 * ops, EAGAIN on a value mismatch, ETIMEDOUT with relative and absolute timeouts. */
#define TCID "futex"
#include "tst.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

/* <linux/futex.h> is not in musl's include path. */
enum { FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
       FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9,
       FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256 };
#define FUTEX_TID_MASK 0x3fffffffu
#define FUTEX_OP(op, oparg, cmp, cmparg) \
    ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static long futex(atomic_uint *uaddr, int op, unsigned val, const struct timespec *timeout,
                  atomic_uint *uaddr2, unsigned val3)
{
    return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

static long futex_n(atomic_uint *uaddr, int op, unsigned val, long val2, atomic_uint *uaddr2, unsigned val3)
{
    return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static void pause_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static struct timespec in_ms(clockid_t clock, long ms)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    ts.tv_nsec += ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    return ts;
}

static atomic_uint word_a, word_b, pi_word;
static atomic_int gate;

struct waiter { atomic_uint *word; int op; unsigned bitset; long result; int err; };

static void *wait_thread(void *arg)
{
    struct waiter *w = arg;
    errno = 0;
    w->result = futex(w->word, w->op, 0, NULL, NULL, w->bitset);
    w->err = errno;
    return NULL;
}

/* Wake with op until `want` waiters have been woken in total (they may not all be
 * asleep yet); returns the total. */
static long wake_until(atomic_uint *word, int op, int count, unsigned bitset, long want)
{
    long total = 0;
    for (int i = 0; i < 10000 && total < want; i++) {
        long r = futex(word, op, count, NULL, NULL, bitset);
        if (r < 0)
            return r;
        total += r;
        if (total < want)
            pause_ms(1);
    }
    return total;
}

static void *pi_thread(void *arg)
{
    long tid = syscall(SYS_gettid);
    long r = futex(&pi_word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    TEST_EQ(r, 0, "LOCK_PI blocks until the owner unlocks");
    TEST_EQ(pi_word & FUTEX_TID_MASK, tid, "LOCK_PI: the word holds the new owner's tid");
    TEST_EQ(futex(&pi_word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0), 0, "UNLOCK_PI by the new owner");
    return NULL;
}

static void *pi_holder(void *arg)
{
    futex(&pi_word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    atomic_store(&gate, 1);
    while (atomic_load(&gate) != 2)
        pause_ms(1);
    futex(&pi_word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    return NULL;
}

int main(void)
{
    const int P = FUTEX_PRIVATE_FLAG;
    pthread_t t1, t2;

    /* Value mismatch and timeouts. */
    atomic_store(&word_a, 1);
    TEST_ERRNO(futex(&word_a, FUTEX_WAIT | P, 0, NULL, NULL, 0), EAGAIN, "WAIT with a stale value");
    TEST_ERRNO(futex(&word_a, FUTEX_WAIT_BITSET | P, 0, NULL, NULL, ~0u), EAGAIN, "WAIT_BITSET with a stale value");
    struct timespec rel = {0, 10000000L};
    TEST_ERRNO(futex(&word_a, FUTEX_WAIT | P, 1, &rel, NULL, 0), ETIMEDOUT, "WAIT, 10 ms relative timeout");
    TEST_ERRNO(futex(&word_a, FUTEX_WAIT, 1, &rel, NULL, 0), ETIMEDOUT, "shared WAIT, 10 ms relative timeout");
    struct timespec abs_mono = in_ms(CLOCK_MONOTONIC, 10);
    TEST_ERRNO(futex(&word_a, FUTEX_WAIT_BITSET | P, 1, &abs_mono, NULL, ~0u), ETIMEDOUT,
               "WAIT_BITSET, absolute CLOCK_MONOTONIC timeout");
    struct timespec abs_real = in_ms(CLOCK_REALTIME, 10);
    TEST_ERRNO(futex(&word_a, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME | P, 1, &abs_real, NULL, ~0u), ETIMEDOUT,
               "WAIT_BITSET, absolute CLOCK_REALTIME timeout");
    struct timespec past = {1, 0};
    TEST_ERRNO(futex(&word_a, FUTEX_WAIT_BITSET | P, 1, &past, NULL, ~0u), ETIMEDOUT,
               "WAIT_BITSET, absolute timeout in the past");
    TEST_EQ(futex(&word_a, FUTEX_WAKE | P, 1, NULL, NULL, 0), 0, "WAKE with nobody waiting");

    /* WAIT and WAKE. */
    atomic_store(&word_a, 0);
    struct waiter w1 = {&word_a, FUTEX_WAIT | P, 0, -2, 0};
    pthread_create(&t1, NULL, wait_thread, &w1);
    TEST_EQ(wake_until(&word_a, FUTEX_WAKE | P, 1, 0, 1), 1, "WAKE wakes the waiter");
    pthread_join(t1, NULL);
    TEST_EQ(w1.result, 0, "WAIT returns 0 when woken");

    /* Bitsets. */
    struct waiter w2 = {&word_a, FUTEX_WAIT_BITSET | P, 0x2, -2, 0};
    pthread_create(&t1, NULL, wait_thread, &w2);
    pause_ms(20);
    TEST_EQ(futex(&word_a, FUTEX_WAKE_BITSET | P, 1, NULL, NULL, 0x1), 0, "WAKE_BITSET with a disjoint bitset");
    TEST_EQ(wake_until(&word_a, FUTEX_WAKE_BITSET | P, 1, 0x6, 1), 1, "WAKE_BITSET with an overlapping bitset");
    pthread_join(t1, NULL);
    TEST_EQ(w2.result, 0, "WAIT_BITSET returns 0 when woken");

    /* REQUEUE and CMP_REQUEUE: two waiters on a, moved to b, woken there. */
    struct waiter r1 = {&word_a, FUTEX_WAIT | P, 0, -2, 0}, r2 = {&word_a, FUTEX_WAIT | P, 0, -2, 0};
    pthread_create(&t1, NULL, wait_thread, &r1);
    pthread_create(&t2, NULL, wait_thread, &r2);
    TEST_ERRNO(futex_n(&word_a, FUTEX_CMP_REQUEUE | P, 0, 2, &word_b, 1), EAGAIN, "CMP_REQUEUE with a stale value");
    long moved = 0;
    for (int i = 0; i < 10000 && moved < 1; i++) {
        moved += futex_n(&word_a, FUTEX_CMP_REQUEUE | P, 0, 1, &word_b, 0);
        if (moved < 1)
            pause_ms(1);
    }
    TEST_EQ(moved, 1, "CMP_REQUEUE moves one waiter");
    for (int i = 0; i < 10000 && moved < 2; i++) {
        moved += futex_n(&word_a, FUTEX_REQUEUE | P, 0, 1, &word_b, 0);
        if (moved < 2)
            pause_ms(1);
    }
    TEST_EQ(moved, 2, "REQUEUE moves the other");
    TEST_EQ(futex(&word_a, FUTEX_WAKE | P, 2, NULL, NULL, 0), 0, "nobody is left on the first word");
    TEST_EQ(wake_until(&word_b, FUTEX_WAKE | P, 2, 0, 2), 2, "both are woken on the second word");
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    TEST_CHECK(r1.result == 0 && r2.result == 0, "requeued waiters return 0");

    /* WAKE_OP: *b = op(*b), wake on a, and on b if the old value compares. */
    atomic_store(&word_b, 5);
    TEST_EQ(futex_n(&word_a, FUTEX_WAKE_OP | P, 1, 1, &word_b, FUTEX_OP(1, 3, 0, 5)), 0,
            "WAKE_OP add with nobody waiting");
    TEST_EQ(word_b, 8, "WAKE_OP: 5 + 3");
    TEST_EQ(futex_n(&word_a, FUTEX_WAKE_OP | P, 1, 1, &word_b, FUTEX_OP(8 | 0, 4, 4, 100)), 0,
            "WAKE_OP set 1<<4");
    TEST_EQ(word_b, 16, "WAKE_OP: 1 << 4");
    TEST_EQ(futex_n(&word_a, FUTEX_WAKE_OP | P, 1, 1, &word_b, FUTEX_OP(3, 16, 1, 16)), 0, "WAKE_OP andn");
    TEST_EQ(word_b, 0, "WAKE_OP: 16 & ~16");
    atomic_store(&word_b, 0);
    struct waiter o1 = {&word_b, FUTEX_WAIT | P, 0, -2, 0};
    pthread_create(&t1, NULL, wait_thread, &o1);
    long woken = 0;
    for (int i = 0; i < 10000 && woken < 1; i++) {
        /* set b to 0 again, old value 0 == 0: wake one on b */
        woken += futex_n(&word_a, FUTEX_WAKE_OP | P, 1, 1, &word_b, FUTEX_OP(0, 0, 0, 0));
        if (woken < 1)
            pause_ms(1);
    }
    TEST_EQ(woken, 1, "WAKE_OP wakes the waiter on the second word when the comparison holds");
    pthread_join(t1, NULL);

    /* PI futexes. */
    long tid = syscall(SYS_gettid);
    atomic_store(&pi_word, 0);
    TEST_EQ(futex(&pi_word, FUTEX_LOCK_PI | P, 0, NULL, NULL, 0), 0, "LOCK_PI on a free word");
    TEST_EQ(pi_word, tid, "LOCK_PI stores the caller's tid");
    TEST_ERRNO(futex(&pi_word, FUTEX_LOCK_PI | P, 0, NULL, NULL, 0), EDEADLK, "LOCK_PI by the owner");
    TEST_ERRNO(futex(&pi_word, FUTEX_TRYLOCK_PI | P, 0, NULL, NULL, 0), EDEADLK, "TRYLOCK_PI by the owner");
    pthread_create(&t1, NULL, pi_thread, NULL);
    pause_ms(20);
    TEST_EQ(futex(&pi_word, FUTEX_UNLOCK_PI | P, 0, NULL, NULL, 0), 0, "UNLOCK_PI with a waiter");
    pthread_join(t1, NULL);
    TEST_EQ(pi_word, 0, "the word is 0 after the last unlock");
    TEST_ERRNO(futex(&pi_word, FUTEX_UNLOCK_PI | P, 0, NULL, NULL, 0), EPERM, "UNLOCK_PI of a free word");
    TEST_EQ(futex(&pi_word, FUTEX_TRYLOCK_PI | P, 0, NULL, NULL, 0), 0, "TRYLOCK_PI on a free word");
    TEST_EQ(pi_word, tid, "TRYLOCK_PI stores the caller's tid");
    TEST_EQ(futex(&pi_word, FUTEX_UNLOCK_PI | P, 0, NULL, NULL, 0), 0, "UNLOCK_PI without waiters");

    atomic_store(&gate, 0);
    pthread_create(&t1, NULL, pi_holder, NULL);
    while (atomic_load(&gate) != 1)
        pause_ms(1);
    TEST_ERRNO(futex(&pi_word, FUTEX_TRYLOCK_PI | P, 0, NULL, NULL, 0), EAGAIN, "TRYLOCK_PI held by another thread");
    TEST_ERRNO(futex(&pi_word, FUTEX_UNLOCK_PI | P, 0, NULL, NULL, 0), EPERM, "UNLOCK_PI by a non-owner");
    struct timespec pi_deadline = in_ms(CLOCK_REALTIME, 10);
    TEST_ERRNO(futex(&pi_word, FUTEX_LOCK_PI | P, 0, &pi_deadline, NULL, 0), ETIMEDOUT,
               "LOCK_PI with an absolute CLOCK_REALTIME timeout");
    atomic_store(&gate, 2);
    pthread_join(t1, NULL);
    TEST_EQ(pi_word & FUTEX_TID_MASK, 0, "the holder released it");
    return tst_exit();
}

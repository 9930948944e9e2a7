/* Mutex kinds: normal, recursive, error-checking, robust (owner dies), priority
 * inheritance; spinlocks.  Every line is deterministic (results fixed by joins). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *en(int e) {
    switch (e) {
    case 0: return "0";
    case EBUSY: return "EBUSY";
    case EDEADLK: return "EDEADLK";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    case ETIMEDOUT: return "ETIMEDOUT";
    }
    static char buf[32];
    snprintf(buf, sizeof buf, "errno%d", e);
    return buf;
}

static pthread_mutex_t m;
static pthread_barrier_t bar;

static void *unlock_other(void *arg) {
    printf("  unlock from another thread: %s\n", en(pthread_mutex_unlock(&m)));
    printf("  trylock from another thread: %s\n", en(pthread_mutex_trylock(&m)));
    return NULL;
}

static void init(int type, int robust, int protocol) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, type);
    if (robust) pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (protocol) pthread_mutexattr_setprotocol(&a, protocol);
    pthread_mutex_init(&m, &a);
    pthread_mutexattr_destroy(&a);
}

static void run_other(void *(*fn)(void *)) {
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    pthread_join(t, NULL);
}

/* A robust owner that dies holding the lock; with arg, main blocks on it first. */
static void *die_holding(void *arg) {
    pthread_mutex_lock(&m);
    if (arg) {
        pthread_barrier_wait(&bar);
        usleep(50000);
    }
    return NULL;   /* exits holding m */
}

static void robust_case(const char *name, int protocol, int wait) {
    printf("%s%s:\n", name, wait ? " (main blocked while the owner dies)" : "");
    init(PTHREAD_MUTEX_NORMAL, 1, protocol);
    pthread_t t;
    pthread_barrier_init(&bar, NULL, 2);
    pthread_create(&t, NULL, die_holding, wait ? (void *)1 : NULL);
    if (wait) pthread_barrier_wait(&bar);
    else pthread_join(t, NULL);
    int r = pthread_mutex_lock(&m);
    printf("  lock after owner died: %s\n", en(r));
    if (wait) pthread_join(t, NULL);
    printf("  consistent: %s\n", en(pthread_mutex_consistent(&m)));
    printf("  unlock: %s\n", en(pthread_mutex_unlock(&m)));
    printf("  lock again: %s\n", en(pthread_mutex_lock(&m)));
    printf("  unlock: %s\n", en(pthread_mutex_unlock(&m)));
    pthread_mutex_destroy(&m);
    pthread_barrier_destroy(&bar);
}

static void robust_unrecoverable(void) {
    puts("robust, unlocked without consistent:");
    init(PTHREAD_MUTEX_NORMAL, 1, 0);
    run_other(die_holding);
    printf("  lock: %s\n", en(pthread_mutex_lock(&m)));
    printf("  unlock: %s\n", en(pthread_mutex_unlock(&m)));
    printf("  lock: %s\n", en(pthread_mutex_lock(&m)));
    printf("  trylock: %s\n", en(pthread_mutex_trylock(&m)));
}

#define NPI 4
#define NINC 20000
static long counter;
static int ninc = NINC;
static void *mutex_worker(void *arg) {
    for (int i = 0; i < ninc; i++) {
        pthread_mutex_lock(&m);
        counter++;
        if (i % 1000 == 0) sched_yield();   /* give the CPU away while holding: contention */
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

static pthread_spinlock_t spin;
static void *spin_worker(void *arg) {
    for (int i = 0; i < ninc; i++) {
        pthread_spin_lock(&spin);
        counter++;
        pthread_spin_unlock(&spin);
    }
    return NULL;
}
static void *spin_try(void *arg) {
    printf("  spin_trylock while held elsewhere: %s\n", en(pthread_spin_trylock(&spin)));
    return NULL;
}

static void contended(const char *name, void *(*fn)(void *)) {
    pthread_t t[NPI];
    counter = 0;
    for (int i = 0; i < NPI; i++) pthread_create(&t[i], NULL, fn, NULL);
    for (int i = 0; i < NPI; i++) pthread_join(t[i], NULL);
    printf("  %s: counter=%ld (expected %d)\n", name, counter, NPI * ninc);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    puts("normal:");
    init(PTHREAD_MUTEX_NORMAL, 0, 0);
    printf("  lock: %s\n", en(pthread_mutex_lock(&m)));
    printf("  trylock: %s\n", en(pthread_mutex_trylock(&m)));
    printf("  unlock: %s\n", en(pthread_mutex_unlock(&m)));
    printf("  trylock: %s\n", en(pthread_mutex_trylock(&m)));
    printf("  unlock: %s\n", en(pthread_mutex_unlock(&m)));

    puts("recursive:");
    init(PTHREAD_MUTEX_RECURSIVE, 0, 0);
    for (int i = 0; i < 3; i++) printf("  lock %d: %s\n", i, en(pthread_mutex_lock(&m)));
    printf("  trylock: %s\n", en(pthread_mutex_trylock(&m)));
    run_other(unlock_other);
    for (int i = 0; i < 4; i++) printf("  unlock %d: %s\n", i, en(pthread_mutex_unlock(&m)));
    printf("  unlock once too often: %s\n", en(pthread_mutex_unlock(&m)));

    puts("error-checking:");
    init(PTHREAD_MUTEX_ERRORCHECK, 0, 0);
    printf("  unlock unlocked: %s\n", en(pthread_mutex_unlock(&m)));
    printf("  lock: %s\n", en(pthread_mutex_lock(&m)));
    printf("  relock: %s\n", en(pthread_mutex_lock(&m)));
    printf("  trylock: %s\n", en(pthread_mutex_trylock(&m)));
    run_other(unlock_other);
    printf("  unlock: %s\n", en(pthread_mutex_unlock(&m)));
    printf("  unlock again: %s\n", en(pthread_mutex_unlock(&m)));

    puts("error-checking, priority inheritance:");
    init(PTHREAD_MUTEX_ERRORCHECK, 0, PTHREAD_PRIO_INHERIT);
    printf("  lock: %s\n", en(pthread_mutex_lock(&m)));
    printf("  relock: %s\n", en(pthread_mutex_lock(&m)));
    run_other(unlock_other);
    printf("  unlock: %s\n", en(pthread_mutex_unlock(&m)));
    printf("  unlock again: %s\n", en(pthread_mutex_unlock(&m)));

    robust_case("robust", 0, 0);
    robust_case("robust", 0, 1);
    robust_case("robust, priority inheritance", PTHREAD_PRIO_INHERIT, 0);
    robust_case("robust, priority inheritance", PTHREAD_PRIO_INHERIT, 1);
    robust_unrecoverable();

    puts("contended:");
    /* Every contended PI unlock hands the lock over in the kernel (a convoy): keep it short. */
    ninc = 2000;
    init(PTHREAD_MUTEX_NORMAL, 0, PTHREAD_PRIO_INHERIT);
    contended("priority inheritance", mutex_worker);
    ninc = NINC;
    init(PTHREAD_MUTEX_NORMAL, 0, 0);
    contended("normal", mutex_worker);
    init(PTHREAD_MUTEX_RECURSIVE, 0, 0);
    contended("recursive", mutex_worker);

    puts("spinlock:");
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    printf("  lock: %s\n", en(pthread_spin_lock(&spin)));
    printf("  trylock: %s\n", en(pthread_spin_trylock(&spin)));
    run_other(spin_try);
    printf("  unlock: %s\n", en(pthread_spin_unlock(&spin)));
    contended("spinlock", spin_worker);
    return 0;
}

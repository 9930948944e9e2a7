/* Condition variables (timed out and signalled), rwlocks, barriers, semaphores,
 * pthread_once.  Every line is deterministic (results fixed by joins and predicates). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *en(int e) {
    switch (e) {
    case 0: return "0";
    case EBUSY: return "EBUSY";
    case EDEADLK: return "EDEADLK";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case ETIMEDOUT: return "ETIMEDOUT";
    }
    static char buf[32];
    snprintf(buf, sizeof buf, "errno%d", e);
    return buf;
}

static struct timespec in_ms(clockid_t clock, long ms) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    ts.tv_nsec += (ms % 1000) * 1000000L;
    ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    return ts;
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t cv_mono;
static int flag, waiting, woken;

static void *timed_waiter(void *arg) {
    pthread_mutex_lock(&m);
    struct timespec ts = in_ms(CLOCK_REALTIME, 20000);
    int rc = 0;
    waiting++;
    pthread_cond_broadcast(&cv);     /* tell main we are about to wait */
    while (!flag && rc == 0) rc = pthread_cond_timedwait(&cv, &m, &ts);
    pthread_mutex_unlock(&m);
    return (void *)(long)rc;
}

static void *broadcast_waiter(void *arg) {
    pthread_mutex_lock(&m);
    waiting++;
    pthread_cond_broadcast(&cv);
    while (!flag) pthread_cond_wait(&cv, &m);
    woken++;
    pthread_mutex_unlock(&m);
    return NULL;
}

static void conds(void) {
    puts("condition variables:");
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cv_mono, &ca);

    pthread_mutex_lock(&m);
    struct timespec ts = in_ms(CLOCK_REALTIME, 30);
    printf("  timedwait (realtime) with nobody signalling: %s\n", en(pthread_cond_timedwait(&cv, &m, &ts)));
    ts = in_ms(CLOCK_MONOTONIC, 30);
    printf("  timedwait (monotonic) with nobody signalling: %s\n", en(pthread_cond_timedwait(&cv_mono, &m, &ts)));
    ts = in_ms(CLOCK_REALTIME, -1000);
    printf("  timedwait with a deadline in the past: %s\n", en(pthread_cond_timedwait(&cv, &m, &ts)));
    pthread_mutex_unlock(&m);

    pthread_t t;
    flag = waiting = 0;
    pthread_create(&t, NULL, timed_waiter, NULL);
    pthread_mutex_lock(&m);
    while (!waiting) pthread_cond_wait(&cv, &m);
    flag = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&m);
    void *rc;
    pthread_join(t, &rc);
    printf("  timedwait signalled before its deadline: %s\n", en((int)(long)rc));

    enum { N = 8 };
    pthread_t ts8[N];
    flag = waiting = woken = 0;
    for (int i = 0; i < N; i++) pthread_create(&ts8[i], NULL, broadcast_waiter, NULL);
    pthread_mutex_lock(&m);
    while (waiting < N) pthread_cond_wait(&cv, &m);
    flag = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
    for (int i = 0; i < N; i++) pthread_join(ts8[i], NULL);
    printf("  broadcast woke %d of %d\n", woken, N);
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;
static long shared_value;

static void *reader(void *arg) {
    int r = pthread_rwlock_rdlock(&rw);
    pthread_barrier_wait(&bar);     /* all readers hold the lock at once */
    pthread_barrier_wait(&bar);     /* main has tried to write */
    pthread_rwlock_unlock(&rw);
    return (void *)(long)r;
}

static void *try_read(void *arg) {
    return (void *)(long)pthread_rwlock_tryrdlock(&rw);
}

static void *rw_worker(void *arg) {
    long id = (long)arg, bad = 0;
    for (int i = 0; i < 5000; i++) {
        if (i % 4 == 0) {
            pthread_rwlock_wrlock(&rw);
            shared_value += 2;
            pthread_rwlock_unlock(&rw);
        } else {
            pthread_rwlock_rdlock(&rw);
            if (shared_value % 2) bad++;
            pthread_rwlock_unlock(&rw);
        }
    }
    return (void *)bad;
}

static void rwlocks(void) {
    puts("rwlocks:");
    enum { R = 4 };
    pthread_t t[R];
    pthread_barrier_init(&bar, NULL, R + 1);
    for (int i = 0; i < R; i++) pthread_create(&t[i], NULL, reader, NULL);
    pthread_barrier_wait(&bar);
    printf("  trywrlock while %d readers hold it: %s\n", R, en(pthread_rwlock_trywrlock(&rw)));
    printf("  tryrdlock while readers hold it: %s\n", en(pthread_rwlock_tryrdlock(&rw)));
    pthread_rwlock_unlock(&rw);
    struct timespec ts = in_ms(CLOCK_REALTIME, 30);
    printf("  timedwrlock while readers hold it: %s\n", en(pthread_rwlock_timedwrlock(&rw, &ts)));
    pthread_barrier_wait(&bar);
    for (int i = 0; i < R; i++) {
        void *r;
        pthread_join(t[i], &r);
        printf("  reader %d rdlock: %s\n", i, en((int)(long)r));
    }
    pthread_barrier_destroy(&bar);
    printf("  wrlock: %s\n", en(pthread_rwlock_wrlock(&rw)));
    pthread_t o;
    void *r;
    pthread_create(&o, NULL, try_read, NULL);
    pthread_join(o, &r);
    printf("  tryrdlock from another thread while written: %s\n", en((int)(long)r));
    ts = in_ms(CLOCK_REALTIME, 30);
    printf("  timedrdlock by the writer itself: %s\n", en(pthread_rwlock_timedrdlock(&rw, &ts)));
    printf("  unlock: %s\n", en(pthread_rwlock_unlock(&rw)));

    for (long i = 0; i < R; i++) pthread_create(&t[i], NULL, rw_worker, (void *)i);
    long bad = 0;
    for (int i = 0; i < R; i++) { pthread_join(t[i], &r); bad += (long)r; }
    printf("  mixed readers/writers: value=%ld odd-reads=%ld\n", shared_value, bad);
}

enum { BT = 8, ROUNDS = 200 };
static int round_seen[BT];
static long serials, mismatches;
static pthread_mutex_t bm = PTHREAD_MUTEX_INITIALIZER;

static void *barrier_worker(void *arg) {
    long id = (long)arg;
    for (int r = 0; r < ROUNDS; r++) {
        round_seen[id] = r;
        int rc = pthread_barrier_wait(&bar);
        /* After the barrier every thread has reached round r. */
        pthread_mutex_lock(&bm);
        for (int i = 0; i < BT; i++)
            if (round_seen[i] < r) mismatches++;
        if (rc == PTHREAD_BARRIER_SERIAL_THREAD) serials++;
        else if (rc != 0) mismatches++;
        pthread_mutex_unlock(&bm);
        pthread_barrier_wait(&bar);
    }
    return NULL;
}

static void barriers(void) {
    puts("barriers:");
    pthread_barrier_init(&bar, NULL, BT);
    pthread_t t[BT];
    for (long i = 0; i < BT; i++) pthread_create(&t[i], NULL, barrier_worker, (void *)i);
    for (int i = 0; i < BT; i++) pthread_join(t[i], NULL);
    printf("  %d threads x %d rounds: serial-thread returns=%ld mismatches=%ld\n", BT, ROUNDS, serials, mismatches);
    printf("  init with count 0: %s\n", en(pthread_barrier_init(&bar, NULL, 0)));
}

static sem_t items, slots, done_sem;
enum { SEMQ = 8, SEMN = 20000 };
static int ring[SEMQ];

static void *sem_producer(void *arg) {
    for (int i = 0; i < SEMN; i++) {
        sem_wait(&slots);
        ring[i % SEMQ] = i;
        sem_post(&items);
    }
    return NULL;
}

static void *sem_poster(void *arg) {
    usleep(20000);
    sem_post(&done_sem);
    return NULL;
}

static void semaphores(void) {
    puts("semaphores:");
    sem_t s;
    int v;
    sem_init(&s, 0, 2);
    sem_getvalue(&s, &v);
    printf("  init 2, value %d\n", v);
    printf("  trywait: %d\n", sem_trywait(&s));
    printf("  trywait: %d\n", sem_trywait(&s));
    errno = 0;
    int rc = sem_trywait(&s);
    printf("  trywait at 0: %d %s\n", rc, en(errno));
    struct timespec ts = in_ms(CLOCK_REALTIME, 30);
    errno = 0;
    rc = sem_timedwait(&s, &ts);
    printf("  timedwait at 0: %d %s\n", rc, en(errno));
    ts.tv_nsec = 2000000000L;
    errno = 0;
    rc = sem_timedwait(&s, &ts);
    printf("  timedwait with tv_nsec 2e9: %d %s\n", rc, en(errno));
    sem_post(&s);
    ts = in_ms(CLOCK_REALTIME, 30);
    printf("  timedwait after a post: %d\n", sem_timedwait(&s, &ts));

    pthread_t t;
    sem_init(&done_sem, 0, 0);
    pthread_create(&t, NULL, sem_poster, NULL);
    ts = in_ms(CLOCK_REALTIME, 20000);
    printf("  timedwait posted by another thread: %d\n", sem_timedwait(&done_sem, &ts));
    pthread_join(t, NULL);

    sem_init(&items, 0, 0);
    sem_init(&slots, 0, SEMQ);
    pthread_create(&t, NULL, sem_producer, NULL);
    long in_order = 1, total = 0;
    for (int i = 0; i < SEMN; i++) {
        sem_wait(&items);
        int x = ring[i % SEMQ];
        sem_post(&slots);
        if (x != i) in_order = 0;
        total += x;
    }
    pthread_join(t, NULL);
    printf("  bounded buffer: %d items in order=%ld total=%ld\n", SEMN, in_order, total);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_calls;
static void once_init(void) { once_calls++; usleep(1000); }
static void *once_worker(void *arg) { pthread_once(&once, once_init); return (void *)(long)once_calls; }

static void onces(void) {
    puts("pthread_once:");
    enum { N = 16 };
    pthread_t t[N];
    for (int i = 0; i < N; i++) pthread_create(&t[i], NULL, once_worker, NULL);
    long seen = 0;
    for (int i = 0; i < N; i++) { void *r; pthread_join(t[i], &r); seen += (long)r; }
    printf("  init ran %d time(s); %ld threads saw it done\n", once_calls, seen);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    conds();
    rwlocks();
    barriers();
    semaphores();
    onces();
    return 0;
}

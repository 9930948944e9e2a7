/* __thread TLS, pthread keys with destructors, join/detach, pthread_exit from threads,
 * and more than 64 threads alive at once.  Every line is deterministic. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *en(int e) {
    switch (e) {
    case 0: return "0";
    case EDEADLK: return "EDEADLK";
    case EINVAL: return "EINVAL";
    case ESRCH: return "ESRCH";
    }
    static char buf[32];
    snprintf(buf, sizeof buf, "errno%d", e);
    return buf;
}

static __thread int tls_int = 5;
static __thread char tls_buf[64] = "initial";
static __thread long tls_zero;

static void *tls_worker(void *arg) {
    long id = (long)arg, bad = 0;
    if (tls_int != 5 || strcmp(tls_buf, "initial") || tls_zero) bad++;
    tls_int = (int)id;
    snprintf(tls_buf, sizeof tls_buf, "thread %ld", id);
    tls_zero = id * 7;
    for (int i = 0; i < 50; i++) {
        sched_yield();
        char want[64];
        snprintf(want, sizeof want, "thread %ld", id);
        if (tls_int != id || strcmp(tls_buf, want) || tls_zero != id * 7) bad++;
    }
    return (void *)bad;
}

static pthread_key_t key, key2;
static int dtor_calls, dtor2_calls, dtor_sum;
static pthread_mutex_t dm = PTHREAD_MUTEX_INITIALIZER;

static void dtor(void *p) {
    pthread_mutex_lock(&dm);
    dtor_calls++;
    dtor_sum += (int)(long)p;
    pthread_mutex_unlock(&dm);
}

/* Sets its value again every time: called PTHREAD_DESTRUCTOR_ITERATIONS times. */
static void dtor_again(void *p) {
    pthread_mutex_lock(&dm);
    dtor2_calls++;
    pthread_mutex_unlock(&dm);
    pthread_setspecific(key2, p);
}

static void *key_worker(void *arg) {
    long id = (long)arg;
    if (pthread_getspecific(key) != NULL) return (void *)1L;
    if (id % 3 != 0) pthread_setspecific(key, (void *)id);  /* every third keeps NULL: no call */
    if (id == 1) pthread_setspecific(key2, (void *)1L);
    if (pthread_getspecific(key) != (id % 3 ? (void *)id : NULL)) return (void *)1L;
    if (id == 4) pthread_exit((void *)0L);                   /* destructors run on pthread_exit too */
    return (void *)0L;
}

static sem_t detached_done;
static void *detached_worker(void *arg) {
    sem_post(&detached_done);
    return NULL;
}

static void *exit_worker(void *arg) {
    long id = (long)arg;
    if (id % 2) pthread_exit((void *)(id * 100));
    return (void *)(id * 10);
}

#ifdef __GLIBC__
static void *join_self(void *arg) {
    return (void *)(long)pthread_join(pthread_self(), NULL);
}
#endif

enum { MANY = 100 };
static pthread_barrier_t many_bar;
static void *many_worker(void *arg) {
    pthread_barrier_wait(&many_bar);   /* all MANY threads exist at once */
    return (void *)((long)arg * 3);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_t t[MANY];
    void *r;

    puts("__thread:");
    long bad = 0;
    for (long i = 0; i < 8; i++) pthread_create(&t[i], NULL, tls_worker, (void *)(i + 1));
    for (int i = 0; i < 8; i++) { pthread_join(t[i], &r); bad += (long)r; }
    printf("  8 threads, bad values seen: %ld; main still has %d/%s/%ld\n", bad, tls_int, tls_buf, tls_zero);

    puts("pthread keys:");
    pthread_key_create(&key, dtor);
    pthread_key_create(&key2, dtor_again);
    bad = 0;
    for (long i = 0; i < 12; i++) pthread_create(&t[i], NULL, key_worker, (void *)i);
    for (int i = 0; i < 12; i++) { pthread_join(t[i], &r); bad += (long)r; }
    printf("  12 threads: destructor calls=%d sum=%d, re-setting destructor calls=%d, bad=%ld\n",
           dtor_calls, dtor_sum, dtor2_calls, bad);
    pthread_setspecific(key, (void *)99L);
    printf("  main's value: %ld\n", (long)pthread_getspecific(key));
    printf("  key_delete: %s\n", en(pthread_key_delete(key)));
    pthread_create(&t[0], NULL, key_worker, (void *)7L);
    pthread_join(t[0], NULL);
    printf("  destructor calls after key_delete: %d\n", dtor_calls);

    puts("join/detach:");
    for (long i = 0; i < 6; i++) pthread_create(&t[i], NULL, exit_worker, (void *)i);
    for (int i = 0; i < 6; i++) { pthread_join(t[i], &r); printf("  thread %d returned %ld\n", i, (long)r); }
#ifdef __GLIBC__   /* musl does not detect it: the join hangs */
    pthread_create(&t[0], NULL, join_self, NULL);
    pthread_join(t[0], &r);
    printf("  join self: %s\n", en((int)(long)r));
    printf("  join main from main: %s\n", en(pthread_join(pthread_self(), NULL)));
#endif
    sem_init(&detached_done, 0, 0);
    for (int i = 0; i < 5; i++) {
        pthread_create(&t[i], NULL, detached_worker, NULL);
        printf("  detach %d: %s\n", i, en(pthread_detach(t[i])));
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < 5; i++) pthread_create(&t[i], &attr, detached_worker, NULL);
    for (int i = 0; i < 10; i++) sem_wait(&detached_done);
    puts("  10 detached threads finished");

    puts("many threads:");
    pthread_barrier_init(&many_bar, NULL, MANY);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_JOINABLE);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    int created = 0;
    for (long i = 0; i < MANY; i++) created += pthread_create(&t[i], &attr, many_worker, (void *)i) == 0;
    long sum = 0;
    for (int i = 0; i < MANY; i++) { pthread_join(t[i], &r); sum += (long)r; }
    printf("  created %d, sum of results %ld\n", created, sum);
    return 0;
}

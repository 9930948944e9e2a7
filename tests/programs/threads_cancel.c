/* Deferred cancellation acted on at a cancellation point the target reaches after
 * pthread_cancel (pthread_testcancel, nanosleep, pthread_cond_wait, sem_wait), cleanup
 * handlers, disabled cancellation, self-cancellation.  Deterministic output. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static sem_t ready;
static atomic_int go;
static int cleanups[8], ncleanup;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static sem_t never;

static void cleanup(void *arg) { cleanups[ncleanup++] = (int)(long)arg; }
static void unlock_cleanup(void *arg) { cleanups[ncleanup++] = 100; pthread_mutex_unlock(&m); }

/* Spin (no cancellation point) until main has cancelled us. */
static void wait_for_cancel(void) {
    sem_post(&ready);
    while (!atomic_load(&go)) sched_yield();
}

static void *target(void *arg) {
    long how = (long)arg;
    pthread_cleanup_push(cleanup, (void *)1L);
    pthread_cleanup_push(cleanup, (void *)2L);
    wait_for_cancel();
    switch (how) {
    case 0: pthread_testcancel(); break;
    case 1: { struct timespec ts = {0, 1000000}; nanosleep(&ts, NULL); break; }
    case 2:
        pthread_mutex_lock(&m);
        pthread_cleanup_push(unlock_cleanup, NULL);
        pthread_cond_wait(&cv, &m);
        pthread_cleanup_pop(1);
        break;
    case 3: sem_wait(&never); break;
    case 4: usleep(1000); break;
    }
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return (void *)7L;
}

static void *disabled_target(void *arg) {
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    pthread_cleanup_push(cleanup, (void *)3L);
    wait_for_cancel();
    pthread_testcancel();                  /* ignored while disabled */
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);                  /* likewise */
    cleanups[ncleanup++] = 50;             /* still running */
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    pthread_testcancel();
    pthread_cleanup_pop(0);
    return (void *)8L;
}

static void *self_cancel(void *arg) {
    pthread_cleanup_push(cleanup, (void *)4L);
    pthread_cancel(pthread_self());
    cleanups[ncleanup++] = 60;
    pthread_testcancel();
    pthread_cleanup_pop(0);
    return (void *)9L;
}

static void *cleanup_pop_exec(void *arg) {
    pthread_cleanup_push(cleanup, (void *)5L);
    pthread_cleanup_push(cleanup, (void *)6L);
    pthread_cleanup_pop(1);   /* runs 6 */
    pthread_cleanup_pop(0);   /* drops 5 */
    pthread_cleanup_push(cleanup, (void *)7L);
    pthread_exit((void *)10L); /* runs 7 */
    pthread_cleanup_pop(0);
    return NULL;
}

static void report(const char *what, pthread_t t, int cancel_rc) {
    void *r;
    pthread_join(t, &r);
    printf("%s: pthread_cancel=%d result=%s cleanups=[", what, cancel_rc,
           r == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : r == (void *)7L ? "7" : r == (void *)8L ? "8" :
           r == (void *)9L ? "9" : r == (void *)10L ? "10" : "?");
    for (int i = 0; i < ncleanup; i++) printf(i ? " %d" : "%d", cleanups[i]);
    puts("]");
    ncleanup = 0;
}

static void run(const char *what, void *(*fn)(void *), long arg) {
    pthread_t t;
    atomic_store(&go, 0);
    pthread_create(&t, NULL, fn, (void *)arg);
    sem_wait(&ready);
    int rc = pthread_cancel(t);
    atomic_store(&go, 1);
    report(what, t, rc);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    sem_init(&ready, 0, 0);
    sem_init(&never, 0, 0);
    run("pthread_testcancel", target, 0);
    run("nanosleep", target, 1);
    run("pthread_cond_wait", target, 2);
    printf("mutex free after the cond_wait cleanup: %s\n", pthread_mutex_trylock(&m) == 0 ? "yes" : "no");
    pthread_mutex_unlock(&m);
    run("sem_wait", target, 3);
    run("usleep", target, 4);
    run("disabled, then enabled", disabled_target, 0);
    pthread_t t;
    pthread_create(&t, NULL, self_cancel, NULL);
    report("self-cancel", t, 0);
    pthread_create(&t, NULL, cleanup_pop_exec, NULL);
    report("cleanup_pop(1) and pthread_exit", t, 0);
    return 0;
}

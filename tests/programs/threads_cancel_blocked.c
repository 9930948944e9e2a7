/* Cancelling a thread already blocked in a cancellation point (pthread_cond_wait):
 * glibc and musl interrupt the wait with SIGCANCEL and its handler. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int waiting, cleaned;

static void unlock_cleanup(void *arg) { cleaned = 1; pthread_mutex_unlock(&m); }

static void *target(void *arg) {
    pthread_mutex_lock(&m);
    waiting = 1;
    pthread_cond_signal(&cv);
    pthread_cleanup_push(unlock_cleanup, NULL);
    for (;;) pthread_cond_wait(&cv, &m);   /* only cancellation ends this */
    pthread_cleanup_pop(1);
    return NULL;
}

int main(void) {
    pthread_t t;
    pthread_create(&t, NULL, target, NULL);
    pthread_mutex_lock(&m);
    while (!waiting) pthread_cond_wait(&cv, &m);
    pthread_mutex_unlock(&m);   /* the target now sits in pthread_cond_wait */
    printf("pthread_cancel: %d\n", pthread_cancel(t));
    void *r;
    pthread_join(t, &r);
    printf("result: %s, cleanup ran: %d\n", r == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "?", cleaned);
    return 0;
}

/* Stress: 64 threads x 10,000 mutex-protected increments (exact total), and
 * 100,000 items through a bounded producer/consumer queue (in order). */
#include <pthread.h>
#include <stdio.h>

enum { NTHREADS = 64, NINC = 10000, QSIZE = 64, NITEMS = 100000 };
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *worker(void *arg) {
    for (int i = 0; i < NINC; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static int queue[QSIZE], head, tail, count;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg) {
    for (int i = 0; i < NITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (count == QSIZE) pthread_cond_wait(&not_full, &lock);
        queue[tail] = i;
        tail = (tail + 1) % QSIZE;
        count++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(void) {
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    printf("counter=%ld (expected %d)\n", counter, NTHREADS * NINC);

    pthread_t p;
    pthread_create(&p, NULL, producer, NULL);
    long in_order = 1, total = 0;
    for (int i = 0; i < NITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (count == 0) pthread_cond_wait(&not_empty, &lock);
        int v = queue[head];
        head = (head + 1) % QSIZE;
        count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&lock);
        if (v != i) in_order = 0;
        total += v;
    }
    pthread_join(p, NULL);
    printf("items=%d in order=%ld total=%ld\n", NITEMS, in_order, total);
    return 0;
}

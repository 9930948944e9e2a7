/* 64 threads x 10000 mutex-protected increments, TLS, join, cond var producer/consumer. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NTHREADS 64
#define NINC 10000
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread int tls_value;

static void *worker(void *arg) {
    tls_value = (int)(long)arg;
    for (int i = 0; i < NINC; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return (void *)(long)(tls_value * 2);
}

#define QSIZE 16
#define NITEMS 20000
static int queue[QSIZE], head, tail, count;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg) {
    for (int i = 0; i < NITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (count == QSIZE) pthread_cond_wait(&not_full, &lock);
        queue[tail] = i; tail = (tail + 1) % QSIZE; count++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(void) {
    pthread_t th[NTHREADS];
    for (long i = 0; i < NTHREADS; i++) pthread_create(&th[i], NULL, worker, (void *)i);
    long sum = 0;
    for (int i = 0; i < NTHREADS; i++) { void *r; pthread_join(th[i], &r); sum += (long)r; }
    printf("counter=%ld (expected %d) joined-sum=%ld\n", counter, NTHREADS * NINC, sum);

    pthread_t p;
    pthread_create(&p, NULL, producer, NULL);
    long in_order = 1, total = 0;
    for (int i = 0; i < NITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (count == 0) pthread_cond_wait(&not_empty, &lock);
        int v = queue[head]; head = (head + 1) % QSIZE; count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&lock);
        if (v != i) in_order = 0;
        total += v;
    }
    pthread_join(p, NULL);
    printf("items in order=%ld total=%ld\n", in_order, total);
    return 0;
}

/* Benchmark: the cpu loop of cpu.c while another thread sits blocked on a condition
 * variable: the scheduler must not count instructions when only one thread can run. */
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static int done;

static void *sleeper(void *arg) {
    pthread_mutex_lock(&lock);
    while (!done) pthread_cond_wait(&never, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 200000000;
    pthread_t t;
    pthread_create(&t, NULL, sleeper, NULL);
    uint64_t x = 0x9E3779B97F4A7C15ULL, acc = 0;
    for (long i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc = (acc ^ (acc >> 29)) + x * 0xBF58476D1CE4E5B9ULL;
    }
    pthread_mutex_lock(&lock);
    done = 1;
    pthread_cond_signal(&never);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    printf("%016" PRIx64 "\n", acc);
    return 0;
}

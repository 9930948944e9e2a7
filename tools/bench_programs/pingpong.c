/* Benchmark: hand a token back and forth argv[1] times between two threads through a
 * mutex and two condition variables; prints the number of handoffs. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static int turn;          /* 0: main's turn, 1: the partner's */
static long rounds;

static void *partner(void *arg) {
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&lock);
        while (turn != 1) pthread_cond_wait(&turn_changed, &lock);
        turn = 0;
        pthread_cond_signal(&turn_changed);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(int argc, char **argv) {
    rounds = argc > 1 ? atol(argv[1]) : 100000;
    pthread_t t;
    pthread_create(&t, NULL, partner, NULL);
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&lock);
        turn = 1;
        pthread_cond_signal(&turn_changed);
        while (turn != 0) pthread_cond_wait(&turn_changed, &lock);
        pthread_mutex_unlock(&lock);
    }
    pthread_join(t, NULL);
    printf("%ld\n", rounds * 2);
    return 0;
}

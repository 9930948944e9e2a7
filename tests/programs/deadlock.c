/* Two threads each take one lock and wait for the other's: a real deadlock. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t bar;
static void *other(void *arg) {
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&bar);
    pthread_mutex_lock(&a);
    return NULL;
}
int main(void) {
    pthread_t t;
    pthread_barrier_init(&bar, NULL, 2);
    pthread_create(&t, NULL, other, NULL);
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&bar);
    pthread_mutex_lock(&b);
    puts("unreachable");
    return 0;
}

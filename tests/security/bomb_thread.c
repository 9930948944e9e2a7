/* Tries: a thread bomb: threads that block until pthread_create fails (quota
 * threads = 8).
 * Must: 7 threads (8 with main), then EAGAIN, audited (quota, quotas.threads). */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *hold(void *arg) {
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void) {
    static pthread_t threads[4096];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 65536);
    pthread_mutex_lock(&lock);
    int n = 0, rc = 0;
    while (n < 4096 && (rc = pthread_create(&threads[n], &attr, hold, NULL)) == 0) n++;
    printf("pthread_create: %d errno=%d\n", n, rc);
    pthread_mutex_unlock(&lock);
    for (int k = 0; k < n; k++) pthread_join(threads[k], NULL);
    printf("joined: %d\n", n);
    return 0;
}

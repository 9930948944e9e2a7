/* Benchmark: create and join argv[1] threads one after another; prints the count. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *work(void *arg) { return arg; }

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000, done = 0;
    for (long i = 0; i < n; i++) {
        pthread_t t;
        void *r;
        if (pthread_create(&t, NULL, work, (void *)1) != 0) return 1;
        pthread_join(t, &r);
        done += (long)r;
    }
    printf("%ld\n", done);
    return 0;
}

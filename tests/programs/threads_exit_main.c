/* pthread_exit from main: the process lives on until its last thread ends, and a
 * thread can join the exited main thread.  Exit status 0 from the last thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_t main_thread;

static void *helper(void *arg) {
    return (void *)((long)arg + 1);
}

static void *last(void *arg) {
    void *r;
    int rc = pthread_join(main_thread, &r);
    printf("joined main: %d, main's value %ld\n", rc, (long)r);
    pthread_t t;
    pthread_create(&t, NULL, helper, (void *)41L);
    pthread_join(t, &r);
    printf("helper after main exited returned %ld\n", (long)r);
    fflush(stdout);
    return NULL;   /* the last thread: the process exits 0 */
}

int main(void) {
    pthread_t t;
    main_thread = pthread_self();
    pthread_create(&t, NULL, last, NULL);
    puts("main calls pthread_exit");
    fflush(stdout);
    pthread_exit((void *)123L);
}

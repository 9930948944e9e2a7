/* Tries: a second thread makes a call under a kill-thread rule with an argument
 * condition (close with arg0 == 4242); the main thread then makes it with 4241.
 * Must: only the second thread dies (pthread_join returns), the main thread's call
 * runs (EBADF); audited (kill-thread, syscalls.rule[0]). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *worker(void *arg) {
    close(4242);
    puts("worker survived");
    return NULL;
}

int main(void) {
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    int rc = close(4241);
    printf("joined, close: %d errno=%d\n", rc, errno);
    return 0;
}

/* A thread keeps running while the main thread waits for the host's stdin: the ticks
 * counted before the read returns show whether only the reader was blocked. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static volatile int ticks;
static void *ticker(void *arg) {
    for (int i = 0; i < 5; i++) { usleep(20000); ticks++; }
    return NULL;
}
int main(void) {
    pthread_t t;
    pthread_create(&t, NULL, ticker, NULL);
    char buf[16];
    ssize_t n = read(0, buf, sizeof buf);
    int seen = ticks;
    pthread_join(t, NULL);
    printf("read %zd, ticks while reading %d\n", n, seen);
    return 0;
}

/* A thread wakes another and then spins, without a syscall, until the woken one
 * answers through memory: the spinner must be preempted (on one CPU) for the answer
 * to come.  The spinner first computes alone for long enough to run uncounted. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static int fds[2];
static atomic_int answered;

static void *sleeper(void *arg) {
    char c;
    if (read(fds[0], &c, 1) != 1)
        return NULL;
    atomic_store(&answered, c);
    return NULL;
}

int main(void) {
    pthread_t t;
    if (pipe(fds) != 0 || pthread_create(&t, NULL, sleeper, NULL) != 0)
        return 1;
    volatile unsigned long work = 0;
    for (unsigned long i = 0; i < 20000000; i++)
        work += i;
    if (write(fds[1], "y", 1) != 1)
        return 1;
    unsigned long spins = 0;
    while (atomic_load(&answered) == 0)
        spins++;
    pthread_join(t, NULL);
    printf("answered %c after computing %s\n", atomic_load(&answered), work ? "something" : "nothing");
    return 0;
}

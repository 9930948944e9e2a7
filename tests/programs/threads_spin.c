/* Threads that spin without syscalls must still be preempted:
 * 1. a loop first run while its thread was alone (translated uncounted) and later
 *    spinning while another thread is runnable: the quantum has to end it;
 * 2. a thread spinning alone while another sleeps: the sleeper's timer has to end the
 *    spinner's slice so the sleeper can run (CPython's GIL waits this way). */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static volatile int flag = 1;
static volatile long counter;

__attribute__((noinline)) static void spin_until_flag(void) {
    while (!flag) { }
}

static void *busy_worker(void *arg) {
    for (long i = 0; i < 3000000; i++)
        counter++;
    flag = 1;
    return NULL;
}

static void *sleepy_worker(void *arg) {
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    flag = 1;
    return NULL;
}

int main(void) {
    pthread_t th;
    spin_until_flag();                  /* runs once alone: translated uncounted */
    flag = 0;
    pthread_create(&th, NULL, busy_worker, NULL);
    spin_until_flag();                  /* two runnable threads: quanta switch them */
    pthread_join(th, NULL);
    printf("quanta: counter %ld\n", counter);

    flag = 0;
    pthread_create(&th, NULL, sleepy_worker, NULL);
    spin_until_flag();                  /* alone while the worker sleeps */
    pthread_join(th, NULL);
    printf("timer: the sleeper ran\n");
    return 0;
}

/* A thread that signals itself in a loop (every slice of it ends early, at a signal)
 * must not keep the CPU from a runnable sibling: main, woken by the thread, sets the
 * flag that ends the loop. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static atomic_int stop, started;
static atomic_long handled;

static void on_usr1(int sig) { atomic_fetch_add(&handled, 1); }

static void *raiser(void *arg) {
    atomic_store(&started, 1);
    long sent = 0;
    while (!atomic_load(&stop)) {
        raise(SIGUSR1);
        sent++;
    }
    return (void *)sent;
}

int main(void) {
    signal(SIGUSR1, on_usr1);
    pthread_t t;
    pthread_create(&t, NULL, raiser, NULL);
    while (!atomic_load(&started))
        usleep(1000);
    usleep(20000);
    atomic_store(&stop, 1);
    void *sent;
    pthread_join(t, &sent);
    printf("stopped; every signal handled: %d\n", (long)sent == atomic_load(&handled));
    return 0;
}

/* Signals and threads: pthread_kill to each of 8 threads with per-thread handlers'
 * counts, a process signal taken by the one thread that does not block it, and
 * sigwaitinfo in a dedicated thread receiving queued values in order. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define N 8
static __thread int my_hits;
static atomic_int hits[N], ready, stop;
static __thread int my_index = -1;
static atomic_int taker = -1;
static pthread_t threads[N];

static void on_usr1(int sig) { my_hits++; if (my_index >= 0) atomic_fetch_add(&hits[my_index], 1); }
static void on_usr2(int sig) { atomic_store(&taker, my_index); }

static void nap(void) { struct timespec ts = {0, 1000000}; nanosleep(&ts, NULL); }

static void *worker(void *arg) {
    my_index = (int)(long)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    if (my_index == 5) sigaddset(&set, SIGUSR2);    /* only thread 5 takes SIGUSR2 */
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    atomic_fetch_add(&ready, 1);
    while (!atomic_load(&stop)) nap();
    return (void *)(long)my_hits;
}

static int values[8], nvalues;
static void *sigwaiter(void *arg) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 4);
    sigaddset(&set, SIGTERM);
    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&set, &si);
        if (sig == SIGTERM) return NULL;
        values[nvalues++] = si.si_value.sival_int;
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t all;
    sigemptyset(&all);
    sigaddset(&all, SIGUSR1); sigaddset(&all, SIGUSR2); sigaddset(&all, SIGRTMIN + 4); sigaddset(&all, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &all, NULL);         /* inherited by every thread */
    for (long i = 0; i < N; i++) pthread_create(&threads[i], NULL, worker, (void *)i);
    while (atomic_load(&ready) < N) nap();

    /* Thread i gets i+1 signals, one at a time (standard signals do not queue). */
    for (int i = 0; i < N; i++)
        for (int k = 0; k <= i; k++) {
            int before = atomic_load(&hits[i]);
            pthread_kill(threads[i], SIGUSR1);
            while (atomic_load(&hits[i]) == before) nap();
        }
    for (int i = 0; i < N; i++) printf("thread %d: %d\n", i, atomic_load(&hits[i]));

    /* A process-directed signal goes to the one thread that does not block it. */
    kill(getpid(), SIGUSR2);
    while (atomic_load(&taker) < 0) nap();
    printf("SIGUSR2 taken by thread %d\n", atomic_load(&taker));

    atomic_store(&stop, 1);
    int total = 0;
    for (int i = 0; i < N; i++) { void *r; pthread_join(threads[i], &r); total += (int)(long)r; }
    printf("per-thread __thread counts sum: %d\n", total);

    /* sigwaitinfo in a dedicated thread: queued values arrive in order. */
    pthread_t w;
    pthread_create(&w, NULL, sigwaiter, NULL);
    for (int i = 1; i <= 5; i++) sigqueue(getpid(), SIGRTMIN + 4, (union sigval){.sival_int = i * 11});
    while (nvalues < 5) nap();
    pthread_kill(w, SIGTERM);
    pthread_join(w, NULL);
    printf("sigwaiter got:");
    for (int i = 0; i < nvalues; i++) printf(" %d", values[i]);
    printf("\n");
    sigset_t pend;
    sigpending(&pend);
    printf("nothing left pending: %d\n", !sigismember(&pend, SIGRTMIN + 4) && !sigismember(&pend, SIGUSR1));
    return 0;
}

/* Three threads that meet at a barrier, then the main thread calls a function to
   break in while the others wait on a second barrier. */
#include <pthread.h>
#include <stdio.h>

static pthread_barrier_t started, finish;

static void *worker(void *arg)
{
    pthread_barrier_wait(&started);
    pthread_barrier_wait(&finish);
    return arg;
}

void all_started(void)
{
    puts("all started");
}

int main(void)
{
    pthread_t threads[2];
    pthread_barrier_init(&started, NULL, 3);
    pthread_barrier_init(&finish, NULL, 3);
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, worker, NULL);
    pthread_barrier_wait(&started);
    all_started();
    pthread_barrier_wait(&finish);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    puts("joined");
    return 0;
}

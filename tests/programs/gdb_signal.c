/* Takes SIGUSR1 in a handler (when the debugger passes it on), prints, then dies of
   abort()'s SIGABRT. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static volatile int got;

static void on_usr1(int sig)
{
    got = sig;
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("got %d\n", got);
    abort();
}

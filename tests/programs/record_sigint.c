/* Counts syscalls until SIGINT arrives from outside: how far it got is set by when the
 * signal came, so only a replay that delivers it at the recorded point prints the same. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static void on_int(int sig) { got = sig; }

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_int;
    sigaction(SIGINT, &sa, NULL);
    puts("ready");
    fflush(stdout);
    unsigned long loops = 0;
    while (!got) {
        getppid();
        loops++;
    }
    printf("signal %d after %lu loops\n", (int)got, loops);
    return 0;
}

/* ITIMER_VIRTUAL and ITIMER_PROF fire on CPU time, even in a loop that makes no syscalls. */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

static volatile sig_atomic_t vt, prof;
static void on_vt(int sig) { vt++; }
static void on_prof(int sig) { prof++; }

int main(void) {
    signal(SIGVTALRM, on_vt);
    signal(SIGPROF, on_prof);
    struct itimerval it = {{0, 20000}, {0, 20000}};
    setitimer(ITIMER_VIRTUAL, &it, NULL);
    setitimer(ITIMER_PROF, &it, NULL);
    struct itimerval now;
    getitimer(ITIMER_VIRTUAL, &now);
    printf("armed: interval %ld us, value > 0: %d\n", (long)now.it_interval.tv_usec,
           now.it_value.tv_sec > 0 || now.it_value.tv_usec > 0);
    volatile unsigned long spin = 0;
    while (vt < 3 || prof < 3) spin++;
    struct itimerval off = {0};
    setitimer(ITIMER_VIRTUAL, &off, NULL);
    setitimer(ITIMER_PROF, &off, &now);
    printf("virtual >= 3: %d, prof >= 3: %d, prof interval kept: %ld\n", vt >= 3, prof >= 3,
           (long)now.it_interval.tv_usec);
    getitimer(ITIMER_VIRTUAL, &now);
    printf("disarmed: %d\n", now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0);
    return 0;
}

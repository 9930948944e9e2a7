/* ITIMER_VIRTUAL and ITIMER_PROF expire on CPU time, in a loop that makes no syscalls:
   how far the loop got when each signal came is host timing, which a replay must
   reproduce exactly (so the counts printed at the end are the same). */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

static volatile unsigned long spins;
static unsigned long at_vt[3], at_prof[3];
static volatile int vt, prof;

static void on_vt(int sig) { if (vt < 3) at_vt[vt] = spins; vt++; }
static void on_prof(int sig) { if (prof < 3) at_prof[prof] = spins; prof++; }

int main(void) {
    signal(SIGVTALRM, on_vt);
    signal(SIGPROF, on_prof);
    struct itimerval vt_it = {{0, 15000}, {0, 15000}}, prof_it = {{0, 25000}, {0, 25000}};
    setitimer(ITIMER_VIRTUAL, &vt_it, NULL);
    setitimer(ITIMER_PROF, &prof_it, NULL);
    while (vt < 3 || prof < 3)
        spins++;
    struct itimerval off = {0}, left;
    setitimer(ITIMER_VIRTUAL, &off, &left);
    setitimer(ITIMER_PROF, &off, NULL);
    printf("vt at %lu %lu %lu; prof at %lu %lu %lu; left %ld us\n", at_vt[0], at_vt[1], at_vt[2],
           at_prof[0], at_prof[1], at_prof[2], (long)left.it_value.tv_usec);
    printf("ordered: %d\n", at_vt[0] <= at_vt[1] && at_vt[1] <= at_vt[2] && at_prof[0] <= at_prof[2]);
    return 0;
}

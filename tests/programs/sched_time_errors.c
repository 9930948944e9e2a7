/* Scheduling and clock-setting calls a container answers without privileges: the
 * errors natively and under vkemu must agree.  With "set" (run under vkemu only: as
 * root on the host it would set the clock), a valid clock_settime reports its errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define show(what, call) do { errno = 0; long r_ = (call); \
    printf("%s: %ld %s\n", what, r_, errno ? strerror(errno) : ""); } while (0)

int main(int argc, char **argv) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (argc > 1 && strcmp(argv[1], "set") == 0) {
        show("clock_settime realtime", clock_settime(CLOCK_REALTIME, &now));
        struct timeval tv = {now.tv_sec, 0};
        show("settimeofday", settimeofday(&tv, NULL));
        return 0;
    }
    show("settime monotonic", clock_settime(CLOCK_MONOTONIC, &now));
    show("settime bad clock", syscall(SYS_clock_settime, 999, &now));
    struct timespec bad = {now.tv_sec, -1};
    show("settime nsec -1", clock_settime(CLOCK_REALTIME, &bad));
    bad.tv_nsec = 1000000000;
    show("settime nsec 1e9", clock_settime(CLOCK_REALTIME, &bad));
    struct timeval badtv = {now.tv_sec, 2000000};
    show("settimeofday usec 2e6", settimeofday(&badtv, NULL));

    cpu_set_t set;
    CPU_ZERO(&set);
    show("getaffinity self", syscall(SYS_sched_getaffinity, 0, sizeof set, &set) > 0);
    show("getaffinity -1", syscall(SYS_sched_getaffinity, -1, sizeof set, &set));
    show("getaffinity no such pid", syscall(SYS_sched_getaffinity, 999999, sizeof set, &set));
    show("getaffinity size 4", syscall(SYS_sched_getaffinity, 0, 4, &set));
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    show("setaffinity -1", sched_setaffinity(-1, sizeof set, &set));
    show("setaffinity no such pid", sched_setaffinity(999999, sizeof set, &set));

    struct timespec rr;
    show("rr_get_interval self", sched_rr_get_interval(0, &rr));
    show("rr_get_interval -1", sched_rr_get_interval(-1, &rr));
    show("rr_get_interval no such pid", sched_rr_get_interval(999999, &rr));
    return 0;
}

/* Spins without syscalls until the CPU quota's SIGXCPU: where it comes is host timing,
   which a recording keeps (tests/test_record.py, with [quotas] cpu_seconds). */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void on_xcpu(int sig) {
    write(1, "xcpu\n", 5);
    _exit(3);
}

int main(void) {
    signal(SIGXCPU, on_xcpu);
    puts("spinning");
    fflush(stdout);
    for (;;)
        ;
}

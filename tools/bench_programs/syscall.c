/* Benchmark: syscall round trip.  Calls getppid() argv[1] times through syscall(2),
 * so libc cannot cache the answer, and prints the count once every call has returned
 * the same parent pid. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long first = syscall(SYS_getppid);
    for (long i = 0; i < n; i++) {
        if (syscall(SYS_getppid) != first) {
            fprintf(stderr, "getppid changed at call %ld\n", i);
            return 1;
        }
    }
    printf("%ld\n", n);
    return 0;
}

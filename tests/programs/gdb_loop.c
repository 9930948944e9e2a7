/* A loop to debug backwards: a counter kept in memory, a call to break in per turn.
   With an argument N, it first spins N times (something to interrupt). */
#include <stdio.h>
#include <stdlib.h>

volatile int counter;
volatile long spins;

void tick(int i)
{
    counter += i;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 0;
    while (spins < n)
        spins++;
    for (int i = 1; i <= 5; i++) {
        tick(i);
        printf("turn %d: %d\n", i, counter);
    }
    return 7;
}

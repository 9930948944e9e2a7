/* Writes through a null pointer in a named function. */
#include <stdio.h>

volatile int *target;

void crash(void)
{
    *target = 1;
}

int main(void)
{
    puts("about to crash");
    fflush(stdout);
    crash();
    return 0;
}

/* A small program to debug: a global string, a call to break in, an exit status. */
#include <stdio.h>

char message[] = "hello from the guest";
volatile int counter;

int add(int a, int b)
{
    return a + b;
}

int main(void)
{
    counter = add(40, 2);
    printf("%s %d\n", message, counter);
    return 3;
}

/* Benchmark: CPU-bound integer loop.  Runs argv[1] rounds of a xorshift generator
 * folded into a multiplicative hash, all in registers, and prints the result so the
 * compiler cannot drop the loop and the caller can check it against a native run. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000000;
    uint64_t x = 0x9E3779B97F4A7C15ULL, acc = 0;
    for (long i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc = (acc ^ (acc >> 29)) + x * 0xBF58476D1CE4E5B9ULL;
    }
    printf("%016" PRIx64 "\n", acc);
    return 0;
}

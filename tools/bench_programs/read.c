/* Benchmark: sequential file read.  Reads the file argv[1] with 64 KiB read() calls
 * and prints the byte count and the sum of the little-endian 64-bit words found at
 * every 64 KiB boundary of the file (the benchmark writes each chunk's index there),
 * so the data itself is checked, not just its length. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536

static unsigned char buf[CHUNK];

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    uint64_t total = 0, sum = 0;
    for (;;) {
        ssize_t got = read(fd, buf, CHUNK);
        if (got < 0) {
            perror("read");
            return 1;
        }
        if (got == 0)
            break;
        /* First chunk boundary inside this buffer; a short read may shift it. */
        for (uint64_t k = (CHUNK - total % CHUNK) % CHUNK; k + 8 <= (uint64_t)got; k += CHUNK) {
            uint64_t word;
            memcpy(&word, buf + k, sizeof word);
            sum += word;
        }
        total += (uint64_t)got;
    }
    close(fd);
    printf("%llu %llu\n", (unsigned long long)total, (unsigned long long)sum);
    return 0;
}

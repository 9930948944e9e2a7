/* Pipes between threads: 10 MiB with a checksum through writes and reads of mixed sizes
 * (many larger than the pipe), end of file after the writer closes, a reader blocked on
 * an empty pipe woken by the close, PIPE_BUF-sized records from four writers arriving
 * whole, and a writer blocked on a full pipe when the readers go (its count, then EPIPE
 * with SIGPIPE ignored).  Every line printed is deterministic. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TOTAL (10 << 20)

static unsigned char *src;
static int fds[2];

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static void *bulk_writer(void *arg) {
    static const size_t sizes[] = {1 << 20, 7777, 100, 65536, 300000, 1, 4096, 4097};
    size_t off = 0, k = 0;
    while (off < TOTAL) {
        size_t n = sizes[k++ % 8];
        if (n > TOTAL - off) n = TOTAL - off;
        ssize_t w = write(fds[1], src + off, n);
        if (w != (ssize_t)n) {     /* a blocking pipe write is never short */
            printf("short write %zd of %zu: %s\n", w, n, strerror(errno));
            exit(1);
        }
        off += n;
    }
    close(fds[1]);
    return NULL;
}

static void bulk(void) {
    src = malloc(TOTAL);
    for (size_t i = 0; i < TOTAL; i++) src[i] = (unsigned char)(i * 7 + (i >> 13));
    uint64_t want = fnv(1469598103934665603ULL, src, TOTAL);
    if (pipe(fds)) { perror("pipe"); exit(1); }
    pthread_t th;
    pthread_create(&th, NULL, bulk_writer, NULL);
    static unsigned char buf[200000];
    static const size_t rsizes[] = {200000, 3, 65536, 5000, 131072};
    uint64_t h = 1469598103934665603ULL;
    size_t total = 0, k = 0, bad = 0;
    for (;;) {
        ssize_t n = read(fds[0], buf, rsizes[k++ % 5]);
        if (n < 0) { perror("read"); exit(1); }
        if (n == 0) break;
        if (memcmp(buf, src + total, n)) bad++;
        h = fnv(h, buf, n);
        total += n;
    }
    pthread_join(th, NULL);
    printf("bulk: %zu bytes, checksum %s, misplaced chunks %zu\n", total, h == want ? "ok" : "BAD", bad);
    printf("bulk: read after EOF %zd\n", read(fds[0], buf, 10));
    close(fds[0]);
    free(src);
}

static void *blocked_reader(void *arg) {
    char c;
    ssize_t n = read(fds[0], &c, 1);
    return (void *)(long)n;
}

static void eof_wakes_reader(void) {
    pipe(fds);
    pthread_t th;
    pthread_create(&th, NULL, blocked_reader, NULL);
    usleep(20000);                 /* let it block (the result is the same if it did not) */
    close(fds[1]);
    void *r;
    pthread_join(th, &r);
    printf("eof: blocked reader got %ld\n", (long)r);
    close(fds[0]);
}

#define NREC 200
static void *record_writer(void *arg) {
    char rec[PIPE_BUF];
    memset(rec, 'A' + (int)(long)arg, sizeof rec);
    for (int i = 0; i < NREC; i++)
        if (write(fds[1], rec, sizeof rec) != sizeof rec) { perror("record write"); exit(1); }
    return NULL;
}

static void atomic_records(void) {
    pipe(fds);
    pthread_t th[4];
    for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, record_writer, (void *)i);
    int counts[4] = {0}, torn = 0;
    char rec[PIPE_BUF];
    for (int i = 0; i < 4 * NREC; i++) {
        size_t got = 0;
        while (got < sizeof rec) {
            ssize_t n = read(fds[0], rec + got, sizeof rec - got);
            if (n <= 0) { perror("record read"); exit(1); }
            got += n;
        }
        int who = rec[0] - 'A';
        for (size_t j = 1; j < sizeof rec; j++) if (rec[j] != rec[0]) { torn++; break; }
        if (who >= 0 && who < 4) counts[who]++;
    }
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    printf("records: %d %d %d %d, torn %d\n", counts[0], counts[1], counts[2], counts[3], torn);
    close(fds[0]);
    close(fds[1]);
}

static void *stuck_writer(void *arg) {
    static char big[200000];
    ssize_t n = write(fds[1], big, sizeof big);
    long first = n;
    errno = 0;
    n = write(fds[1], big, 10);
    printf("epipe: blocked write returned %ld, next write %zd errno %s\n", first, n,
           errno == EPIPE ? "EPIPE" : strerror(errno));
    return NULL;
}

static void readers_go(void) {
    signal(SIGPIPE, SIG_IGN);
    pipe(fds);
    pthread_t th;
    pthread_create(&th, NULL, stuck_writer, NULL);
    int avail = 0;
    while (avail < 65536) {        /* wait until the writer filled the pipe */
        usleep(1000);
        ioctl(fds[0], FIONREAD, &avail);
    }
    usleep(20000);
    close(fds[0]);
    pthread_join(th, NULL);
    close(fds[1]);
}

int main(void) {
    bulk();
    eof_wakes_reader();
    atomic_records();
    readers_go();
    return 0;
}

/* Every kind of input a recording must hold: a host file (argv[1]), stdin, clocks,
 * getrandom, /dev/urandom, a file's stat times, and a child process.  Natively its
 * output differs from run to run; a replay must print the recorded one exactly. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    char buf[4096];
    if (argc < 2) return 2;
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror("open"); return 3; }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    printf("file: %zd bytes: %s", n, buf);
    struct stat st;
    if (stat(argv[1], &st) == 0)
        printf("file mtime %lld.%09ld size %lld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
               (long long)st.st_size);
    size_t total = 0;
    while ((n = read(0, buf, sizeof buf)) > 0) total += (size_t)n;
    printf("stdin: %zu bytes, last byte %d\n", total, total ? buf[(total - 1) % sizeof buf] : -1);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    printf("realtime %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("monotonic %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
    unsigned long long r = 0;
    getrandom(&r, sizeof r, 0);
    printf("getrandom %016llx\n", r);
    int u = open("/dev/urandom", O_RDONLY);
    unsigned int ur = 0;
    if (u >= 0 && read(u, &ur, sizeof ur) == sizeof ur) printf("urandom %08x\n", ur);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        printf("child %d at %lld.%09ld\n", (int)getpid(), (long long)ts.tv_sec, ts.tv_nsec);
        return 7;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("child exit %d\n", WEXITSTATUS(status));
    return 5;
}

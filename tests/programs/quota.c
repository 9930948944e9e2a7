/* Resource bombs and RLIMIT_FSIZE, one per argument; tests/test_escape.py runs them
 * under quotas (and `fsize` natively too: it sets its own limit).
 *
 *   memory      malloc and touch 1 MiB blocks until malloc fails: "memory: N MiB"
 *   mmap        mmap 1 MiB anonymous blocks until mmap fails: "mmap: N MiB errno=E"
 *   fill=P      write 64 KiB blocks to file P until write fails: "fill: N KiB errno=E"
 *   fsize=P     RLIMIT_FSIZE 10000, SIGXFSZ ignored: writes of 6000 to P at the limit,
 *               ftruncate past it; then SIGXFSZ default and one more write (dies)
 *   fds         open /dev/null until it fails: "fds: N errno=E"
 *   forks       fork children that pause until fork fails: "forks: N errno=E"; then
 *               kill and reap them all
 *   spin        an endless loop without syscalls
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_xfsz(int sig) { printf("handler: signal %d\n", sig); }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        char *eq = strchr(arg, '=');
        char *path = eq ? eq + 1 : "";
        if (eq) *eq = 0;
        if (!strcmp(arg, "memory")) {
            long n = 0;
            char *p;
            while (n < 1 << 16 && (p = malloc(1 << 20)) != NULL) {
                memset(p, 1, 1 << 20);
                n++;
            }
            printf("memory: %ld MiB\n", n);
        } else if (!strcmp(arg, "mmap")) {
            long n = 0;
            while (n < 1 << 16 && mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED)
                n++;
            printf("mmap: %ld MiB errno=%d\n", n, errno);
        } else if (!strcmp(arg, "fill")) {
            static char block[65536];
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            long kib = 0;
            ssize_t w;
            while ((w = write(fd, block, sizeof block)) > 0 && kib < (1L << 22))
                kib += w / 1024;
            printf("fill: %ld KiB errno=%d\n", kib, errno);
            close(fd);
            unlink(path);
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            printf("fill again: %zd\n", write(fd, block, sizeof block));   /* the space came back */
        } else if (!strcmp(arg, "fsize")) {
            static char block[6000];
            struct rlimit rl = {10000, 10000};
            printf("setrlimit: %d\n", setrlimit(RLIMIT_FSIZE, &rl));
            signal(SIGXFSZ, on_xfsz);
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            for (int k = 0; k < 3; k++) {
                errno = 0;
                ssize_t w = write(fd, block, sizeof block);
                printf("write: %zd errno=%d\n", w, w < 0 ? errno : 0);
            }
            printf("pwrite at 9999: %zd\n", pwrite(fd, block, 10, 9999));
            int rc = ftruncate(fd, 20000);
            printf("ftruncate 20000: %d errno=%d\n", rc, rc < 0 ? errno : 0);
            printf("ftruncate 100: %d\n", ftruncate(fd, 100));
            signal(SIGXFSZ, SIG_DFL);
            lseek(fd, 10000, SEEK_SET);
            write(fd, block, 1);
            printf("not reached\n");
        } else if (!strcmp(arg, "fds")) {
            long n = 0;
            while (n < 1 << 20 && open("/dev/null", O_RDONLY) >= 0)
                n++;
            printf("fds: %ld errno=%d\n", n, errno);
        } else if (!strcmp(arg, "forks")) {
            static pid_t kids[4096];
            int n = 0;
            pid_t pid;
            while (n < 4096 && (pid = fork()) >= 0) {
                if (pid == 0) { pause(); _exit(0); }
                kids[n++] = pid;
            }
            printf("forks: %d errno=%d\n", n, errno);
            for (int k = 0; k < n; k++) kill(kids[k], SIGKILL);
            int reaped = 0;
            while (wait(NULL) > 0) reaped++;
            printf("reaped: %d\n", reaped);
        } else if (!strcmp(arg, "spin")) {
            for (volatile unsigned long k = 0;; k++)
                ;
        } else {
            printf("%s: unknown\n", arg);
            return 2;
        }
    }
    puts("done");
    return 0;
}

/* RLIMIT_FSIZE and the writable-layer quota, one per argument, for tests/test_escape.py
 * (`fsize` runs natively too: it sets its own limit).  The resource bombs are in
 * tests/security/.
 *
 *   fill=P      write 64 KiB blocks to file P until write fails: "fill: N KiB errno=E";
 *               then unlink P and write one block again: "fill again: N"
 *   fsize=P     RLIMIT_FSIZE 10000, SIGXFSZ handled: writes of 6000 to P at the limit,
 *               ftruncate past it; then SIGXFSZ default and one more write (dies)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void on_xfsz(int sig) { printf("handler: signal %d\n", sig); }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        char *eq = strchr(arg, '=');
        char *path = eq ? eq + 1 : "";
        if (eq) *eq = 0;
        if (!strcmp(arg, "fill")) {
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
        } else {
            printf("%s: unknown\n", arg);
            return 2;
        }
    }
    puts("done");
    return 0;
}

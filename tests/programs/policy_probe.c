/* Each argument names one operation to try under a policy; one line per result.
 *   mkdir        mkdir("/tmp/policy_dir")
 *   unix, inet   socket(AF_UNIX / AF_INET, SOCK_STREAM, 0)
 *   trap         getppid() with a SIGSYS handler that prints the siginfo
 *   getppid      getppid() with no handler
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void on_sigsys(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    printf("SIGSYS sig=%d code=%d syscall=%d arch=%#x errno=%d\n", sig, info->si_code, info->si_syscall,
           info->si_arch, info->si_errno);
}

static void report(const char *what, long rc) {
    if (rc < 0)
        printf("%s: -1 errno=%d\n", what, errno);
    else
        printf("%s: ok\n", what);
    fflush(stdout);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        const char *op = argv[i];
        if (!strcmp(op, "mkdir")) {
            report(op, mkdir("/tmp/policy_dir", 0755));
        } else if (!strcmp(op, "unix")) {
            report(op, socket(AF_UNIX, SOCK_STREAM, 0));
        } else if (!strcmp(op, "inet")) {
            report(op, socket(AF_INET, SOCK_STREAM, 0));
        } else if (!strcmp(op, "trap")) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_sigaction = on_sigsys;
            sa.sa_flags = SA_SIGINFO;
            sigaction(SIGSYS, &sa, NULL);
            long rc = syscall(SYS_getppid);
            printf("trap: returned %ld\n", rc);
        } else if (!strcmp(op, "getppid")) {
            printf("getppid: %ld\n", syscall(SYS_getppid));
        } else {
            printf("%s: unknown\n", op);
            return 2;
        }
    }
    puts("done");
    return 0;
}

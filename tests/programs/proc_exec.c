/* execve error rules and #! scripts; run natively and under vkemu, compared.
 * argv[1] is a scratch directory the test prepared (scripts inside). */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int run(char *const argv[]) {
    pid_t p = fork();
    if (p == 0) {
        execve(argv[0], argv, environ);
        printf("  execve %s failed: %s\n", argv[0], strerror(errno));
        fflush(stdout);
        _exit(99);
    }
    int st;
    waitpid(p, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv) {
    char path[512];
    const char *dir = argv[1];
    setvbuf(stdout, NULL, _IONBF, 0);
    char *missing[] = {"/no/such/program", NULL};
    printf("missing -> %d\n", run(missing));
    char *directory[] = {"/usr", NULL};
    printf("directory -> %d\n", run(directory));
    snprintf(path, sizeof path, "%s/garbage", dir);
    char *garbage[] = {path, NULL};
    printf("garbage -> %d\n", run(garbage));
    snprintf(path, sizeof path, "%s/script.sh", dir);
    char *script[] = {path, "a1", "a2", NULL};
    printf("script -> %d\n", run(script));
    snprintf(path, sizeof path, "%s/loop1", dir);
    char *loop[] = {path, NULL};
    printf("shebang loop -> %d\n", run(loop));
    int st;
    errno = 0;
    printf("wait with no children -> %d %s\n", (int)waitpid(-1, &st, 0), strerror(errno));
    pid_t pid;
    char *spawn_argv[] = {"/bin/busybox", "echo", "spawned", NULL};
    int rc = posix_spawn(&pid, spawn_argv[0], NULL, NULL, spawn_argv, environ);
    waitpid(pid, &st, 0);
    printf("posix_spawn -> rc=%d status=%d\n", rc, WEXITSTATUS(st));
    pid = vfork();
    if (pid == 0) _exit(7);
    waitpid(pid, &st, 0);
    printf("vfork child -> %d\n", WEXITSTATUS(st));
    siginfo_t info;
    pid = fork();
    if (pid == 0) _exit(3);
    memset(&info, 0, sizeof info);
    waitid(P_PID, pid, &info, WEXITED);
    printf("waitid -> code=%d status=%d pid-match=%d\n", info.si_code, info.si_status, info.si_pid == pid);
    return 0;
}

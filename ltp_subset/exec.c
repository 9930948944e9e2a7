/* execve(2)/execveat(2) in the manner of LTP's execve01-06 and execveat01-03: the new
 * program's argv, envp and pid, close-on-exec, what happens to signal dispositions, the
 * mask and pending signals, #! scripts, and the errors (ENOENT, ENOTDIR, EACCES,
 * ENOEXEC, ELOOP, ENAMETOOLONG, EFAULT, E2BIG, EINVAL).  The test re-executes itself
 * through /proc/self/exe with "--child CHECK" to look at its state after exec. */
#define TCID "exec"
#include "tst.h"
#include <signal.h>
#include <sys/wait.h>

static void on_usr1(int sig) { (void)sig; }

/* The child side: each check exits 0 when the state after exec is as Linux leaves it. */
static int child_check(int argc, char **argv)
{
    const char *what = argv[2];
    if (!strcmp(what, "args")) {
        const char *v = getenv("EXEC_VAR");
        return argc == 5 && !strcmp(argv[3], "one") && !strcmp(argv[4], "two words") && v && !strcmp(v, "value") ? 0 : 1;
    }
    if (!strcmp(what, "pid"))
        return getpid() == atoi(argv[3]) ? 0 : 1;
    if (!strcmp(what, "fds")) {
        int kept = fcntl(atoi(argv[3]), F_GETFD) == 0;
        int closed = fcntl(atoi(argv[4]), F_GETFD) == -1 && errno == EBADF;
        return (kept ? 0 : 1) | (closed ? 0 : 2);
    }
    if (!strcmp(what, "signals")) {
        struct sigaction sa;
        sigset_t mask, pend;
        int r = 0;
        sigaction(SIGUSR1, NULL, &sa);
        if (sa.sa_handler != SIG_DFL)
            r |= 1;           /* a handled signal is reset to SIG_DFL */
        sigaction(SIGUSR2, NULL, &sa);
        if (sa.sa_handler != SIG_IGN)
            r |= 2;           /* an ignored one stays ignored */
        sigprocmask(SIG_SETMASK, NULL, &mask);
        if (!sigismember(&mask, SIGTERM))
            r |= 4;           /* the mask is kept */
        sigpending(&pend);
        if (!sigismember(&pend, SIGTERM))
            r |= 8;           /* and so is a pending signal */
        return r;
    }
    return 99;
}

/* fork, run ``fn`` in the child (it execs), and return the child's exit status. */
static int spawn(char *const argv[], char *const envp[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execve(argv[0], argv, envp);
        _exit(120 + (errno & 7));
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static char self[PATH_MAX];

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--child"))
        return child_check(argc, argv);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        TFAIL("setup: readlink /proc/self/exe: %s", tst_errname(errno));
        return tst_exit();
    }
    self[n] = 0;
    tst_scratch();

    /* execve01: argv and envp arrive */
    char *args_argv[] = {self, "--child", "args", "one", "two words", NULL};
    char *envp[] = {"EXEC_VAR=value", "OTHER=1", NULL};
    TEST_EQ(spawn(args_argv, envp), 0, "the new program gets argv and envp");

    /* the pid is kept */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char pidbuf[16];
        snprintf(pidbuf, sizeof pidbuf, "%d", getpid());
        char *a[] = {self, "--child", "pid", pidbuf, NULL};
        execve(self, a, envp);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the pid survives exec");

    /* close-on-exec */
    int keep = open("keep", O_WRONLY | O_CREAT, 0644);
    int drop = open("drop", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    int dup_drop = fcntl(keep, F_DUPFD_CLOEXEC, 20);
    char kbuf[16], dbuf[16], ddbuf[16];
    snprintf(kbuf, sizeof kbuf, "%d", keep);
    snprintf(dbuf, sizeof dbuf, "%d", drop);
    snprintf(ddbuf, sizeof ddbuf, "%d", dup_drop);
    char *fd_argv[] = {self, "--child", "fds", kbuf, dbuf, NULL};
    TEST_EQ(spawn(fd_argv, envp), 0, "O_CLOEXEC closes at exec, a plain fd stays");
    char *dup_argv[] = {self, "--child", "fds", kbuf, ddbuf, NULL};
    TEST_EQ(spawn(dup_argv, envp), 0, "F_DUPFD_CLOEXEC closes at exec");
    int p[2];
    pipe2(p, O_CLOEXEC);
    int moved = dup2(p[0], 30);
    snprintf(kbuf, sizeof kbuf, "%d", moved);
    snprintf(dbuf, sizeof dbuf, "%d", p[1]);
    char *pipe_argv[] = {self, "--child", "fds", kbuf, dbuf, NULL};
    TEST_EQ(spawn(pipe_argv, envp), 0, "dup2 of a close-on-exec pipe fd makes one that stays");
    close(p[0]);
    close(p[1]);
    close(moved);
    close(keep);
    close(drop);
    close(dup_drop);

    /* signal dispositions, mask and pending signals */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        signal(SIGUSR1, on_usr1);
        signal(SIGUSR2, SIG_IGN);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_BLOCK, &set, NULL);
        raise(SIGTERM);
        char *a[] = {self, "--child", "signals", NULL};
        execve(self, a, envp);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "exec resets handlers, keeps SIG_IGN, the mask and pending signals (status %d)", WEXITSTATUS(status));

    /* #! scripts */
    const char *script = "#!/bin/busybox sh\nexit $(( $# + 40 ))\n";
    tst_mkfile("script.sh", script, strlen(script), 0755);
    char *script_argv[] = {"script.sh", "a", "b", NULL};
    TEST_EQ(spawn(script_argv, envp), 42, "a #! script runs with its arguments");
    const char *badinterp = "#!/nonexistent/sh\n";
    tst_mkfile("badinterp.sh", badinterp, strlen(badinterp), 0755);
    TEST_ERRNO(execve("badinterp.sh", script_argv, envp), ENOENT, "a #! line naming a missing interpreter");

    /* execveat */
    int dirfd = open(".", O_RDONLY | O_DIRECTORY);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *a[] = {"script.sh", NULL};
        syscall(SYS_execveat, dirfd, "script.sh", a, envp, 0);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    TEST_EQ(WEXITSTATUS(status), 40, "execveat relative to a directory fd");
    int exefd = open(self, O_RDONLY);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        syscall(SYS_execveat, exefd, "", args_argv, envp, AT_EMPTY_PATH);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    TEST_EQ(WEXITSTATUS(status), 0, "execveat with AT_EMPTY_PATH runs the fd's file");
    TEST_ERRNO(syscall(SYS_execveat, dirfd, "script.sh", script_argv, envp, 0x4), EINVAL, "execveat with an unknown flag");
    close(exefd);
    close(dirfd);

    /* execve03/05: errors */
    char *none[] = {"x", NULL};
    TEST_ERRNO(execve("/nonexistent/prog", none, envp), ENOENT, "a missing file");
    TEST_ERRNO(execve("", none, envp), ENOENT, "an empty path");
    tst_mkfile("plain", "x", 1, 0644);
    TEST_ERRNO(execve("plain/prog", none, envp), ENOTDIR, "a path through a regular file");
    TEST_ERRNO(execve("plain", none, envp), EACCES, "a file without execute permission");
    TEST_ERRNO(execve(".", none, envp), EACCES, "a directory");
    TEST_ERRNO(execve("/dev/null", none, envp), EACCES, "a device");
    symlink("loop1", "loop2");
    symlink("loop2", "loop1");
    TEST_ERRNO(execve("loop1", none, envp), ELOOP, "a symlink loop");
    char longname[PATH_MAX + 10];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    TEST_ERRNO(execve(longname, none, envp), ENAMETOOLONG, "a path longer than PATH_MAX");
    TEST_ERRNO(execve(TST_BADPTR, none, envp), EFAULT, "a bad path pointer");
    TEST_ERRNO(execve(self, TST_BADPTR, envp), EFAULT, "a bad argv pointer");
    char *bad_env[] = {"A=1", TST_BADPTR, NULL};
    TEST_ERRNO(execve(self, none, bad_env), EFAULT, "a bad pointer inside envp");
    size_t big = 200 * 1024;
    char *huge = malloc(big + 1);
    memset(huge, 'x', big);
    huge[big] = 0;
    char *huge_argv[] = {self, huge, NULL};
    TEST_ERRNO(execve(self, huge_argv, envp), E2BIG, "one argument longer than MAX_ARG_STRLEN");
    free(huge);
    TEST_EQ(fcntl(1, F_GETFD), 0, "a failed execve leaves the caller as it was");

    return tst_exit();
}

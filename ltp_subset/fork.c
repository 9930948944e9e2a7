/* fork(2) and vfork(2) in the manner of LTP's fork01-fork14 and vfork01-02: return
 * values, what a child inherits (memory copy, fds and their shared offsets, dispositions,
 * the signal mask, cwd, umask, rlimits) and what it does not (pending signals, its
 * pid), MAP_SHARED versus MAP_PRIVATE, many children, and bad clone flags. */
#define TCID "fork"
#include "tst.h"
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* Run ``fn`` in a forked child; its exit status (0..255), or -1 if it did not exit. */
static int in_child(int (*fn)(void *), void *arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg));
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static int counter = 5;
static pid_t parent_pid;

static int child_ids(void *arg)
{
    (void)arg;
    return (getppid() == parent_pid ? 1 : 0) | (getpid() != parent_pid ? 2 : 0);
}

static int child_writes_memory(void *arg)
{
    (void)arg;
    counter = 99;
    return counter == 99 ? 0 : 1;
}

static int child_writes_fd(void *arg)
{
    int fd = *(int *)arg;
    return write(fd, "child", 5) == 5 ? 0 : 1;
}

static int child_dispositions(void *arg)
{
    (void)arg;
    struct sigaction sa;
    sigset_t mask, pend;
    int r = 0;
    sigaction(SIGUSR1, NULL, &sa);
    if (sa.sa_handler == SIG_IGN)
        r |= 1;
    sigprocmask(SIG_SETMASK, NULL, &mask);
    if (sigismember(&mask, SIGUSR2))
        r |= 2;
    sigpending(&pend);
    if (!sigismember(&pend, SIGUSR2))
        r |= 4;
    return r;
}

static int child_env(void *arg)
{
    (void)arg;
    char buf[256];
    mode_t old = umask(0);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    int r = 0;
    if (old == 027)
        r |= 1;
    if (getcwd(buf, sizeof buf) && strstr(buf, "/sub"))
        r |= 2;
    if (rl.rlim_cur == 200)
        r |= 4;
    return r;
}

static int child_closes(void *arg)
{
    int *p = arg;
    close(p[0]);
    return fcntl(p[0], F_GETFD) == -1 && errno == EBADF ? 0 : 1;
}

int main(void)
{
    tst_scratch();
    parent_pid = getpid();

    /* fork01: both sides see the right ids */
    TEST_EQ(in_child(child_ids, NULL), 3, "the child's getppid is the parent, its getpid is new");

    /* fork04/fork09: memory is copied */
    TEST_EQ(in_child(child_writes_memory, NULL), 0, "the child writes its own copy of a global");
    TEST_EQ(counter, 5, "the parent's global is unchanged");

    /* fork10: an inherited fd shares its offset with the parent */
    int fd = open("shared", O_RDWR | O_CREAT | O_TRUNC, 0644);
    TEST_EQ(write(fd, "parent", 6), 6, "parent writes 6 bytes");
    TEST_EQ(in_child(child_writes_fd, &fd), 0, "the child writes through the inherited fd");
    TEST_EQ(lseek(fd, 0, SEEK_CUR), 11, "the child's write moved the shared offset");
    char buf[64] = {0};
    TEST_CHECK(pread(fd, buf, sizeof buf - 1, 0) == 11 && !strcmp(buf, "parentchild"), "the file holds both writes in order");
    close(fd);

    /* fork05/fork06: dispositions and the mask are inherited, pending signals are not */
    signal(SIGUSR1, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);
    TEST_EQ(in_child(child_dispositions, NULL), 7, "SIG_IGN and the mask are inherited, a pending signal is not");
    sigset_t pend;
    sigpending(&pend);
    TEST_CHECK(sigismember(&pend, SIGUSR2), "the parent's signal is still pending");
    signal(SIGUSR2, SIG_IGN);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);

    /* cwd, umask and rlimits */
    mkdir("sub", 0755);
    chdir("sub");
    umask(027);
    struct rlimit rl, old_rl;
    getrlimit(RLIMIT_NOFILE, &old_rl);
    rl.rlim_cur = 200;
    rl.rlim_max = old_rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    TEST_EQ(in_child(child_env, NULL), 7, "the child has the parent's cwd, umask and RLIMIT_NOFILE");
    setrlimit(RLIMIT_NOFILE, &old_rl);
    umask(022);
    chdir("..");

    /* fork07: closing an inherited fd in the child leaves the parent's open */
    int p[2];
    pipe(p);
    TEST_EQ(in_child(child_closes, p), 0, "the child closes its copy of a pipe fd");
    TEST_EQ(fcntl(p[0], F_GETFD), 0, "the parent's fd is still open");
    /* fork11: the child's end of a pipe closing gives the parent end of file */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        write(p[1], "x", 1);
        _exit(0);
    }
    close(p[1]);
    char c;
    TEST_EQ(read(p[0], &c, 1), 1, "the parent reads what the child wrote");
    TEST_EQ(read(p[0], &c, 1), 0, "and end of file once the child is gone");
    close(p[0]);
    waitpid(pid, NULL, 0);

    /* MAP_SHARED is shared, MAP_PRIVATE is copied */
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *shared = 1;
    *private = 1;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        *shared = 42;
        *private = 42;
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    TEST_EQ(*shared, 42, "a MAP_SHARED page is shared with the child");
    TEST_EQ(*private, 1, "a MAP_PRIVATE page is copied");
    munmap(shared, 4096);
    munmap(private, 4096);

    /* fork13-ish: many children, all reaped, each with its own pid */
    enum { N = 30 };
    pid_t kids[N];
    int distinct = 1;
    fflush(stdout);
    for (int i = 0; i < N; i++) {
        kids[i] = fork();
        if (kids[i] == 0)
            _exit(i);
        for (int j = 0; j < i; j++)
            if (kids[j] == kids[i])
                distinct = 0;
    }
    int sum = 0, reaped = 0, status;
    for (int i = 0; i < N; i++)
        if (waitpid(kids[i], &status, 0) == kids[i] && WIFEXITED(status)) {
            sum += WEXITSTATUS(status);
            reaped++;
        }
    TEST_CHECK(distinct, "%d children have distinct pids", N);
    TEST_EQ(reaped, N, "every child is reaped");
    TEST_EQ(sum, N * (N - 1) / 2, "every exit status arrives");
    TEST_ERRNO(wait(NULL), ECHILD, "no child is left");

    /* vfork01/02: the child borrows the parent's memory until _exit; the parent waits */
    volatile int borrowed = 0;
    fflush(stdout);
    pid = vfork();
    if (pid == 0) {
        borrowed = 7;
        _exit(3);
    }
    TEST_EQ(borrowed, 7, "a vfork child writes the parent's memory");
    TEST_CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 3, "the vfork child's status arrives");

    /* exit statuses are taken modulo 256 */
    fflush(stdout);
    pid = fork();
    if (pid == 0)
        _exit(300);
    waitpid(pid, &status, 0);
    TEST_EQ(WEXITSTATUS(status), 300 & 0xff, "_exit(300) is seen as 44");

    /* clone flag combinations the kernel refuses */
    TEST_ERRNO(syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, 0, 0, 0, 0), EINVAL, "CLONE_SIGHAND without CLONE_VM");
    TEST_ERRNO(syscall(SYS_clone, CLONE_THREAD | SIGCHLD, 0, 0, 0, 0), EINVAL, "CLONE_THREAD without CLONE_SIGHAND");
    TEST_ERRNO(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0), EINVAL, "CLONE_NEWNS with CLONE_FS");

    return tst_exit();
}

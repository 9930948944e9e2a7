/* pidfd_open, pidfd_send_signal, poll on a pidfd and waitid(P_PIDFD), with their
 * errors: the results and errnos print, so a native run and vkemu compare. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define PIDFD_NONBLOCK O_NONBLOCK
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
/* clone3's argument, version 0 (musl has no <linux/sched.h>). */
struct clone_args0 {
    unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static int pidfd_open(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static int pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags) {
    return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

#define SHOW(tag, expr) do { errno = 0; long r_ = (long)(expr); \
        printf("%-40s %s\n", tag, r_ < 0 ? strerror(errno) : "ok"); } while (0)

static int readable(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static volatile sig_atomic_t got;
static void on_usr1(int sig, siginfo_t *si, void *ctx) { got = si->si_code == SI_QUEUE ? 2 : 1; }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    SHOW("pidfd_open(0)", pidfd_open(0, 0));
    SHOW("pidfd_open(-1)", pidfd_open(-1, 0));
    SHOW("pidfd_open(bad flags)", pidfd_open(getpid(), 1));
    SHOW("pidfd_open(no such pid)", pidfd_open(99999, 0));
    int self = pidfd_open(getpid(), 0);
    printf("own pidfd close-on-exec: %d\n", (fcntl(self, F_GETFD) & FD_CLOEXEC) != 0);
    printf("own pidfd readable while alive: %d\n", readable(self));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    SHOW("send SIGUSR1 to self", pidfd_send_signal(self, SIGUSR1, NULL, 0));
    printf("handler saw: %s\n", got == 1 ? "SI_USER" : got == 2 ? "SI_QUEUE" : "nothing");
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    got = 0;
    SHOW("send with a SI_QUEUE siginfo", pidfd_send_signal(self, SIGUSR1, &si, 0));
    printf("handler saw: %s\n", got == 1 ? "SI_USER" : got == 2 ? "SI_QUEUE" : "nothing");
    si.si_signo = SIGUSR2;
    SHOW("siginfo signo mismatch", pidfd_send_signal(self, SIGUSR1, &si, 0));
    SHOW("flag PIDFD_SIGNAL_THREAD", pidfd_send_signal(self, 0, NULL, 1));
    SHOW("two flags", pidfd_send_signal(self, 0, NULL, 3));
    setpgid(0, 0);
    SHOW("PIDFD_SIGNAL_PROCESS_GROUP, a leader", pidfd_send_signal(self, 0, NULL, 4));
    SHOW("an unknown flag", pidfd_send_signal(self, 0, NULL, 8));
    SHOW("bad signal", pidfd_send_signal(self, 100, NULL, 0));
    SHOW("not a pidfd", pidfd_send_signal(0, 0, NULL, 0));
    SHOW("closed fd", pidfd_send_signal(77, 0, NULL, 0));
    char c;
    SHOW("read a pidfd", read(self, &c, 1));
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d", getpid());
    int procdir = open(dir, O_RDONLY | O_DIRECTORY);
    got = 0;
    SHOW("send through an open /proc/PID", pidfd_send_signal(procdir, SIGUSR1, NULL, 0));
    printf("handler saw: %s\n", got == 1 ? "SI_USER" : got == 2 ? "SI_QUEUE" : "nothing");
    int procfile = open("/proc/self/status", O_RDONLY);
    SHOW("a /proc file is no pidfd", pidfd_send_signal(procfile, 0, NULL, 0));

    int go[2];
    pipe(go);
    pid_t child = fork();
    if (child == 0) {
        read(go[0], &c, 1);
        _exit(5);
    }
    int fd = pidfd_open(child, PIDFD_NONBLOCK);
    printf("child pidfd readable before exit: %d\n", readable(fd));
    siginfo_t info;
    memset(&info, 0, sizeof info);
    SHOW("waitid P_PIDFD, nonblocking, running", waitid(P_PIDFD, fd, &info, WEXITED));
    SHOW("the same with WNOHANG", waitid(P_PIDFD, fd, &info, WEXITED | WNOHANG));
    SHOW("signal 0 to the running child", pidfd_send_signal(fd, 0, NULL, 0));
    si.si_signo = SIGUSR1;
    si.si_code = 0;
    SHOW("kernel si_code to another process", pidfd_send_signal(fd, SIGUSR1, &si, 0));
    write(go[1], "x", 1);
    struct pollfd p = {fd, POLLIN, 0};
    int n = poll(&p, 1, 5000);
    printf("poll until exit: %d revents POLLIN %d\n", n, (p.revents & POLLIN) != 0);
    SHOW("signal 0 to the zombie", pidfd_send_signal(fd, 0, NULL, 0));
    int blocking = pidfd_open(child, 0);
    SHOW("pidfd_open of the zombie", blocking);
    memset(&info, 0, sizeof info);
    SHOW("waitid P_PIDFD", waitid(P_PIDFD, blocking, &info, WEXITED));
    printf("status %d code %d pid matches %d\n", info.si_status, info.si_code, info.si_pid == child);
    SHOW("signal 0 after the reap", pidfd_send_signal(fd, 0, NULL, 0));
    SHOW("pidfd_open after the reap", pidfd_open(child, 0));
    SHOW("waitid P_PIDFD on a non-pidfd", waitid(P_PIDFD, 0, &info, WEXITED));

    /* clone3 with CLONE_PIDFD: the parent gets a close-on-exec pidfd for the child. */
    struct clone_args0 ca;
    memset(&ca, 0, sizeof ca);
    int cfd = -1;
    ca.flags = CLONE_PIDFD;
    ca.pidfd = (unsigned long)&cfd;
    ca.exit_signal = SIGCHLD;
    long pid3 = syscall(SYS_clone3, &ca, sizeof ca);
    if (pid3 == 0)
        _exit(6);
    printf("clone3 CLONE_PIDFD: pidfd %s, close-on-exec %d\n", cfd >= 0 ? "set" : "unset",
           cfd >= 0 && (fcntl(cfd, F_GETFD) & FD_CLOEXEC) != 0);
    memset(&info, 0, sizeof info);
    SHOW("waitid on it", waitid(P_PIDFD, cfd, &info, WEXITED));
    printf("status %d pid matches %d\n", info.si_status, info.si_pid == pid3);
    return 0;
}

/* wait(2), waitpid(2), wait4(2) and waitid(2) in the manner of LTP's wait01-02,
 * waitpid01-13, wait401-402 and waitid01-11: statuses of exits and signal deaths,
 * WNOHANG, which children a pid argument selects (a pid, -1, 0, -pgid), reaping
 * order, WNOWAIT, siginfo fields, stopped and continued children, and the errors. */
#define TCID "wait"
#include "tst.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static pid_t child_exit(int code)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(code);
    return pid;
}

static pid_t child_pause(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

int main(void)
{
    int status;
    pid_t pid, w;

    /* wait01/waitpid02: nothing to wait for */
    TEST_ERRNO(wait(&status), ECHILD, "wait without children");
    TEST_ERRNO(waitpid(-1, &status, WNOHANG), ECHILD, "waitpid WNOHANG without children");
    TEST_ERRNO(waitpid(1, &status, 0), ECHILD, "waitpid of a process that is not a child");
    TEST_ERRNO(waitpid(-1, &status, 0x40000000 >> 8), EINVAL, "waitpid with an unknown option");

    /* exit codes */
    pid = child_exit(7);
    w = wait(&status);
    TEST_EQ(w, pid, "wait returns the child's pid");
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7 && !WIFSIGNALED(status), "WIFEXITED, WEXITSTATUS 7");
    pid = child_exit(0);
    TEST_CHECK(waitpid(pid, &status, 0) == pid && status == 0, "_exit(0) gives status 0");
    pid = child_exit(0);
    TEST_CHECK(waitpid(pid, NULL, 0) == pid, "a NULL status pointer is allowed");

    /* signal deaths */
    pid = child_pause();
    kill(pid, SIGKILL);
    TEST_CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
               "WIFSIGNALED, WTERMSIG SIGKILL");
    TEST_CHECK(!WCOREDUMP(status), "no core flag for SIGKILL");
    pid = child_pause();
    kill(pid, SIGTERM);
    TEST_CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
               "WTERMSIG SIGTERM");
    struct rlimit nocore = {0, 0};
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        setrlimit(RLIMIT_CORE, &nocore);
        abort();
    }
    TEST_CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
               "abort() gives WTERMSIG SIGABRT");
    TEST_CHECK(!WCOREDUMP(status), "no core flag with RLIMIT_CORE 0");

    /* waitpid03: WNOHANG with a live child, then a blocking wait */
    pid = child_pause();
    TEST_EQ(waitpid(pid, &status, WNOHANG), 0, "WNOHANG with a running child returns 0");
    kill(pid, SIGKILL);
    TEST_EQ(waitpid(pid, &status, 0), pid, "then the killed child is reaped");

    /* waitpid with a specific pid leaves the others; reaping order of zombies */
    pid_t a = child_exit(1), b = child_exit(2), c = child_exit(3);
    TEST_CHECK(waitpid(b, &status, 0) == b && WEXITSTATUS(status) == 2, "waitpid picks the named child");
    usleep(50000);
    int sum = 0;
    for (int i = 0; i < 2; i++) {
        w = waitpid(-1, &status, 0);
        if (w == a || w == c)
            sum += WEXITSTATUS(status);
    }
    TEST_EQ(sum, 4, "waitpid(-1) collects the other two");
    TEST_ERRNO(waitpid(a, &status, 0), ECHILD, "a reaped child cannot be waited for again");

    /* process groups: waitpid(0, ...) and waitpid(-pgid, ...) */
    int sync[2];
    pipe(sync);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        close(sync[0]);
        write(sync[1], "x", 1);
        pause();
        _exit(0);
    }
    close(sync[1]);
    char ch;
    read(sync[0], &ch, 1);
    close(sync[0]);
    TEST_EQ(getpgid(pid), pid, "the child made its own process group");
    TEST_EQ(getpgid(0), getpgrp(), "getpgid(0) is getpgrp()");
    TEST_EQ(waitpid(0, &status, WNOHANG), -1, "waitpid(0) sees no child in the caller's group");
    kill(-pid, SIGKILL);
    TEST_EQ(waitpid(-pid, &status, 0), pid, "waitpid(-pgid) reaps the child in that group (killed through kill(-pgid))");
    TEST_ERRNO(setpgid(getpid(), 999999), EPERM, "setpgid to a group that does not exist");
    TEST_ERRNO(setpgid(999999, 0), ESRCH, "setpgid of a process that is not a child");
    TEST_ERRNO(setpgid(0, -1), EINVAL, "setpgid to a negative group");

    /* waitid: WEXITED, WNOWAIT, siginfo */
    siginfo_t si;
    pid = child_exit(5);
    memset(&si, 0xff, sizeof si);
    TEST_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0, "waitid WNOWAIT");
    TEST_CHECK(si.si_pid == pid && si.si_signo == SIGCHLD && si.si_code == CLD_EXITED && si.si_status == 5,
               "siginfo: si_pid, SIGCHLD, CLD_EXITED, si_status 5");
    TEST_EQ(waitid(P_PID, pid, &si, WEXITED), 0, "waitid again reaps it");
    TEST_ERRNO(waitid(P_PID, pid, &si, WEXITED), ECHILD, "then it is gone");
    pid = child_pause();
    memset(&si, 0xff, sizeof si);
    TEST_EQ(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), 0, "waitid WNOHANG with nothing ready returns 0");
    TEST_EQ(si.si_pid, 0, "and zeroes si_pid");
    kill(pid, SIGTERM);
    TEST_EQ(waitid(P_ALL, 0, &si, WEXITED), 0, "waitid P_ALL");
    TEST_CHECK(si.si_code == CLD_KILLED && si.si_status == SIGTERM, "CLD_KILLED with si_status SIGTERM");
    TEST_ERRNO(waitid(P_ALL, 0, &si, 0), EINVAL, "waitid with no event to wait for");
    TEST_ERRNO(waitid(7, 0, &si, WEXITED), EINVAL, "waitid with a bad idtype");

    /* wait4 with rusage */
    struct rusage ru;
    pid = child_exit(9);
    TEST_CHECK(wait4(pid, &status, 0, &ru) == pid && WEXITSTATUS(status) == 9, "wait4 with an rusage");

    /* stopped and continued children (waitpid05/13, waitid WSTOPPED/WCONTINUED) */
    pid = child_pause();
    kill(pid, SIGSTOP);
    w = waitpid(pid, &status, WUNTRACED);
    TEST_CHECK(w == pid && WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "WUNTRACED reports a stopped child");
    TEST_EQ(waitpid(pid, &status, WUNTRACED | WNOHANG), 0, "a stop is reported once");
    kill(pid, SIGCONT);
    w = waitpid(pid, &status, WCONTINUED);
    TEST_CHECK(w == pid && WIFCONTINUED(status), "WCONTINUED reports the continued child");
    kill(pid, SIGSTOP);
    memset(&si, 0, sizeof si);
    TEST_EQ(waitid(P_PID, pid, &si, WSTOPPED), 0, "waitid WSTOPPED");
    TEST_CHECK(si.si_code == CLD_STOPPED && si.si_status == SIGSTOP, "CLD_STOPPED with si_status SIGSTOP");
    kill(pid, SIGKILL);
    TEST_CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
               "a stopped child dies of SIGKILL");

    /* SIGCHLD ignored: children are reaped by the kernel (wait then fails) */
    signal(SIGCHLD, SIG_IGN);
    child_exit(1);
    TEST_ERRNO(wait(&status), ECHILD, "with SIGCHLD ignored, wait finds no zombie");
    signal(SIGCHLD, SIG_DFL);

    return tst_exit();
}

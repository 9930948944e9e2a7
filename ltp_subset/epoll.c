/* epoll(7) in the manner of LTP's epoll_create01-02, epoll_ctl01-05 and
 * epoll_wait01-04: creation flags, ctl errors and loops, level/edge/oneshot reporting
 * over a pipe, an epoll woken by another process, timeouts, and bad arguments. */
#define TCID "epoll"
#include "tst.h"
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>

int main(void)
{
    int p[2];
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = 0}, out[4];

    pipe(p);
    TEST_ERRNO(syscall(SYS_epoll_create, 0), EINVAL, "epoll_create(0) (the syscall: musl's wrapper does not pass the size)");
    TEST_ERRNO(epoll_create1(0x1234), EINVAL, "epoll_create1 with unknown flags");
    int ep = TEST_OK(epoll_create1(EPOLL_CLOEXEC), "epoll_create1(EPOLL_CLOEXEC)");
    TEST_EQ(fcntl(ep, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC, "EPOLL_CLOEXEC sets close-on-exec");
    int ep2 = TEST_OK(epoll_create(1), "epoll_create(1)");

    /* epoll_ctl */
    ev.data.fd = p[0];
    TEST_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), "add the read end");
    TEST_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST, "add it twice");
    TEST_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT, "modify what is not there");
    TEST_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev), ENOENT, "delete what is not there");
    TEST_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL, "an epoll in itself");
    TEST_ERRNO(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL, "epfd that is not an epoll");
    TEST_ERRNO(epoll_ctl(ep, -1, p[1], &ev), EINVAL, "an unknown op");
    TEST_ERRNO(epoll_ctl(-1, EPOLL_CTL_ADD, p[1], &ev), EBADF, "a bad epfd");
    TEST_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev), EBADF, "a bad fd");
    TEST_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], TST_BADPTR), EFAULT, "a bad event pointer");
    int file = open("/etc/passwd", O_RDONLY);
    TEST_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev), EPERM, "a regular file");
    TEST_OK(epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev), "an epoll inside another");
    TEST_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev), ELOOP, "a loop of epolls");
    struct epoll_event ex = {.events = EPOLLIN | EPOLLEXCLUSIVE};
    TEST_ERRNO(epoll_ctl(ep2, EPOLL_CTL_ADD, ep2 + 100, &ex), EBADF, "EPOLLEXCLUSIVE on a bad fd");
    TEST_ERRNO(epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ex), EINVAL, "EPOLLEXCLUSIVE on an epoll");

    /* epoll_wait */
    TEST_EQ(epoll_wait(ep, out, 4, 0), 0, "nothing ready on an empty pipe");
    write(p[1], "abc", 3);
    TEST_EQ(epoll_wait(ep, out, 4, 0), 1, "one ready after a write");
    TEST_EQ(out[0].events, EPOLLIN, "EPOLLIN");
    TEST_EQ(out[0].data.fd, p[0], "data is what was registered");
    TEST_EQ(epoll_wait(ep, out, 4, 0), 1, "level-triggered: again");
    TEST_EQ(epoll_wait(ep2, out, 4, 0), 1, "the outer epoll is readable");
    ev.events = EPOLLIN | EPOLLET;
    TEST_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), "switch to edge-triggered");
    TEST_EQ(epoll_wait(ep, out, 4, 0), 1, "MOD reports what is ready");
    TEST_EQ(epoll_wait(ep, out, 4, 0), 0, "edge-triggered: not again");
    write(p[1], "d", 1);
    TEST_EQ(epoll_wait(ep, out, 4, 0), 1, "a new write is a new edge");
    ev.events = EPOLLIN | EPOLLONESHOT;
    TEST_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), "switch to one-shot");
    TEST_EQ(epoll_wait(ep, out, 4, 0), 1, "one-shot: once");
    write(p[1], "e", 1);
    TEST_EQ(epoll_wait(ep, out, 4, 0), 0, "one-shot: disabled after");
    char buf[16];
    read(p[0], buf, sizeof buf);
    TEST_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), "delete");

    ev.events = EPOLLOUT;
    ev.data.fd = p[1];
    TEST_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), "add the write end");
    TEST_EQ(epoll_wait(ep, out, 4, 0), 1, "an empty pipe is writable");
    TEST_EQ(out[0].events, EPOLLOUT, "EPOLLOUT");
    close(p[0]);
    TEST_EQ(epoll_wait(ep, out, 4, 0), 1, "no reader");
    TEST_EQ(out[0].events, EPOLLOUT | EPOLLERR, "EPOLLOUT|EPOLLERR without a reader");

    /* woken by another process */
    int q[2];
    pipe(q);
    int ep3 = epoll_create1(0);
    ev.events = EPOLLIN;
    ev.data.u64 = 0x1122334455667788ULL;
    epoll_ctl(ep3, EPOLL_CTL_ADD, q[0], &ev);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(50000);
        write(q[1], "x", 1);
        _exit(0);
    }
    TEST_EQ(epoll_wait(ep3, out, 4, 10000), 1, "woken by a child's write");
    TEST_EQ(out[0].data.u64, 0x1122334455667788ULL, "64-bit data");
    waitpid(pid, NULL, 0);
    read(q[0], buf, 1);
    TEST_EQ(epoll_wait(ep3, out, 4, 50), 0, "a timeout");
    sigset_t none;
    sigemptyset(&none);
    TEST_EQ(epoll_pwait(ep3, out, 4, 10, &none), 0, "epoll_pwait times out too");

    TEST_ERRNO(epoll_wait(ep3, out, 0, 0), EINVAL, "maxevents 0");
    TEST_ERRNO(epoll_wait(ep3, out, -1, 0), EINVAL, "maxevents -1");
    TEST_ERRNO(epoll_wait(-1, out, 1, 0), EBADF, "a bad epfd");
    TEST_ERRNO(epoll_wait(q[0], out, 1, 0), EINVAL, "not an epoll");
    write(q[1], "y", 1);
    TEST_ERRNO(epoll_wait(ep3, TST_BADPTR, 1, 0), EFAULT, "a bad events pointer");
    return tst_exit();
}

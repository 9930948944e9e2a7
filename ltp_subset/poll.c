/* poll(2)/ppoll(2) in the manner of LTP's poll01-02 and ppoll01: pipe readiness
 * (POLLIN, POLLOUT, POLLHUP, POLLERR), POLLNVAL, negative fds, timeouts, a poll woken
 * by another process writing, and the errors. */
#define TCID "poll"
#include "tst.h"
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static long elapsed_ms(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

int main(void)
{
    int p[2];
    struct pollfd fds[3];
    struct timespec start;

    signal(SIGPIPE, SIG_IGN);
    pipe(p);

    /* an empty pipe: the write end is ready, the read end is not */
    fds[0] = (struct pollfd){p[0], POLLIN, 0x7777};
    fds[1] = (struct pollfd){p[1], POLLOUT, 0x7777};
    TEST_EQ(poll(fds, 2, 0), 1, "one fd ready on an empty pipe");
    TEST_EQ(fds[0].revents, 0, "the read end has no events (revents cleared)");
    TEST_EQ(fds[1].revents, POLLOUT, "the write end is POLLOUT");

    /* data in: POLLIN, with POLLRDNORM when asked */
    write(p[1], "abc", 3);
    fds[0].events = POLLIN | POLLRDNORM;
    TEST_EQ(poll(fds, 1, 0), 1, "the read end is ready once data is in");
    TEST_EQ(fds[0].revents, POLLIN | POLLRDNORM, "POLLIN|POLLRDNORM");
    fds[0].events = POLLOUT;
    TEST_EQ(poll(fds, 1, 0), 0, "POLLOUT is never reported on a read end");

    /* a timeout with nothing ready */
    char buf[8];
    read(p[0], buf, sizeof buf);
    fds[0].events = POLLIN;
    clock_gettime(CLOCK_MONOTONIC, &start);
    TEST_EQ(poll(fds, 1, 100), 0, "poll times out with no data");
    TEST_CHECK(elapsed_ms(&start) >= 90, "after about the timeout");
    struct timespec ts = {0, 50 * 1000000};
    TEST_EQ(ppoll(fds, 1, &ts, NULL), 0, "ppoll times out too");

    /* a full pipe is not writable */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    while (write(p[1], buf, sizeof buf) > 0)
        ;
    fds[1] = (struct pollfd){p[1], POLLOUT, 0};
    TEST_EQ(poll(&fds[1], 1, 0), 0, "a full pipe is not POLLOUT");
    char big[65536];
    read(p[0], big, sizeof big);
    TEST_EQ(poll(&fds[1], 1, 0), 1, "room again after a read");

    /* another process writes: a blocking poll wakes */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(50000);
        write(p[1], "x", 1);
        _exit(0);
    }
    fds[0] = (struct pollfd){p[0], POLLIN, 0};
    TEST_EQ(poll(fds, 1, -1), 1, "poll without a timeout wakes when a child writes");
    TEST_EQ(fds[0].revents, POLLIN, "with POLLIN");
    waitpid(pid, NULL, 0);
    read(p[0], buf, 1);

    /* hang-up and error */
    close(p[1]);
    fds[0] = (struct pollfd){p[0], POLLIN, 0};
    TEST_EQ(poll(fds, 1, 0), 1, "the read end reports the writer gone");
    TEST_EQ(fds[0].revents, POLLHUP, "POLLHUP, even though not asked for");
    close(p[0]);
    pipe(p);
    close(p[0]);
    fds[0] = (struct pollfd){p[1], 0, 0};
    TEST_EQ(poll(fds, 1, 0), 1, "the write end reports the reader gone");
    TEST_EQ(fds[0].revents, POLLERR, "POLLERR with no events asked for");
    close(p[1]);

    /* closed and negative fds, regular files */
    int fd = open("/proc/self/exe", O_RDONLY);
    fds[0] = (struct pollfd){fd, POLLIN | POLLOUT, 0};
    fds[1] = (struct pollfd){-1, POLLIN, 0x55};
    fds[2] = (struct pollfd){999, POLLIN, 0};
    TEST_EQ(poll(fds, 3, 0), 2, "a file and a closed fd are ready, a negative fd is ignored");
    TEST_EQ(fds[0].revents, POLLIN | POLLOUT, "a regular file is always readable and writable");
    TEST_EQ(fds[1].revents, 0, "a negative fd gets revents 0");
    TEST_EQ(fds[2].revents, POLLNVAL, "a closed fd gets POLLNVAL");
    close(fd);

    /* errors */
    TEST_EQ(poll(NULL, 0, 10), 0, "poll with no fds sleeps and returns 0");
    TEST_ERRNO(poll(TST_BADPTR, 1, 0), EFAULT, "a bad pollfd pointer");
    TEST_ERRNO(poll(fds, 1u << 30, 0), EINVAL, "nfds above RLIMIT_NOFILE");
    ts.tv_nsec = 2000000000;
    TEST_ERRNO(ppoll(fds, 1, &ts, NULL), EINVAL, "ppoll with a bad timespec");

    return tst_exit();
}

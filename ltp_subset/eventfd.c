/* eventfd(2)/eventfd2 in the manner of LTP's eventfd01-06 and eventfd2_01-03: the
 * counter (a read takes it all), EFD_SEMAPHORE (a read takes one), EFD_NONBLOCK
 * EAGAIN, the overflow limit 0xfffffffffffffffe, the EINVAL rules of short buffers and
 * of the value 0xffffffffffffffff, poll readiness, a counter shared across fork() with
 * blocked readers and writers woken by the other process, and bad flags. */
#define TCID "eventfd"
#include "tst.h"
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

static int wr(int fd, uint64_t v)
{
    return (int)write(fd, &v, sizeof v);
}

static uint64_t rd(int fd)
{
    uint64_t v = 0xdeadbeef;
    if (read(fd, &v, sizeof v) != sizeof v)
        return 0xdeadbeef;
    return v;
}

static short revents(int fd, short events)
{
    struct pollfd p = {fd, events, 0};
    if (poll(&p, 1, 0) < 0)
        return -1;
    return p.revents;
}

int main(void)
{
    uint64_t v;
    char small[4], big[16];

    /* eventfd01: the initial value, a read takes the whole count and resets it */
    int fd = TEST_OK(eventfd(3, 0), "eventfd(3, 0)");
    TEST_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0, "without EFD_NONBLOCK the fd blocks");
    TEST_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0, "without EFD_CLOEXEC no close-on-exec");
    TEST_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR, "an eventfd is O_RDWR");
    TEST_EQ(rd(fd), 3, "read returns the initial value");
    TEST_EQ(wr(fd, 5), 8, "write 5 returns 8 bytes");
    TEST_EQ(wr(fd, 7), 8, "write 7");
    TEST_EQ(rd(fd), 12, "writes add up");
    TEST_EQ(wr(fd, 0), 8, "writing 0 is allowed");
    TEST_EQ(revents(fd, POLLIN), 0, "writing 0 does not make it readable");

    /* short buffers and the forbidden value */
    wr(fd, 1);
    TEST_ERRNO(read(fd, small, sizeof small), EINVAL, "read with a 4-byte buffer");
    TEST_ERRNO(write(fd, small, sizeof small), EINVAL, "write with a 4-byte buffer");
    TEST_ERRNO(wr(fd, 0xffffffffffffffffULL), EINVAL, "write 0xffffffffffffffff");
    memset(big, 0, sizeof big);
    TEST_EQ(read(fd, big, sizeof big), 8, "a 16-byte read returns 8 bytes");
    memcpy(&v, big, 8);
    TEST_EQ(v, 1, "the count survived the failed calls");
    TEST_EQ(lseek(fd, 0, SEEK_SET), 0, "lseek on an eventfd does nothing");
    TEST_ERRNO(pread(fd, big, 8, 0), ESPIPE, "pread on an eventfd");
    TEST_ERRNO(write(fd, TST_BADPTR, 8), EFAULT, "write from a bad pointer");
    wr(fd, 1);
    TEST_ERRNO(read(fd, TST_BADPTR, 8), EFAULT, "read into a bad pointer (with a count to take)");
    close(fd);

    /* eventfd04 / eventfd2_03: EFD_NONBLOCK */
    fd = TEST_OK(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd(0, EFD_NONBLOCK|EFD_CLOEXEC)");
    TEST_CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "EFD_NONBLOCK sets O_NONBLOCK");
    TEST_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC, "EFD_CLOEXEC sets close-on-exec");
    TEST_ERRNO(read(fd, &v, 8), EAGAIN, "read of a zero count without blocking");

    /* eventfd05: overflow.  The largest count is 0xfffffffffffffffe. */
    TEST_EQ(wr(fd, 0xfffffffffffffffeULL), 8, "write the largest count");
    TEST_ERRNO(wr(fd, 1), EAGAIN, "one more overflows: EAGAIN");
    TEST_EQ(wr(fd, 0), 8, "adding 0 at the maximum is fine");
    TEST_EQ(revents(fd, POLLIN | POLLOUT), POLLIN, "at the maximum: readable, not writable");
    TEST_EQ(rd(fd), 0xfffffffffffffffeULL, "read the largest count");
    TEST_EQ(revents(fd, POLLIN | POLLOUT), POLLOUT, "after the read: writable, not readable");
    TEST_EQ(wr(fd, 0xfffffffffffffffdULL), 8, "write one below the maximum");
    TEST_EQ(revents(fd, POLLIN | POLLOUT), POLLIN | POLLOUT, "one below the maximum: readable and writable");
    TEST_EQ(wr(fd, 1), 8, "then one more reaches the maximum");
    TEST_ERRNO(wr(fd, 1), EAGAIN, "and the next overflows");
    rd(fd);
    TEST_EQ(revents(fd, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM), POLLOUT,
            "an eventfd reports POLLOUT without POLLWRNORM");
    wr(fd, 1);
    TEST_EQ(revents(fd, POLLIN | POLLRDNORM), POLLIN, "and POLLIN without POLLRDNORM");
    rd(fd);
    close(fd);

    /* eventfd02/03: EFD_SEMAPHORE */
    fd = TEST_OK(eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK), "eventfd(3, EFD_SEMAPHORE|EFD_NONBLOCK)");
    TEST_EQ(rd(fd), 1, "a semaphore read takes 1 (of 3)");
    TEST_EQ(rd(fd), 1, "again (of 2)");
    TEST_EQ(wr(fd, 4), 8, "a semaphore write adds 4");
    int n = 0;
    while (read(fd, &v, 8) == 8 && v == 1)
        n++;
    TEST_EQ(n, 5, "five more reads of 1 empty it");
    TEST_EQ(errno, EAGAIN, "then EAGAIN");
    close(fd);

    /* eventfd06-style readiness under poll with a timeout */
    fd = eventfd(0, 0);
    struct pollfd pf = {fd, POLLIN, 0};
    TEST_EQ(poll(&pf, 1, 20), 0, "poll on a zero count times out");
    wr(fd, 9);
    TEST_EQ(poll(&pf, 1, 1000), 1, "poll after a write");
    TEST_EQ(pf.revents, POLLIN, "POLLIN");
    rd(fd);

    /* fork: one counter, two processes; a blocked read woken by the child's write */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(30000);
        wr(fd, 40);
        wr(fd, 2);
        _exit(0);
    }
    v = rd(fd);
    TEST_CHECK(v == 40 || v == 42, "a blocking read wakes when the child writes");
    int status;
    waitpid(pid, &status, 0);
    if (v == 40)
        v += rd(fd);
    TEST_EQ(v, 42, "the child's writes reach the parent's counter");

    /* a blocked write at the maximum, woken by the child's read */
    wr(fd, 0xfffffffffffffffeULL);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        usleep(30000);
        _exit(rd(fd) == 0xfffffffffffffffeULL ? 0 : 1);
    }
    TEST_EQ(wr(fd, 5), 8, "a blocking write at the maximum wakes when the child reads");
    waitpid(pid, &status, 0);
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child read the maximum");
    TEST_EQ(rd(fd), 5, "the parent's write landed after the child's read");
    close(fd);

    /* bad flags, and the old eventfd syscall */
    TEST_ERRNO(eventfd(0, 0x1000000), EINVAL, "eventfd2 with an unknown flag");
    TEST_ERRNO(eventfd(0, O_APPEND), EINVAL, "eventfd2 with O_APPEND");
    TEST_ERRNO(eventfd(0, EFD_SEMAPHORE | O_RDONLY | 0x4), EINVAL, "eventfd2 with flag bit 2");
    fd = TEST_OK(syscall(SYS_eventfd, 7), "the eventfd syscall (no flags)");
    TEST_EQ(rd(fd), 7, "its initial value");
    TEST_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0, "it blocks");
    close(fd);
    TEST_ERRNO(read(fd, &v, 8), EBADF, "read of a closed eventfd");

    return tst_exit();
}

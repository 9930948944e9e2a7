/* timerfd in the manner of LTP's timerfd01-04, timerfd_create01, timerfd_gettime01 and
 * timerfd_settime01-02: creation flags and errors, relative and absolute arming on
 * CLOCK_MONOTONIC and CLOCK_REALTIME, periodic timers whose read returns the count of
 * expirations, the time remaining, disarming, re-arming resets the count, TFD_NONBLOCK
 * EAGAIN, short reads, poll readiness, a timer shared across fork(), and the EINVAL,
 * EBADF and EFAULT cases.  Timings are coarse and only lower bounds are checked. */
#define TCID "timerfd"
#include "tst.h"
#include <poll.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#define MS 1000000L

static long elapsed_ms(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static int arm(int fd, long value_ns, long interval_ns)
{
    struct itimerspec its = {
        .it_interval = {interval_ns / 1000000000L, interval_ns % 1000000000L},
        .it_value = {value_ns / 1000000000L, value_ns % 1000000000L},
    };
    return timerfd_settime(fd, 0, &its, NULL);
}

static uint64_t ticks(int fd)
{
    uint64_t v = 0;
    if (read(fd, &v, sizeof v) != sizeof v)
        return 0xdeadbeef;
    return v;
}

static long ts_ns(const struct timespec *t)
{
    return t->tv_sec * 1000000000L + t->tv_nsec;
}

int main(void)
{
    struct itimerspec its, old;
    struct timespec start;
    uint64_t v;
    char small[4];

    /* timerfd_create01: bad clocks and flags */
    TEST_ERRNO(timerfd_create(-1, 0), EINVAL, "timerfd_create with clock -1");
    TEST_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL, "timerfd_create with a CPU-time clock");
    TEST_ERRNO(timerfd_create(CLOCK_MONOTONIC_RAW, 0), EINVAL, "timerfd_create with CLOCK_MONOTONIC_RAW");
    TEST_ERRNO(timerfd_create(CLOCK_MONOTONIC, -1), EINVAL, "timerfd_create with flags -1");
    TEST_ERRNO(timerfd_create(CLOCK_MONOTONIC, O_APPEND), EINVAL, "timerfd_create with O_APPEND");

    /* timerfd02/03: TFD_CLOEXEC and TFD_NONBLOCK */
    int fd = TEST_OK(timerfd_create(CLOCK_MONOTONIC, 0), "timerfd_create(CLOCK_MONOTONIC, 0)");
    TEST_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0, "no close-on-exec by default");
    TEST_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0, "blocking by default");
    TEST_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR, "a timerfd is O_RDWR");
    close(fd);
    fd = TEST_OK(timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK), "timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC|TFD_NONBLOCK)");
    TEST_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC, "TFD_CLOEXEC sets close-on-exec");
    TEST_CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "TFD_NONBLOCK sets O_NONBLOCK");
    close(fd);
    fd = TEST_OK(timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK), "timerfd_create(CLOCK_BOOTTIME)");
    close(fd);

    /* a new timer is disarmed */
    fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    memset(&its, 0x55, sizeof its);
    TEST_OK(timerfd_gettime(fd, &its), "timerfd_gettime of a new timer");
    TEST_CHECK(its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0 &&
               its.it_interval.tv_sec == 0 && its.it_interval.tv_nsec == 0, "a new timer is disarmed");
    TEST_ERRNO(read(fd, &v, 8), EAGAIN, "read of a disarmed TFD_NONBLOCK timer");
    TEST_ERRNO(read(fd, small, sizeof small), EINVAL, "read with a 4-byte buffer");

    /* timerfd01: a relative one-shot timer */
    clock_gettime(CLOCK_MONOTONIC, &start);
    TEST_OK(arm(fd, 50 * MS, 0), "arm 50 ms relative");
    TEST_ERRNO(read(fd, &v, 8), EAGAIN, "read before it expires: EAGAIN");
    TEST_OK(timerfd_gettime(fd, &its), "timerfd_gettime while armed");
    TEST_CHECK(ts_ns(&its.it_value) > 0 && ts_ns(&its.it_value) <= 50 * MS, "the time left is in (0, 50 ms]");
    TEST_EQ(ts_ns(&its.it_interval), 0, "no interval");
    struct pollfd pf = {fd, POLLIN, 0};
    TEST_EQ(poll(&pf, 1, 0), 0, "not readable before it expires");
    TEST_EQ(poll(&pf, 1, 5000), 1, "poll wakes when it expires");
    TEST_EQ(pf.revents, POLLIN, "POLLIN");
    TEST_CHECK(elapsed_ms(&start) >= 45, "after about 50 ms");
    TEST_EQ(ticks(fd), 1, "read: one expiration");
    TEST_ERRNO(read(fd, &v, 8), EAGAIN, "the read took the count");
    TEST_OK(timerfd_gettime(fd, &its), "timerfd_gettime after it expired");
    TEST_EQ(ts_ns(&its.it_value), 0, "an expired one-shot timer is disarmed");

    /* a periodic timer: read returns every expiration since the last read */
    TEST_OK(arm(fd, 20 * MS, 20 * MS), "arm 20 ms with a 20 ms interval");
    TEST_OK(timerfd_gettime(fd, &old), "timerfd_gettime of a periodic timer");
    TEST_EQ(ts_ns(&old.it_interval), 20 * MS, "gettime returns the interval");
    usleep(110 * 1000);
    v = ticks(fd);
    TEST_CHECK(v >= 5 && v != 0xdeadbeef, "at least 5 expirations in 110 ms");
    TEST_OK(timerfd_gettime(fd, &its), "timerfd_gettime after the read");
    TEST_CHECK(ts_ns(&its.it_value) > 0 && ts_ns(&its.it_value) <= 20 * MS, "the next expiry is within an interval");
    fcntl(fd, F_SETFL, 0);
    v = ticks(fd);
    TEST_CHECK(v >= 1 && v != 0xdeadbeef, "a blocking read waits for the next expiration");
    fcntl(fd, F_SETFL, O_NONBLOCK);

    /* settime returns the old setting; disarming */
    memset(&its, 0, sizeof its);
    TEST_OK(timerfd_settime(fd, 0, &its, &old), "disarm with a zero it_value");
    TEST_EQ(ts_ns(&old.it_interval), 20 * MS, "the old setting's interval");
    TEST_CHECK(ts_ns(&old.it_value) > 0 && ts_ns(&old.it_value) <= 20 * MS, "the old setting's time left");
    usleep(50 * 1000);
    TEST_ERRNO(read(fd, &v, 8), EAGAIN, "a disarmed timer does not expire");
    TEST_OK(timerfd_gettime(fd, &its), "timerfd_gettime after disarming");
    TEST_CHECK(ts_ns(&its.it_value) == 0 && ts_ns(&its.it_interval) == 0, "disarmed: both zero");
    its.it_interval.tv_nsec = 10 * MS;
    TEST_OK(timerfd_settime(fd, 0, &its, NULL), "an interval with a zero it_value");
    usleep(30 * 1000);
    TEST_ERRNO(read(fd, &v, 8), EAGAIN, "still disarmed");
    TEST_OK(timerfd_gettime(fd, &its), "timerfd_gettime");
    TEST_EQ(ts_ns(&its.it_value), 0, "it_value is zero");
    TEST_EQ(ts_ns(&its.it_interval), 10 * MS, "gettime still returns the interval");

    /* re-arming resets the count */
    arm(fd, 1 * MS, 0);
    usleep(20 * 1000);
    TEST_EQ(poll(&pf, 1, 0), 1, "expired");
    TEST_OK(arm(fd, 10000 * MS, 0), "re-arm for 10 s");
    TEST_ERRNO(read(fd, &v, 8), EAGAIN, "re-arming dropped the expiration");
    TEST_OK(timerfd_gettime(fd, &its), "timerfd_gettime");
    TEST_CHECK(its.it_value.tv_sec >= 5 && ts_ns(&its.it_value) <= 10000 * MS, "about 10 s left");
    close(fd);

    /* absolute timers */
    fd = timerfd_create(CLOCK_MONOTONIC, 0);
    clock_gettime(CLOCK_MONOTONIC, &start);
    its = (struct itimerspec){{0, 0}, start};
    its.it_value.tv_nsec += 60 * MS;
    if (its.it_value.tv_nsec >= 1000000000L) {
        its.it_value.tv_sec++;
        its.it_value.tv_nsec -= 1000000000L;
    }
    TEST_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL), "arm CLOCK_MONOTONIC absolute, 60 ms ahead");
    TEST_OK(timerfd_gettime(fd, &its), "timerfd_gettime of an absolute timer");
    TEST_CHECK(ts_ns(&its.it_value) > 0 && ts_ns(&its.it_value) <= 60 * MS, "gettime is relative: (0, 60 ms]");
    TEST_EQ(ticks(fd), 1, "a blocking read returns one expiration");
    TEST_CHECK(elapsed_ms(&start) >= 55, "at the absolute time");
    its = (struct itimerspec){{0, 0}, {1, 0}};
    TEST_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL), "arm at an absolute time long past");
    TEST_EQ(ticks(fd), 1, "it expires at once");
    close(fd);

    fd = timerfd_create(CLOCK_REALTIME, 0);
    clock_gettime(CLOCK_REALTIME, &its.it_value);
    its.it_value.tv_sec += 1;
    its.it_interval = (struct timespec){0, 0};
    TEST_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL),
            "arm CLOCK_REALTIME absolute with TFD_TIMER_CANCEL_ON_SET");
    TEST_OK(timerfd_gettime(fd, &its), "timerfd_gettime");
    TEST_CHECK(its.it_value.tv_sec == 0 || (its.it_value.tv_sec == 1 && its.it_value.tv_nsec == 0),
               "about 1 s left");
    clock_gettime(CLOCK_REALTIME, &its.it_value);
    its.it_value.tv_sec -= 5;
    its.it_interval = (struct timespec){0, 10 * MS};
    TEST_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL), "arm CLOCK_REALTIME absolute 5 s ago, 10 ms interval");
    v = ticks(fd);
    TEST_CHECK(v >= 400 && v != 0xdeadbeef, "the periods since then count: at least 400");
    close(fd);

    /* a timer shared with a child: the child's read takes the expiration */
    fd = timerfd_create(CLOCK_MONOTONIC, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(ticks(fd) == 1 ? 0 : 1);
    usleep(20 * 1000);
    arm(fd, 30 * MS, 0);
    int status;
    waitpid(pid, &status, 0);
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child blocked in read wakes when the parent's timer fires");
    fcntl(fd, F_SETFL, O_NONBLOCK);
    TEST_ERRNO(read(fd, &v, 8), EAGAIN, "the child's read took the count");

    /* timerfd_settime01 / timerfd_gettime01: errors */
    its = (struct itimerspec){{0, 0}, {0, 10 * MS}};
    int file = open("/proc/self/exe", O_RDONLY);
    TEST_ERRNO(timerfd_settime(-1, 0, &its, NULL), EBADF, "settime on fd -1");
    TEST_ERRNO(timerfd_settime(file, 0, &its, NULL), EINVAL, "settime on a file that is not a timerfd");
    TEST_ERRNO(timerfd_settime(fd, 0, TST_BADPTR, NULL), EFAULT, "settime with a bad new_value");
    TEST_ERRNO(timerfd_settime(-1, 511, TST_BADPTR, NULL), EFAULT, "a bad new_value comes before bad flags and fd");
    TEST_ERRNO(timerfd_settime(-1, 511, &its, NULL), EINVAL, "bad flags come before a bad fd");
    TEST_ERRNO(timerfd_settime(fd, 0, &its, TST_BADPTR), EFAULT, "settime with a bad old_value");
    TEST_ERRNO(timerfd_settime(fd, 4, &its, NULL), EINVAL, "settime with an unknown flag");
    TEST_ERRNO(timerfd_settime(fd, -1, &its, NULL), EINVAL, "settime with flags -1");
    its.it_value.tv_nsec = 1000000000L;
    TEST_ERRNO(timerfd_settime(fd, 0, &its, NULL), EINVAL, "settime with tv_nsec 1e9");
    its.it_value.tv_nsec = -1;
    TEST_ERRNO(timerfd_settime(fd, 0, &its, NULL), EINVAL, "settime with tv_nsec -1");
    its.it_value = (struct timespec){-1, 0};
    TEST_ERRNO(timerfd_settime(fd, 0, &its, NULL), EINVAL, "settime with tv_sec -1");
    its = (struct itimerspec){{0, 1000000000L}, {1, 0}};
    TEST_ERRNO(timerfd_settime(fd, 0, &its, NULL), EINVAL, "settime with a bad interval");
    TEST_ERRNO(timerfd_gettime(-1, &its), EBADF, "gettime on fd -1");
    TEST_ERRNO(timerfd_gettime(file, &its), EINVAL, "gettime on a file that is not a timerfd");
    TEST_ERRNO(timerfd_gettime(fd, TST_BADPTR), EFAULT, "gettime with a bad pointer");
    TEST_ERRNO(read(fd, TST_BADPTR, 8), EAGAIN, "read into a bad pointer with nothing to read");
    close(file);
    close(fd);
    TEST_ERRNO(timerfd_gettime(fd, &its), EBADF, "gettime on a closed timerfd");

    return tst_exit();
}

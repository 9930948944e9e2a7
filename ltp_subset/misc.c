/* uname, getpid, getrandom, clocks, nanosleep, sysinfo, rlimits, sched_getaffinity. */
#define TCID "misc"
#include "tst.h"
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>

static long ns_between(const struct timespec *a, const struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

static int ts_le(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

int main(void)
{
    tst_scratch();

    /* uname */
    {
        struct utsname u;
        TEST_EQ(uname(&u), 0, "uname");
        TEST_CHECK(!strcmp(u.sysname, "Linux"), "uname: sysname is Linux");
        TEST_CHECK(!strcmp(u.machine, "x86_64"), "uname: machine is x86_64");
        TEST_CHECK(u.release[0] >= '1' && u.release[0] <= '9', "uname: release starts with a digit");
        TEST_ERRNO(syscall(SYS_uname, TST_BADPTR), EFAULT, "uname with a bad pointer");
    }

    /* process ids */
    {
        pid_t pid = getpid();
        TEST_CHECK(pid > 0, "getpid > 0");
        TEST_EQ(syscall(SYS_getpid), pid, "getpid syscall agrees with libc");
        TEST_EQ(syscall(SYS_gettid), pid, "gettid == getpid in a single-threaded process");
        TEST_CHECK(getppid() >= 0, "getppid >= 0");
        TEST_CHECK(getuid() == geteuid() && getgid() == getegid(), "real and effective ids agree");
    }

    /* getrandom */
    {
        unsigned char a[64], b[64], z[64];
        memset(a, 0, sizeof a);
        memset(b, 0, sizeof b);
        memset(z, 0, sizeof z);
        TEST_EQ(getrandom(a, sizeof a, 0), 64, "getrandom 64 bytes");
        TEST_EQ(getrandom(b, sizeof b, GRND_NONBLOCK), 64, "getrandom 64 bytes GRND_NONBLOCK");
        TEST_CHECK(memcmp(a, z, 64) != 0 && memcmp(b, z, 64) != 0, "getrandom filled the buffers");
        TEST_CHECK(memcmp(a, b, 64) != 0, "two getrandom calls give different bytes");
        TEST_EQ(getrandom(a, 0, 0), 0, "getrandom of 0 bytes");
        TEST_ERRNO(getrandom(a, sizeof a, 0x100), EINVAL, "getrandom with an invalid flag");
        TEST_ERRNO(getrandom(TST_BADPTR, 16, 0), EFAULT, "getrandom into a bad buffer");
    }

    /* clocks */
    {
        struct timespec t1, t2, res;
        struct timeval tv;
        TEST_EQ(clock_gettime(CLOCK_MONOTONIC, &t1), 0, "clock_gettime CLOCK_MONOTONIC");
        int ok = 1;
        for (int i = 0; i < 1000; i++) {
            clock_gettime(CLOCK_MONOTONIC, &t2);
            ok &= ts_le(&t1, &t2);
            t1 = t2;
        }
        TEST_CHECK(ok, "CLOCK_MONOTONIC never goes backwards over 1000 reads");
        TEST_CHECK(t1.tv_nsec >= 0 && t1.tv_nsec < 1000000000L, "CLOCK_MONOTONIC tv_nsec is in range");
        TEST_EQ(clock_gettime(CLOCK_REALTIME, &t1), 0, "clock_gettime CLOCK_REALTIME");
        TEST_CHECK(t1.tv_sec > 1500000000L, "CLOCK_REALTIME is after 2017");
        TEST_EQ(gettimeofday(&tv, NULL), 0, "gettimeofday");
        TEST_CHECK(tv.tv_sec >= t1.tv_sec && tv.tv_sec - t1.tv_sec < 60 && tv.tv_usec >= 0 && tv.tv_usec < 1000000,
                   "gettimeofday agrees with CLOCK_REALTIME");
        TEST_CHECK(time(NULL) >= t1.tv_sec, "time() agrees with CLOCK_REALTIME");
        TEST_EQ(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1), 0, "clock_gettime CLOCK_PROCESS_CPUTIME_ID");
        TEST_EQ(clock_gettime(CLOCK_BOOTTIME, &t1), 0, "clock_gettime CLOCK_BOOTTIME");
        TEST_EQ(clock_getres(CLOCK_MONOTONIC, &res), 0, "clock_getres CLOCK_MONOTONIC");
        TEST_CHECK(res.tv_sec == 0 && res.tv_nsec > 0, "CLOCK_MONOTONIC resolution is below a second");
        TEST_ERRNO(syscall(SYS_clock_gettime, 100, &t1), EINVAL, "clock_gettime with an invalid clock");
        TEST_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, TST_BADPTR), EFAULT, "clock_gettime syscall with a bad pointer");
    }

    /* nanosleep */
    {
        struct timespec t1, t2, req = {0, 2000000}, rem = {7, 7};
        clock_gettime(CLOCK_MONOTONIC, &t1);
        TEST_EQ(nanosleep(&req, &rem), 0, "nanosleep 2 ms");
        clock_gettime(CLOCK_MONOTONIC, &t2);
        TEST_CHECK(ns_between(&t1, &t2) >= 2000000, "at least 2 ms of CLOCK_MONOTONIC passed");
        struct timespec bad = {0, 1000000000L};
        TEST_ERRNO(nanosleep(&bad, NULL), EINVAL, "nanosleep with tv_nsec = 1e9");
        struct timespec neg = {-1, 0};
        TEST_ERRNO(nanosleep(&neg, NULL), EINVAL, "nanosleep with a negative tv_sec");
        TEST_ERRNO(nanosleep(TST_BADPTR, NULL), EFAULT, "nanosleep with a bad pointer");
        req.tv_nsec = 1000000;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        TEST_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), 0, "clock_nanosleep 1 ms relative");
        clock_gettime(CLOCK_MONOTONIC, &t2);
        TEST_CHECK(ns_between(&t1, &t2) >= 1000000, "at least 1 ms passed");
        struct timespec until = t2;
        until.tv_nsec += 1000000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        TEST_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL), 0, "clock_nanosleep TIMER_ABSTIME 1 ms ahead");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        TEST_CHECK(ts_le(&until, &t1), "TIMER_ABSTIME slept until the deadline");
        TEST_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t2, NULL), 0, "clock_nanosleep TIMER_ABSTIME in the past");
        TEST_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL, "clock_nanosleep returns EINVAL for tv_nsec = 1e9");
        TEST_EQ(sched_yield(), 0, "sched_yield");
    }

    /* sysinfo */
    {
        struct sysinfo si;
        memset(&si, 0, sizeof si);
        TEST_EQ(sysinfo(&si), 0, "sysinfo");
        TEST_CHECK(si.mem_unit >= 1 && si.totalram > 0 && si.freeram <= si.totalram, "sysinfo: memory fields are sane");
        TEST_CHECK(si.procs >= 1, "sysinfo: at least one process");
        TEST_ERRNO(sysinfo(TST_BADPTR), EFAULT, "sysinfo with a bad pointer");
    }

    /* rlimits */
    {
        struct rlimit orig, rl, old;
        TEST_EQ(getrlimit(RLIMIT_NOFILE, &orig), 0, "getrlimit RLIMIT_NOFILE");
        TEST_CHECK(orig.rlim_cur >= 20 && orig.rlim_cur <= orig.rlim_max, "RLIMIT_NOFILE: 20 <= soft <= hard");
        TEST_EQ(prlimit(0, RLIMIT_NOFILE, NULL, &old), 0, "prlimit get RLIMIT_NOFILE");
        TEST_CHECK(old.rlim_cur == orig.rlim_cur && old.rlim_max == orig.rlim_max, "prlimit and getrlimit agree");
        rl.rlim_cur = 16;
        rl.rlim_max = orig.rlim_max;
        TEST_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0, "setrlimit RLIMIT_NOFILE soft 16");
        TEST_CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 16 && rl.rlim_max == orig.rlim_max,
                   "getrlimit shows soft 16, hard unchanged");
        {
            int fds[32], n = 0, fd, err = 0, free_below = 0;
            for (int i = 0; i < 16; i++)
                free_below += fcntl(i, F_GETFD) < 0;
            while (n < 32) {
                fd = open("/", O_RDONLY | O_DIRECTORY);
                if (fd < 0) {
                    err = errno;
                    break;
                }
                fds[n++] = fd;
            }
            TEST_CHECK(n == free_below && err == EMFILE, "open fails with EMFILE once every fd below 16 is used");
            TEST_ERRNO(dup(0), EMFILE, "dup at the limit");
            for (int i = 0; i < n; i++)
                close(fds[i]);
        }
        TEST_ERRNO(dup2(0, 16), EBADF, "dup2 onto an fd at the soft limit");
        TEST_ERRNO(fcntl(0, F_DUPFD, 16), EINVAL, "F_DUPFD with a minimum at the soft limit");
        TEST_EQ(dup2(0, 15), 15, "dup2 onto the last fd under the limit");
        close(15);
        rl.rlim_cur = 12;
        TEST_EQ(prlimit(0, RLIMIT_NOFILE, &rl, &old), 0, "prlimit set soft 12 and get the old limit");
        TEST_EQ(old.rlim_cur, 16, "prlimit returned the old soft limit 16");
        TEST_CHECK(prlimit(getpid(), RLIMIT_NOFILE, NULL, &old) == 0 && old.rlim_cur == 12, "prlimit on getpid() sees soft 12");
        /* the hard RLIMIT_NOFILE is at most fs.nr_open, never infinite */
        rl.rlim_cur = orig.rlim_max + 1;
        rl.rlim_max = orig.rlim_max;
        TEST_ERRNO(setrlimit(RLIMIT_NOFILE, &rl), EINVAL, "setrlimit with soft > hard");
        TEST_ERRNO(prlimit(0, 999, NULL, &old), EINVAL, "prlimit with an invalid resource");
        TEST_ERRNO(syscall(SYS_getrlimit, RLIMIT_NOFILE, TST_BADPTR), EFAULT, "getrlimit with a bad pointer");
        TEST_EQ(setrlimit(RLIMIT_NOFILE, &orig), 0, "setrlimit restores the original soft limit");
        TEST_CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == orig.rlim_cur, "the original limit is back");
        TEST_EQ(getrlimit(RLIMIT_STACK, &rl), 0, "getrlimit RLIMIT_STACK");
        TEST_CHECK(rl.rlim_cur > 0 && rl.rlim_cur <= rl.rlim_max, "RLIMIT_STACK: 0 < soft <= hard");
    }

    /* sched_getaffinity */
    {
        cpu_set_t set;
        CPU_ZERO(&set);
        TEST_EQ(sched_getaffinity(0, sizeof set, &set), 0, "sched_getaffinity");
        TEST_CHECK(CPU_COUNT(&set) >= 1, "at least one CPU in the affinity mask");
        long n = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
        TEST_CHECK(n > 0 && n % 8 == 0 && n <= (long)sizeof set, "the syscall returns the mask size in bytes");
        TEST_ERRNO(syscall(SYS_sched_getaffinity, 0, sizeof set, TST_BADPTR), EFAULT, "sched_getaffinity with a bad pointer");
    }

    return tst_exit();
}

/* pipe/pipe2 in the manner of LTP's pipe01-pipe14 and pipe2_01-pipe2_04: data round
 * trip, wrong-end EBADF, EFAULT, EMFILE, EPIPE, EOF, O_NONBLOCK partial writes and
 * EAGAIN, O_CLOEXEC, O_DIRECT packets, pipe sizes, and what a pipe is not (seekable,
 * mappable, syncable, truncatable). */
#define TCID "pipe"
#include "tst.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>

static long fill(int fd, size_t chunk)
{
    static char buf[65536];
    long total = 0;
    ssize_t n;
    while ((n = write(fd, buf, chunk)) > 0)
        total += n;
    return total;
}

int main(void)
{
    int p[2], q[2], avail;
    char buf[8192];
    struct stat st;

    signal(SIGPIPE, SIG_IGN);

    /* pipe01: what goes in comes out, in order */
    TEST_OK(pipe(p), "pipe");
    TEST_CHECK(p[1] == p[0] + 1, "the write end takes the next lowest fd");
    TEST_EQ(write(p[1], "hello, ", 7), 7, "write 7 bytes");
    TEST_EQ(write(p[1], "world", 5), 5, "write 5 more");
    TEST_EQ(ioctl(p[0], FIONREAD, &avail), 0, "FIONREAD");
    TEST_EQ(avail, 12, "FIONREAD counts the unread bytes");
    TEST_CHECK(read(p[0], buf, 5) == 5 && !memcmp(buf, "hello", 5), "a short read takes the first bytes");
    TEST_CHECK(read(p[0], buf, sizeof buf) == 7 && !memcmp(buf, ", world", 7), "a long read takes the rest");

    /* pipe03: the wrong end */
    TEST_ERRNO(write(p[0], "x", 1), EBADF, "write to the read end");
    TEST_ERRNO(read(p[1], buf, 1), EBADF, "read from the write end");
    TEST_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY, "the read end is O_RDONLY");
    TEST_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY, "the write end is O_WRONLY");

    /* not a file */
    TEST_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek on a pipe");
    TEST_ERRNO(pread(p[0], buf, 1, 0), ESPIPE, "pread on a pipe");
    TEST_ERRNO(pwrite(p[1], "x", 1, 0), ESPIPE, "pwrite on a pipe");
    TEST_ERRNO(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, p[0], 0), ENODEV, "mmap of a pipe");
    TEST_ERRNO(ftruncate(p[1], 0), EINVAL, "ftruncate of a pipe");
    TEST_ERRNO(fsync(p[1]), EINVAL, "fsync of a pipe");
    TEST_OK(fstat(p[0], &st), "fstat of a pipe");
    TEST_CHECK(S_ISFIFO(st.st_mode), "fstat says S_IFIFO");
    TEST_EQ(st.st_mode & 07777, 0600, "a pipe's mode is 0600");
    TEST_EQ(st.st_size, 0, "a pipe's st_size is 0");
    TEST_EQ(st.st_blksize, 4096, "a pipe's st_blksize is a page");

    /* pipe08/pipe13: no readers, no writers */
    TEST_EQ(write(p[1], "tail", 4), 4, "write before closing the write end");
    close(p[1]);
    TEST_EQ(read(p[0], buf, sizeof buf), 4, "the reader still gets the data after the writer closed");
    TEST_EQ(read(p[0], buf, sizeof buf), 0, "then end of file");
    close(p[0]);
    pipe(p);
    close(p[0]);
    TEST_ERRNO(write(p[1], "x", 1), EPIPE, "write without readers (SIGPIPE ignored)");
    TEST_EQ(write(p[1], "", 0), 0, "an empty write without readers still succeeds");
    close(p[1]);

    /* pipe05: bad pointer; nothing is left open */
    TEST_ERRNO(syscall(SYS_pipe, TST_BADPTR), EFAULT, "pipe with a bad pointer");
    pipe(p);
    TEST_EQ(p[0], 3, "a failed pipe left no fd open");
    close(p[0]);
    close(p[1]);

    /* pipe06: EMFILE, and a half-made pipe leaves nothing behind */
    struct rlimit old, lim;
    getrlimit(RLIMIT_NOFILE, &old);
    lim = old;
    lim.rlim_cur = 5;
    TEST_OK(setrlimit(RLIMIT_NOFILE, &lim), "lower RLIMIT_NOFILE to 5");
    TEST_OK(pipe(p), "a pipe fits in fds 3 and 4");
    TEST_ERRNO(pipe(q), EMFILE, "pipe with no fd free");
    close(p[1]);
    TEST_ERRNO(pipe(q), EMFILE, "pipe with one fd free");
    TEST_EQ(dup(p[0]), 4, "the failed pipe left fd 4 free");
    close(4);
    close(p[0]);
    setrlimit(RLIMIT_NOFILE, &old);

    /* pipe2 flags */
    TEST_ERRNO(pipe2(p, O_APPEND), EINVAL, "pipe2 O_APPEND");
    TEST_ERRNO(pipe2(p, 0x1000000), EINVAL, "pipe2 with an unknown flag");
    TEST_OK(pipe2(p, O_CLOEXEC), "pipe2 O_CLOEXEC");
    TEST_CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC,
               "O_CLOEXEC marks both ends");
    TEST_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0, "without O_NONBLOCK the ends block");
    close(p[0]);
    close(p[1]);

    /* pipe14/pipe2_04: O_NONBLOCK */
    TEST_OK(pipe2(p, O_NONBLOCK), "pipe2 O_NONBLOCK");
    TEST_CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK),
               "O_NONBLOCK on both ends");
    TEST_ERRNO(read(p[0], buf, 1), EAGAIN, "read of an empty nonblocking pipe");
    TEST_EQ(fill(p[1], 4096), 65536, "a pipe holds 64 KiB");
    TEST_ERRNO(write(p[1], "x", 1), EAGAIN, "write to a full nonblocking pipe");
    TEST_EQ(read(p[0], buf, 4000), 4000, "read most of a page");
    TEST_ERRNO(write(p[1], buf, 100), EAGAIN, "a small write still needs a free page");
    TEST_EQ(read(p[0], buf, 96), 96, "read the rest of the page");
    /* pipe12: a large nonblocking write takes what fits */
    TEST_EQ(write(p[1], buf, 8192), 4096, "a write larger than PIPE_BUF is partial");
    TEST_EQ(fcntl(p[1], F_SETFL, 0), 0, "F_SETFL clears O_NONBLOCK");
    TEST_EQ(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0, "the write end blocks now");
    TEST_CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "the read end is still nonblocking");
    close(p[0]);
    TEST_ERRNO(write(p[1], "x", 1), EPIPE, "a blocking write to a full pipe without readers");
    close(p[1]);

    /* pipe2_03: O_DIRECT packets */
    TEST_OK(pipe2(p, O_DIRECT), "pipe2 O_DIRECT");
    TEST_CHECK(fcntl(p[1], F_GETFL) & O_DIRECT, "O_DIRECT on the write end");
    TEST_EQ(fcntl(p[0], F_GETFL) & O_DIRECT, 0, "not on the read end");
    write(p[1], "first", 5);
    write(p[1], "second", 6);
    TEST_EQ(read(p[0], buf, sizeof buf), 5, "one read takes one packet");
    TEST_EQ(read(p[0], buf, 3), 3, "a short read takes part of a packet");
    write(p[1], "third", 5);
    TEST_CHECK(read(p[0], buf, sizeof buf) == 5 && !memcmp(buf, "third", 5), "and discards the rest of it");
    memset(buf, 'z', sizeof buf);
    TEST_EQ(write(p[1], buf, 6000), 6000, "a packet write larger than a page");
    TEST_EQ(read(p[0], buf, sizeof buf), 4096, "is split into page-sized packets");
    TEST_EQ(read(p[0], buf, sizeof buf), 6000 - 4096, "the second packet");
    close(p[0]);
    close(p[1]);

    /* F_GETPIPE_SZ / F_SETPIPE_SZ */
    pipe2(p, O_NONBLOCK);
    TEST_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536, "F_GETPIPE_SZ of a new pipe");
    TEST_EQ(fcntl(p[1], F_SETPIPE_SZ, 1), 4096, "F_SETPIPE_SZ rounds up to a page");
    TEST_EQ(fcntl(p[1], F_SETPIPE_SZ, 3 * 4096), 4 * 4096, "F_SETPIPE_SZ rounds up to a power of two pages");
    TEST_EQ(fcntl(p[0], F_GETPIPE_SZ), 4 * 4096, "both ends see the new size");
    TEST_EQ(fill(p[1], 4096), 4 * 4096, "the pipe holds its new size");
    TEST_ERRNO(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY, "F_SETPIPE_SZ below the data in it");
    TEST_ERRNO(fcntl(p[1], F_SETPIPE_SZ, 0x80000001u), EINVAL, "F_SETPIPE_SZ beyond 2 GiB");
    TEST_ERRNO(fcntl(0 + p[1] + 100, F_GETPIPE_SZ), EBADF, "F_GETPIPE_SZ of a closed fd");
    close(p[0]);
    close(p[1]);
    tst_scratch();
    tst_mkfile("f", "abc", 3, 0644);
    int fd = open("f", O_RDONLY);
    TEST_ERRNO(fcntl(fd, F_GETPIPE_SZ), EBADF, "F_GETPIPE_SZ of a regular file");
    TEST_ERRNO(fcntl(fd, F_SETPIPE_SZ, 4096), EBADF, "F_SETPIPE_SZ of a regular file");
    close(fd);

    /* readv/writev */
    pipe(p);
    struct iovec wv[3] = {{"ab", 2}, {"cde", 3}, {"f", 1}};
    TEST_EQ(writev(p[1], wv, 3), 6, "writev to a pipe");
    char a[4] = {0}, b[4] = {0};
    struct iovec rv[2] = {{a, 4}, {b, 4}};
    TEST_EQ(readv(p[0], rv, 2), 6, "readv from a pipe");
    TEST_CHECK(!memcmp(a, "abcd", 4) && !memcmp(b, "ef", 2), "readv scatters in order");
    close(p[0]);
    close(p[1]);

    return tst_exit();
}

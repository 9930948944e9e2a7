/* read/write/readv/writev/pread64/pwrite64/preadv/pwritev/lseek. */
#define TCID "files_rw"
#include "tst.h"
#include <sys/uio.h>

#define BIG (1024 * 1024)

static unsigned char big_out[BIG], big_in[BIG];

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

int main(void)
{
    int fd, rfd, wfd;
    struct stat st;
    unsigned char data[100], buf[256];
    struct iovec iov[4];

    tst_scratch();
    for (int i = 0; i < 100; i++)
        data[i] = (unsigned char)(i * 7 + 3);

    /* write / read / lseek basics */
    fd = TEST_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644), "open a new file O_RDWR");
    TEST_EQ(write(fd, data, 100), 100, "write 100 bytes");
    TEST_EQ(lseek(fd, 0, SEEK_CUR), 100, "offset is 100 after the write");
    TEST_EQ(read(fd, buf, 10), 0, "read at end of file returns 0");
    TEST_EQ(lseek(fd, 0, SEEK_SET), 0, "lseek SEEK_SET 0");
    TEST_CHECK(read(fd, buf, 100) == 100 && memcmp(buf, data, 100) == 0, "read back the 100 bytes");
    TEST_EQ(lseek(fd, -10, SEEK_END), 90, "lseek SEEK_END -10");
    TEST_CHECK(read(fd, buf, 50) == 10 && memcmp(buf, data + 90, 10) == 0, "short read of the last 10 bytes");
    TEST_EQ(lseek(fd, -60, SEEK_CUR), 40, "lseek SEEK_CUR -60");
    TEST_CHECK(read(fd, buf, 5) == 5 && memcmp(buf, data + 40, 5) == 0, "read after SEEK_CUR");
    TEST_EQ(lseek(fd, 5, SEEK_CUR), 50, "lseek SEEK_CUR +5");
    TEST_EQ(lseek(fd, 0, SEEK_END), 100, "lseek SEEK_END 0 gives the size");
    TEST_EQ(lseek(fd, 20, SEEK_END), 120, "lseek SEEK_END +20 past the end");
    TEST_EQ(read(fd, buf, 0), 0, "read of 0 bytes");
    TEST_EQ(write(fd, buf, 0), 0, "write of 0 bytes");
    TEST_CHECK(fstat(fd, &st) == 0 && st.st_size == 100, "lseek and a 0-byte write past the end do not grow the file");

    /* lseek errors */
    lseek(fd, 10, SEEK_SET);
    TEST_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL, "lseek SEEK_SET to a negative offset");
    TEST_ERRNO(lseek(fd, -11, SEEK_CUR), EINVAL, "lseek SEEK_CUR before the start");
    TEST_ERRNO(lseek(fd, -101, SEEK_END), EINVAL, "lseek SEEK_END before the start");
    TEST_ERRNO(lseek(fd, 0, 77), EINVAL, "lseek with an invalid whence");
    TEST_EQ(lseek(fd, 0, SEEK_CUR), 10, "failed lseeks leave the offset alone");
    TEST_ERRNO(lseek(999, 0, SEEK_SET), EBADF, "lseek on a bad fd");
#if defined(SEEK_DATA) && defined(SEEK_HOLE)
    TEST_ERRNO(lseek(fd, 100, SEEK_DATA), ENXIO, "lseek SEEK_DATA at end of file");
    TEST_ERRNO(lseek(fd, 200, SEEK_HOLE), ENXIO, "lseek SEEK_HOLE past end of file");
#endif

    /* pread / pwrite */
    lseek(fd, 7, SEEK_SET);
    TEST_CHECK(pread(fd, buf, 20, 30) == 20 && memcmp(buf, data + 30, 20) == 0, "pread 20 bytes at 30");
    TEST_EQ(lseek(fd, 0, SEEK_CUR), 7, "pread leaves the offset alone");
    TEST_EQ(pwrite(fd, "XYZ", 3, 50), 3, "pwrite 3 bytes at 50");
    TEST_EQ(lseek(fd, 0, SEEK_CUR), 7, "pwrite leaves the offset alone");
    TEST_CHECK(pread(fd, buf, 5, 49) == 5 && buf[0] == data[49] && memcmp(buf + 1, "XYZ", 3) == 0 &&
                   buf[4] == data[53], "pread sees the pwrite");
    TEST_EQ(pread(fd, buf, 10, 100), 0, "pread at end of file returns 0");
    TEST_EQ(pread(fd, buf, 10, 95), 5, "pread across end of file is short");
    TEST_ERRNO(pread(fd, buf, 10, -1), EINVAL, "pread with a negative offset");
    TEST_ERRNO(pwrite(fd, buf, 10, -1), EINVAL, "pwrite with a negative offset");
    TEST_EQ(pwrite(fd, "end", 3, 200), 3, "pwrite past end of file");
    TEST_CHECK(fstat(fd, &st) == 0 && st.st_size == 203, "pwrite past the end grew the file to 203");
    TEST_CHECK(pread(fd, buf, 103, 100) == 103 && all_zero(buf, 100) && memcmp(buf + 100, "end", 3) == 0,
               "the gap left by pwrite reads as zeros");

    /* writev / readv */
    ftruncate(fd, 0);
    lseek(fd, 0, SEEK_SET);
    iov[0].iov_base = "hello ";
    iov[0].iov_len = 6;
    iov[1].iov_base = "";
    iov[1].iov_len = 0;
    iov[2].iov_base = "vector ";
    iov[2].iov_len = 7;
    iov[3].iov_base = "world";
    iov[3].iov_len = 5;
    TEST_EQ(writev(fd, iov, 4), 18, "writev 4 iovecs (one empty)");
    TEST_EQ(lseek(fd, 0, SEEK_CUR), 18, "writev moved the offset");
    lseek(fd, 0, SEEK_SET);
    {
        char a[4], b[10], c[10];
        struct iovec r[3] = {{a, 4}, {b, 10}, {c, 10}};
        long n = readv(fd, r, 3);
        TEST_EQ(n, 18, "readv into 3 iovecs returns the bytes available");
        TEST_CHECK(memcmp(a, "hell", 4) == 0 && memcmp(b, "o vector w", 10) == 0 && memcmp(c, "orld", 4) == 0,
                   "readv scattered the data in order");
    }
    TEST_EQ(writev(fd, iov, 0), 0, "writev with 0 iovecs");
    TEST_EQ(readv(fd, iov, 0), 0, "readv with 0 iovecs");
    TEST_ERRNO(readv(fd, iov, -1), EINVAL, "readv with a negative iovcnt");
    TEST_ERRNO(writev(fd, iov, 1025), EINVAL, "writev with iovcnt > IOV_MAX");
    TEST_ERRNO(readv(fd, TST_BADPTR, 2), EFAULT, "readv with a bad iovec array");
    {
        struct iovec bad[2] = {{TST_BADPTR, 10}, {buf, 10}};
        TEST_ERRNO(writev(fd, bad, 2), EFAULT, "writev with a bad first buffer");
        struct iovec huge[1] = {{buf, (size_t)-1}};
        TEST_ERRNO(writev(fd, huge, 1), EINVAL, "writev with a negative (huge) iov_len");
    }

    /* preadv / pwritev */
    lseek(fd, 3, SEEK_SET);
    {
        char a[5], b[6];
        struct iovec r[2] = {{a, 5}, {b, 6}};
        TEST_EQ(preadv(fd, r, 2, 6), 11, "preadv 11 bytes at 6");
        TEST_CHECK(memcmp(a, "vecto", 5) == 0 && memcmp(b, "r worl", 6) == 0, "preadv read the right data");
        TEST_EQ(lseek(fd, 0, SEEK_CUR), 3, "preadv leaves the offset alone");
        struct iovec w[2] = {{"AB", 2}, {"CD", 2}};
        TEST_EQ(pwritev(fd, w, 2, 1), 4, "pwritev 4 bytes at 1");
        TEST_EQ(lseek(fd, 0, SEEK_CUR), 3, "pwritev leaves the offset alone");
        TEST_CHECK(pread(fd, buf, 7, 0) == 7 && memcmp(buf, "hABCD v", 7) == 0, "pwritev wrote at the offset");
        TEST_ERRNO(preadv(fd, r, 2, -5), EINVAL, "preadv with a negative offset");
        TEST_ERRNO(pwritev(fd, w, 2, -5), EINVAL, "pwritev with a negative offset");
    }

    /* EFAULT */
    lseek(fd, 0, SEEK_SET);
    TEST_ERRNO(read(fd, TST_BADPTR, 10), EFAULT, "read into a bad buffer");
    TEST_ERRNO(write(fd, TST_BADPTR, 10), EFAULT, "write from a bad buffer");
    TEST_ERRNO(pread(fd, TST_BADPTR, 10, 0), EFAULT, "pread into a bad buffer");
    TEST_ERRNO(pwrite(fd, TST_BADPTR, 10, 0), EFAULT, "pwrite from a bad buffer");
    TEST_CHECK(fstat(fd, &st) == 0 && st.st_size == 18, "failed writes did not change the size");
    close(fd);

    /* EBADF on the wrong access mode and on bad fds */
    rfd = open("f", O_RDONLY);
    wfd = open("f", O_WRONLY);
    TEST_ERRNO(write(rfd, "x", 1), EBADF, "write on an O_RDONLY fd");
    TEST_ERRNO(pwrite(rfd, "x", 1, 0), EBADF, "pwrite on an O_RDONLY fd");
    TEST_ERRNO(writev(rfd, iov, 1), EBADF, "writev on an O_RDONLY fd");
    TEST_ERRNO(read(wfd, buf, 1), EBADF, "read on an O_WRONLY fd");
    TEST_ERRNO(pread(wfd, buf, 1, 0), EBADF, "pread on an O_WRONLY fd");
    TEST_ERRNO(readv(wfd, iov, 1), EBADF, "readv on an O_WRONLY fd");
    close(rfd);
    close(wfd);
    TEST_ERRNO(read(-1, buf, 1), EBADF, "read on fd -1");
    TEST_ERRNO(write(999, buf, 1), EBADF, "write on an unused fd");
    TEST_ERRNO(pread(rfd, buf, 1, 0), EBADF, "pread on a closed fd");
    mkdir("d", 0755);
    fd = open("d", O_RDONLY | O_DIRECTORY);
    TEST_ERRNO(read(fd, buf, 1), EISDIR, "read on a directory");
    TEST_ERRNO(pread(fd, buf, 1, 0), EISDIR, "pread on a directory");
    close(fd);

    /* sparse file made by lseek past the end */
    fd = open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
    TEST_EQ(lseek(fd, BIG, SEEK_SET), BIG, "lseek 1 MiB into an empty file");
    TEST_EQ(write(fd, "Z", 1), 1, "write one byte at 1 MiB");
    TEST_CHECK(fstat(fd, &st) == 0 && st.st_size == BIG + 1, "the sparse file's size is 1 MiB + 1");
    memset(big_in, 0xAA, BIG);
    TEST_EQ(pread(fd, big_in, BIG, 0), BIG, "pread the whole hole in one call");
    TEST_CHECK(all_zero(big_in, BIG), "the hole reads as zeros");
    TEST_CHECK(pread(fd, buf, 10, BIG) == 1 && buf[0] == 'Z', "the byte after the hole is there");
    close(fd);

    /* a large write and read in one call each */
    for (int i = 0; i < BIG; i++)
        big_out[i] = (unsigned char)((i * 2654435761u) >> 13);
    fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
    TEST_EQ(write(fd, big_out, BIG), BIG, "write 1 MiB in one call");
    lseek(fd, 0, SEEK_SET);
    memset(big_in, 0, BIG);
    TEST_EQ(read(fd, big_in, BIG), BIG, "read 1 MiB in one call");
    TEST_CHECK(memcmp(big_in, big_out, BIG) == 0, "the 1 MiB read back is the same");
    close(fd);

    return tst_exit();
}

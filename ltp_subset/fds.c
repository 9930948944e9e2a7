/* dup/dup2/dup3, fcntl, close, shared offsets, sendfile, copy_file_range, FIONREAD. */
#define TCID "fds"
#include "tst.h"
#include <sys/ioctl.h>
#include <sys/sendfile.h>

#define FLMASK (O_ACCMODE | O_APPEND | O_NONBLOCK)

static unsigned char src_data[10000];

int main(void)
{
    int fd, fd2, fd3, a, b;
    char buf[16384];
    struct stat st;

    tst_scratch();
    for (int i = 0; i < (int)sizeof src_data; i++)
        src_data[i] = (unsigned char)(i % 251);
    tst_mkfile("src", (const char *)src_data, sizeof src_data, 0644);
    tst_mkfile("abc", "abcdefghij", 10, 0644);
    tst_mkfile("xyz", "XYZ", 3, 0644);

    /* dup */
    fd = open("abc", O_RDONLY | O_CLOEXEC);
    fd2 = TEST_OK(dup(fd), "dup");
    TEST_CHECK(fd2 == fd + 1, "dup returns the lowest free fd");
    TEST_EQ(fcntl(fd2, F_GETFD), 0, "dup clears FD_CLOEXEC on the copy");
    TEST_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "dup leaves the original's FD_CLOEXEC");
    TEST_ERRNO(dup(999), EBADF, "dup a bad fd");
    TEST_ERRNO(dup(-1), EBADF, "dup fd -1");

    /* shared offset and status flags between dup'ed fds */
    TEST_CHECK(read(fd, buf, 3) == 3 && !memcmp(buf, "abc", 3), "read 3 bytes from the original");
    TEST_CHECK(read(fd2, buf, 3) == 3 && !memcmp(buf, "def", 3), "the dup continues at the shared offset");
    TEST_EQ(lseek(fd2, 1, SEEK_SET), 1, "lseek the dup");
    TEST_EQ(lseek(fd, 0, SEEK_CUR), 1, "the original sees the dup's lseek");
    fd3 = open("abc", O_RDONLY);
    TEST_EQ(lseek(fd3, 0, SEEK_CUR), 0, "a second open has its own offset");
    TEST_CHECK(read(fd3, buf, 2) == 2 && !memcmp(buf, "ab", 2) && lseek(fd, 0, SEEK_CUR) == 1,
               "reading the second open leaves the first's offset alone");
    close(fd3);
    TEST_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0, "F_SETFL O_NONBLOCK on the original");
    TEST_EQ(fcntl(fd2, F_GETFL) & FLMASK, O_RDONLY | O_NONBLOCK, "the dup shares the status flags");
    close(fd);
    TEST_CHECK(read(fd2, buf, 2) == 2 && !memcmp(buf, "bc", 2), "the dup still works after closing the original");
    close(fd2);

    /* dup2 */
    fd = open("abc", O_RDONLY);
    fd2 = open("xyz", O_RDONLY);
    TEST_EQ(dup2(fd, fd), fd, "dup2 of an fd onto itself returns it");
    TEST_ERRNO(dup2(999, 999), EBADF, "dup2 of a bad fd onto itself");
    TEST_EQ(dup2(fd, fd2), fd2, "dup2 onto an open fd");
    TEST_CHECK(read(fd2, buf, 3) == 3 && !memcmp(buf, "abc", 3), "dup2 closed the old file at newfd");
    TEST_EQ(lseek(fd, 0, SEEK_CUR), 3, "dup2's copy shares the offset");
    TEST_EQ(dup2(fd, 100), 100, "dup2 onto a high unused fd");
    TEST_EQ(fcntl(100, F_GETFD), 0, "dup2's copy has FD_CLOEXEC clear");
    TEST_ERRNO(dup2(999, fd2), EBADF, "dup2 from a bad fd");
    TEST_CHECK(fcntl(fd2, F_GETFD) >= 0, "a failed dup2 leaves newfd open");
    TEST_ERRNO(dup2(fd, -1), EBADF, "dup2 onto fd -1");
    close(100);

    /* dup3 */
    TEST_ERRNO(dup3(fd, fd, 0), EINVAL, "dup3 with oldfd == newfd");
    TEST_ERRNO(syscall(SYS_dup3, fd, fd, 0), EINVAL, "dup3 syscall with oldfd == newfd");
    TEST_ERRNO(dup3(fd, fd, O_CLOEXEC), EINVAL, "dup3 O_CLOEXEC with oldfd == newfd");
    TEST_EQ(dup3(fd, 101, O_CLOEXEC), 101, "dup3 O_CLOEXEC");
    TEST_EQ(fcntl(101, F_GETFD), FD_CLOEXEC, "dup3 O_CLOEXEC set FD_CLOEXEC");
    TEST_EQ(dup3(fd, 101, 0), 101, "dup3 without flags onto an open fd");
    TEST_EQ(fcntl(101, F_GETFD), 0, "dup3 without O_CLOEXEC cleared FD_CLOEXEC");
    /* raw syscall: musl's dup3() without O_CLOEXEC calls dup2 and ignores other flags */
    TEST_ERRNO(syscall(SYS_dup3, fd, 102, O_NONBLOCK), EINVAL, "dup3 with a flag other than O_CLOEXEC");
    TEST_ERRNO(fcntl(102, F_GETFD), EBADF, "the failed dup3 did not open newfd");
    TEST_ERRNO(dup3(999, 102, 0), EBADF, "dup3 from a bad fd");
    close(101);
    close(fd2);

    /* fcntl F_GETFD / F_SETFD */
    TEST_EQ(fcntl(fd, F_GETFD), 0, "F_GETFD of a plain fd is 0");
    TEST_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0, "F_SETFD FD_CLOEXEC");
    TEST_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "F_GETFD shows FD_CLOEXEC");
    TEST_EQ(fcntl(fd, F_SETFD, 0), 0, "F_SETFD 0");
    TEST_EQ(fcntl(fd, F_GETFD), 0, "F_GETFD shows it cleared");
    close(fd);

    /* fcntl F_GETFL / F_SETFL */
    fd = open("abc", O_RDWR);
    TEST_EQ(fcntl(fd, F_GETFL) & FLMASK, O_RDWR, "F_GETFL of an O_RDWR fd");
    TEST_EQ(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK), 0, "F_SETFL O_APPEND|O_NONBLOCK");
    TEST_EQ(fcntl(fd, F_GETFL) & FLMASK, O_RDWR | O_APPEND | O_NONBLOCK, "F_GETFL shows O_APPEND|O_NONBLOCK");
    lseek(fd, 0, SEEK_SET);
    write(fd, "K", 1);
    TEST_CHECK(fstat(fd, &st) == 0 && st.st_size == 11 && pread(fd, buf, 1, 10) == 1 && buf[0] == 'K',
               "a write after F_SETFL O_APPEND goes to the end");
    TEST_CHECK(pread(fd, buf, 3, 0) == 3 && !memcmp(buf, "abc", 3), "reads still work with O_NONBLOCK on a file");
    TEST_EQ(fcntl(fd, F_SETFL, O_WRONLY), 0, "F_SETFL with an access mode");
    TEST_EQ(fcntl(fd, F_GETFL) & FLMASK, O_RDWR, "F_SETFL cleared O_APPEND|O_NONBLOCK but kept O_RDWR");
    TEST_ERRNO(fcntl(999, F_GETFL), EBADF, "F_GETFL on a bad fd");
    TEST_ERRNO(fcntl(999, F_GETFD), EBADF, "F_GETFD on a bad fd");
    TEST_ERRNO(fcntl(fd, 9999), EINVAL, "fcntl with an invalid command");
    close(fd);
    fd = open("abc", O_WRONLY | O_APPEND);
    TEST_EQ(fcntl(fd, F_GETFL) & FLMASK, O_WRONLY | O_APPEND, "F_GETFL of an O_WRONLY|O_APPEND fd");
    close(fd);

    /* F_DUPFD / F_DUPFD_CLOEXEC */
    fd = open("abc", O_RDONLY | O_CLOEXEC);
    a = fcntl(fd, F_DUPFD, 10);
    TEST_CHECK(a >= 10, "F_DUPFD 10 returns an fd >= 10");
    b = fcntl(fd, F_DUPFD, 10);
    TEST_CHECK(b > a, "a second F_DUPFD 10 returns a higher fd");
    TEST_EQ(fcntl(a, F_GETFD), 0, "F_DUPFD clears FD_CLOEXEC");
    close(a);
    TEST_EQ(fcntl(fd, F_DUPFD, 10), a, "F_DUPFD reuses the lowest free fd >= 10");
    close(a);
    close(b);
    a = fcntl(fd, F_DUPFD_CLOEXEC, 20);
    TEST_CHECK(a >= 20, "F_DUPFD_CLOEXEC 20 returns an fd >= 20");
    TEST_EQ(fcntl(a, F_GETFD), FD_CLOEXEC, "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
    TEST_CHECK(lseek(a, 4, SEEK_SET) == 4 && lseek(fd, 0, SEEK_CUR) == 4, "F_DUPFD_CLOEXEC shares the offset");
    close(a);
    TEST_ERRNO(fcntl(fd, F_DUPFD, -1), EINVAL, "F_DUPFD with a negative minimum");
    TEST_ERRNO(fcntl(999, F_DUPFD, 0), EBADF, "F_DUPFD of a bad fd");
    close(fd);

    /* close */
    fd = open("abc", O_RDONLY);
    TEST_EQ(close(fd), 0, "close");
    TEST_ERRNO(close(fd), EBADF, "close a closed fd");
    TEST_ERRNO(close(-1), EBADF, "close fd -1");
    TEST_ERRNO(close(4000), EBADF, "close an unused high fd");

    /* sendfile between regular files */
    a = open("src", O_RDONLY);
    b = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644);
    TEST_EQ(sendfile(b, a, NULL, 4000), 4000, "sendfile 4000 bytes, file to file");
    TEST_EQ(lseek(a, 0, SEEK_CUR), 4000, "sendfile without an offset advanced the input offset");
    TEST_EQ(lseek(b, 0, SEEK_CUR), 4000, "sendfile advanced the output offset");
    {
        off_t off = 9000;
        TEST_EQ(sendfile(b, a, &off, 5000), 1000, "sendfile with an offset stops at end of file");
        TEST_EQ(off, 10000, "sendfile updated *offset");
        TEST_EQ(lseek(a, 0, SEEK_CUR), 4000, "sendfile with an offset left the input offset alone");
        off = 10000;
        TEST_EQ(sendfile(b, a, &off, 100), 0, "sendfile at end of file returns 0");
    }
    TEST_CHECK(pread(b, buf, 5000, 0) == 5000 && !memcmp(buf, src_data, 4000) && !memcmp(buf + 4000, src_data + 9000, 1000),
               "the output file has the right bytes");
    TEST_ERRNO(sendfile(a, b, NULL, 10), EBADF, "sendfile to an O_RDONLY fd");
    {
        int w = open("src", O_WRONLY);
        TEST_ERRNO(sendfile(b, w, NULL, 10), EBADF, "sendfile from an O_WRONLY fd");
        close(w);
        int ap = open("dst", O_WRONLY | O_APPEND);
        TEST_ERRNO(sendfile(ap, a, NULL, 10), EINVAL, "sendfile to an O_APPEND fd");
        close(ap);
    }
    TEST_ERRNO(sendfile(b, 999, NULL, 10), EBADF, "sendfile from a bad fd");
    close(a);
    close(b);

    /* copy_file_range */
    a = open("src", O_RDONLY);
    b = open("copy", O_RDWR | O_CREAT | O_TRUNC, 0644);
    {
        loff_t in = 100, out = 50;
        TEST_EQ(copy_file_range(a, &in, b, &out, 3000, 0), 3000, "copy_file_range 3000 bytes with offsets");
        TEST_CHECK(in == 3100 && out == 3050, "copy_file_range advanced both offsets");
        TEST_CHECK(lseek(a, 0, SEEK_CUR) == 0 && lseek(b, 0, SEEK_CUR) == 0,
                   "copy_file_range with offsets left the file offsets alone");
        TEST_CHECK(pread(b, buf, 3050, 0) == 3050 && buf[0] == 0 && buf[49] == 0 && !memcmp(buf + 50, src_data + 100, 3000),
                   "copy_file_range copied the right bytes after a hole");
        lseek(a, 9990, SEEK_SET);
        lseek(b, 0, SEEK_END);
        TEST_EQ(copy_file_range(a, NULL, b, NULL, 100, 0), 10, "copy_file_range without offsets stops at end of file");
        TEST_CHECK(lseek(a, 0, SEEK_CUR) == 10000 && lseek(b, 0, SEEK_CUR) == 3060,
                   "copy_file_range without offsets advanced the file offsets");
        TEST_EQ(copy_file_range(a, NULL, b, NULL, 100, 0), 0, "copy_file_range at end of file returns 0");
        in = 0;
        out = 0;
        TEST_ERRNO(copy_file_range(a, &in, b, &out, 10, 1), EINVAL, "copy_file_range with nonzero flags");
        TEST_ERRNO(copy_file_range(b, &in, a, &out, 10, 0), EBADF, "copy_file_range to an O_RDONLY fd");
        in = 0;
        out = 10;
        TEST_ERRNO(copy_file_range(b, &in, b, &out, 100, 0), EINVAL, "copy_file_range of overlapping ranges in one file");
        TEST_ERRNO(copy_file_range(999, NULL, b, NULL, 10, 0), EBADF, "copy_file_range from a bad fd");
    }
    close(a);

    /* FIONREAD on a regular file */
    {
        int avail = -1;
        lseek(b, 0, SEEK_SET);
        TEST_EQ(ioctl(b, FIONREAD, &avail), 0, "ioctl FIONREAD on a regular file");
        TEST_EQ(avail, 3060, "FIONREAD at offset 0 is the file size");
        lseek(b, 3000, SEEK_SET);
        ioctl(b, FIONREAD, &avail);
        TEST_EQ(avail, 60, "FIONREAD is the bytes left after the offset");
        struct winsize ws;
        TEST_ERRNO(ioctl(b, TIOCGWINSZ, &ws), ENOTTY, "ioctl TIOCGWINSZ on a regular file");
        TEST_ERRNO(ioctl(999, FIONREAD, &avail), EBADF, "ioctl on a bad fd");
    }
    close(b);

    return tst_exit();
}

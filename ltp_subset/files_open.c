/* open/openat/creat: flags and errno cases. */
#define TCID "files_open"
#include "tst.h"

static char longname[300];
static char longpath[PATH_MAX + 64];

int main(void)
{
    int fd, fd2;
    struct stat st;
    char buf[64];

    tst_scratch();
    tst_mkfile("file", "hello world\n", 12, 0644);
    mkdir("dir", 0755);
    tst_mkfile("dir/inner", "inner\n", 6, 0644);
    symlink("file", "link");
    symlink("dir", "dirlink");
    symlink("loop1", "loop2");
    symlink("loop2", "loop1");

    /* O_CREAT / O_EXCL */
    fd = TEST_OK(open("new", O_WRONLY | O_CREAT | O_EXCL, 0644), "open O_CREAT|O_EXCL of a new file");
    if (fd >= 0)
        close(fd);
    TEST_CHECK(stat("new", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0,
               "O_CREAT made an empty regular file");
    TEST_ERRNO(open("new", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST,
               "open O_CREAT|O_EXCL on existing file");
    TEST_ERRNO(open("link", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST,
               "open O_CREAT|O_EXCL on a symlink to a file");
    TEST_ERRNO(open("dir", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST,
               "open O_CREAT|O_EXCL on existing directory");
    fd = TEST_OK(open("new", O_WRONLY | O_CREAT, 0600), "open O_CREAT of an existing file");
    if (fd >= 0)
        close(fd);
    TEST_CHECK(stat("new", &st) == 0 && (st.st_mode & 07777) == 0644,
               "O_CREAT on an existing file keeps its mode");

    /* ENOENT, ENOTDIR, EISDIR */
    TEST_ERRNO(open("missing", O_RDONLY), ENOENT, "open missing file without O_CREAT");
    TEST_ERRNO(open("nodir/x", O_RDWR | O_CREAT, 0644), ENOENT,
               "open O_CREAT in a missing directory");
    TEST_ERRNO(open("", O_RDONLY), ENOENT, "open empty path");
    TEST_ERRNO(open("file/x", O_RDONLY), ENOTDIR, "open with a regular file as a directory component");
    TEST_ERRNO(open("file/", O_RDONLY), ENOTDIR, "open regular file with trailing slash");
    TEST_ERRNO(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR, "open O_DIRECTORY on a regular file");
    TEST_ERRNO(open("link", O_RDONLY | O_DIRECTORY), ENOTDIR, "open O_DIRECTORY on a symlink to a file");
    TEST_ERRNO(open("newfile/", O_WRONLY | O_CREAT, 0644), EISDIR,
               "open O_CREAT of a new name with trailing slash");
    TEST_ERRNO(open("dir", O_WRONLY), EISDIR, "open directory O_WRONLY");
    TEST_ERRNO(open("dir", O_RDWR), EISDIR, "open directory O_RDWR");
    TEST_ERRNO(open("dir", O_RDONLY | O_CREAT, 0644), EISDIR, "open directory O_CREAT");
    fd = TEST_OK(open("dir", O_RDONLY | O_DIRECTORY), "open directory O_RDONLY|O_DIRECTORY");
    if (fd >= 0) {
        TEST_ERRNO(read(fd, buf, sizeof buf), EISDIR, "read on a directory fd");
        close(fd);
    }
    fd = TEST_OK(open("dirlink", O_RDONLY | O_DIRECTORY), "open O_DIRECTORY through a symlink to a directory");
    if (fd >= 0)
        close(fd);

    /* O_TRUNC */
    fd = TEST_OK(open("file", O_WRONLY | O_TRUNC), "open O_WRONLY|O_TRUNC");
    if (fd >= 0) {
        TEST_CHECK(fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC truncated the file to 0");
        TEST_EQ(write(fd, "0123456789", 10), 10, "write after O_TRUNC");
        close(fd);
    }
    fd = open("file", O_RDWR);
    TEST_CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 10, "open O_RDWR without O_TRUNC keeps the size");
    if (fd >= 0)
        close(fd);

    /* O_APPEND */
    fd = TEST_OK(open("file", O_WRONLY | O_APPEND), "open O_WRONLY|O_APPEND");
    if (fd >= 0) {
        lseek(fd, 0, SEEK_SET);
        TEST_EQ(write(fd, "ab", 2), 2, "write with O_APPEND");
        TEST_EQ(lseek(fd, 0, SEEK_CUR), 12, "O_APPEND write moved the offset to the end");
        TEST_EQ(pwrite(fd, "cd", 2, 0), 2, "pwrite with O_APPEND");
        close(fd);
    }
    TEST_CHECK(tst_readfile("file", buf, sizeof buf) == 14 && memcmp(buf, "0123456789abcd", 14) == 0,
               "O_APPEND writes (and pwrite on Linux) went to the end");

    /* O_NOFOLLOW */
    TEST_ERRNO(open("link", O_RDONLY | O_NOFOLLOW), ELOOP, "open O_NOFOLLOW on a symlink");
    fd = TEST_OK(open("file", O_RDONLY | O_NOFOLLOW), "open O_NOFOLLOW on a regular file");
    if (fd >= 0)
        close(fd);
    fd = TEST_OK(open("dirlink/inner", O_RDONLY | O_NOFOLLOW),
                 "open O_NOFOLLOW follows symlinks in earlier components");
    if (fd >= 0)
        close(fd);
    fd = TEST_OK(open("link", O_RDONLY), "open follows a symlink");
    if (fd >= 0) {
        TEST_CHECK(read(fd, buf, 4) == 4 && memcmp(buf, "0123", 4) == 0, "read through the symlink gives the target's data");
        close(fd);
    }

    /* ELOOP */
    TEST_ERRNO(open("loop1", O_RDONLY), ELOOP, "open a symlink loop");
    TEST_ERRNO(open("loop1", O_WRONLY | O_CREAT, 0644), ELOOP, "open O_CREAT on a symlink loop");

    /* O_CLOEXEC */
    fd = TEST_OK(open("file", O_RDONLY | O_CLOEXEC), "open O_CLOEXEC");
    if (fd >= 0) {
        TEST_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "O_CLOEXEC sets FD_CLOEXEC");
        close(fd);
    }
    fd = open("file", O_RDONLY);
    if (fd >= 0) {
        TEST_EQ(fcntl(fd, F_GETFD), 0, "no O_CLOEXEC leaves FD_CLOEXEC clear");
        close(fd);
    }

    /* lowest free fd is reused */
    fd = open("file", O_RDONLY);
    fd2 = open("file", O_RDONLY);
    TEST_CHECK(fd >= 0 && fd2 == fd + 1, "consecutive opens return consecutive fds");
    close(fd);
    int fd3 = open("file", O_RDONLY);
    TEST_CHECK(fd3 == fd, "open reuses the lowest free fd");
    close(fd2);
    close(fd3);

    /* access modes */
    fd = open("file", O_RDONLY);
    if (fd >= 0) {
        TEST_ERRNO(write(fd, "x", 1), EBADF, "write on an O_RDONLY fd");
        TEST_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY, "F_GETFL shows O_RDONLY");
        close(fd);
    }
    fd = open("file", O_WRONLY);
    if (fd >= 0) {
        TEST_ERRNO(read(fd, buf, 1), EBADF, "read on an O_WRONLY fd");
        TEST_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY, "F_GETFL shows O_WRONLY");
        close(fd);
    }

    /* openat */
    int dfd = TEST_OK(open("dir", O_RDONLY | O_DIRECTORY), "open a directory for openat");
    fd = TEST_OK(openat(dfd, "inner", O_RDONLY), "openat relative to a directory fd");
    if (fd >= 0) {
        TEST_CHECK(read(fd, buf, 6) == 6 && memcmp(buf, "inner\n", 6) == 0, "openat opened the right file");
        close(fd);
    }
    fd = TEST_OK(openat(dfd, "created", O_WRONLY | O_CREAT | O_EXCL, 0644), "openat O_CREAT relative to a directory fd");
    if (fd >= 0)
        close(fd);
    TEST_OK(access("dir/created", F_OK), "openat created the file in the directory");
    TEST_ERRNO(openat(dfd, "missing", O_RDONLY), ENOENT, "openat missing file");
    TEST_ERRNO(openat(dfd, "..", O_WRONLY), EISDIR, "openat .. for writing");
    close(dfd);
    fd = TEST_OK(openat(AT_FDCWD, "file", O_RDONLY), "openat AT_FDCWD");
    if (fd >= 0)
        close(fd);
    TEST_ERRNO(openat(999, "file", O_RDONLY), EBADF, "openat with a bad dirfd and relative path");
    TEST_ERRNO(openat(-5, "file", O_RDONLY), EBADF, "openat with a negative dirfd and relative path");
    {
        char abs[512];
        snprintf(abs, sizeof abs, "%s/file", tst_scratch_path);
        fd = TEST_OK(openat(999, abs, O_RDONLY), "openat ignores a bad dirfd for an absolute path");
        if (fd >= 0)
            close(fd);
    }
    fd = open("file", O_RDONLY);
    TEST_ERRNO(openat(fd, "x", O_RDONLY), ENOTDIR, "openat with a regular file as dirfd");
    close(fd);

    /* creat */
    fd = TEST_OK(creat("creatd", 0644), "creat a new file");
    if (fd >= 0) {
        TEST_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY, "creat opens O_WRONLY");
        TEST_ERRNO(read(fd, buf, 1), EBADF, "read on a creat fd");
        TEST_EQ(write(fd, "12345", 5), 5, "write on a creat fd");
        close(fd);
    }
    fd = TEST_OK(creat("creatd", 0644), "creat an existing file");
    if (fd >= 0) {
        TEST_CHECK(fstat(fd, &st) == 0 && st.st_size == 0, "creat truncates an existing file");
        close(fd);
    }
    TEST_ERRNO(creat("dir", 0644), EISDIR, "creat on a directory");

    /* O_PATH */
    fd = TEST_OK(open("file", O_PATH), "open O_PATH");
    if (fd >= 0) {
        TEST_ERRNO(read(fd, buf, 1), EBADF, "read on an O_PATH fd");
        TEST_CHECK(fstat(fd, &st) == 0 && st.st_size == 14, "fstat on an O_PATH fd");
        close(fd);
    }

    /* EFAULT, ENAMETOOLONG */
    TEST_ERRNO(open(TST_BADPTR, O_RDONLY), EFAULT, "open with a bad path pointer");
    TEST_ERRNO(openat(AT_FDCWD, TST_BADPTR, O_RDONLY), EFAULT, "openat with a bad path pointer");
    memset(longname, 'a', sizeof longname - 1);
    TEST_ERRNO(open(longname, O_RDONLY), ENAMETOOLONG, "open with a 299-byte component");
    TEST_ERRNO(open(longname, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG, "open O_CREAT with a 299-byte component");
    {
        size_t i;
        for (i = 0; i + 2 < sizeof longpath; i += 2) {
            longpath[i] = 'd';
            longpath[i + 1] = '/';
        }
        longpath[i] = 0;
    }
    TEST_ERRNO(open(longpath, O_RDONLY), ENAMETOOLONG, "open with a path longer than PATH_MAX");

    /* close */
    fd = open("file", O_RDONLY);
    TEST_EQ(close(fd), 0, "close an open fd");
    TEST_ERRNO(close(fd), EBADF, "close the same fd again");
    TEST_ERRNO(read(fd, buf, 1), EBADF, "read on a closed fd");

    return tst_exit();
}

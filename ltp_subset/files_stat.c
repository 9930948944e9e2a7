/* stat/lstat/fstat/newfstatat/statx, access/faccessat, umask, chmod family,
 * truncate/ftruncate, utimensat. */
#define TCID "files_stat"
#include "tst.h"
#include <sys/time.h>

/* statx through syscall() with our own struct: musl has no statx wrapper. */
struct tst_statx_ts {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
struct tst_statx {
    uint32_t stx_mask;
    uint32_t stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink;
    uint32_t stx_uid;
    uint32_t stx_gid;
    uint16_t stx_mode;
    uint16_t spare0;
    uint64_t stx_ino;
    uint64_t stx_size;
    uint64_t stx_blocks;
    uint64_t stx_attributes_mask;
    struct tst_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};
#define T_STATX_TYPE 0x1u
#define T_STATX_MODE 0x2u
#define T_STATX_NLINK 0x4u
#define T_STATX_MTIME 0x40u
#define T_STATX_SIZE 0x200u
#define T_STATX_RESERVED 0x80000000u

#ifndef SYS_statx
#define SYS_statx 332
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

static long xstatx(int dfd, const char *path, int flags, unsigned mask, struct tst_statx *sx)
{
    return syscall(SYS_statx, dfd, path, flags, mask, sx);
}

static int mode_of(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return -1;
    return st.st_mode & 07777;
}

int main(void)
{
    struct stat st, st2;
    struct tst_statx sx;
    int fd, dfd;

    tst_scratch();
    tst_mkfile("f", "0123456789", 10, 0666);
    mkdir("d", 0777);
    tst_mkfile("d/inner", "abc", 3, 0644);
    symlink("f", "lnk");
    symlink("nowhere", "dangling");

    /* stat / lstat / fstat */
    TEST_EQ(stat("f", &st), 0, "stat a regular file");
    TEST_CHECK(S_ISREG(st.st_mode), "stat: S_ISREG");
    TEST_EQ(st.st_size, 10, "stat: st_size");
    TEST_EQ(st.st_nlink, 1, "stat: st_nlink of a new file");
    TEST_EQ(st.st_mode & 07777, 0644, "stat: mode 0666 & ~umask 022 = 0644");
    TEST_CHECK(st.st_uid == geteuid() && st.st_gid == getegid(), "stat: owner is the caller");
    TEST_CHECK(st.st_blksize > 0, "stat: st_blksize > 0");
    TEST_EQ(stat("d", &st), 0, "stat a directory");
    TEST_CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755, "stat: S_ISDIR, mode 0755");
    TEST_EQ(st.st_nlink, 2, "stat: st_nlink of a directory without subdirectories");
    mkdir("d/sub", 0755);
    stat("d", &st);
    TEST_EQ(st.st_nlink, 3, "stat: a subdirectory adds a link to its parent");
    rmdir("d/sub");
    stat("d", &st);
    TEST_EQ(st.st_nlink, 2, "stat: removing the subdirectory drops the link");
    TEST_EQ(lstat("lnk", &st), 0, "lstat a symlink");
    TEST_CHECK(S_ISLNK(st.st_mode), "lstat: S_ISLNK");
    TEST_EQ(st.st_size, 1, "lstat: a symlink's size is its target's length");
    TEST_EQ(stat("lnk", &st), 0, "stat follows a symlink");
    TEST_CHECK(S_ISREG(st.st_mode) && st.st_size == 10, "stat through the symlink sees the file");
    TEST_EQ(lstat("dangling", &st), 0, "lstat a dangling symlink");
    TEST_ERRNO(stat("dangling", &st), ENOENT, "stat a dangling symlink");
    TEST_ERRNO(stat("missing", &st), ENOENT, "stat a missing file");
    TEST_ERRNO(stat("", &st), ENOENT, "stat an empty path");
    TEST_ERRNO(stat("f/x", &st), ENOTDIR, "stat with a file as a directory component");
    TEST_ERRNO(lstat("f/", &st), ENOTDIR, "lstat a file with trailing slash");
    TEST_ERRNO(stat(TST_BADPTR, &st), EFAULT, "stat with a bad path pointer");
    TEST_ERRNO(syscall(SYS_newfstatat, AT_FDCWD, "f", TST_BADPTR, 0), EFAULT,
               "newfstatat with a bad stat buffer");
    fd = open("f", O_RDONLY);
    TEST_EQ(fstat(fd, &st2), 0, "fstat an open file");
    stat("f", &st);
    TEST_CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev && st2.st_size == 10,
               "fstat and stat agree on dev, ino and size");
    TEST_ERRNO(syscall(SYS_fstat, fd, TST_BADPTR), EFAULT, "fstat with a bad stat buffer");
    TEST_ERRNO(fstat(999, &st), EBADF, "fstat a bad fd");

    /* newfstatat */
    memset(&st2, 0, sizeof st2);
    TEST_EQ(syscall(SYS_newfstatat, fd, "", &st2, AT_EMPTY_PATH), 0, "newfstatat AT_EMPTY_PATH on a file fd");
    TEST_CHECK(st2.st_ino == st.st_ino && st2.st_size == 10, "newfstatat AT_EMPTY_PATH stats the fd");
    TEST_ERRNO(syscall(SYS_newfstatat, fd, "", &st2, 0), ENOENT, "newfstatat empty path without AT_EMPTY_PATH");
    TEST_EQ(fstatat(fd, "", &st2, AT_EMPTY_PATH), 0, "fstatat AT_EMPTY_PATH (libc)");
    close(fd);
    dfd = open("d", O_RDONLY | O_DIRECTORY);
    TEST_CHECK(fstatat(dfd, "inner", &st, 0) == 0 && st.st_size == 3, "fstatat relative to a directory fd");
    TEST_CHECK(fstatat(AT_FDCWD, "lnk", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode),
               "fstatat AT_SYMLINK_NOFOLLOW sees the symlink");
    TEST_CHECK(fstatat(AT_FDCWD, "lnk", &st, 0) == 0 && S_ISREG(st.st_mode), "fstatat without flags follows it");
    TEST_ERRNO(fstatat(AT_FDCWD, "f", &st, 0x40000000), EINVAL, "fstatat with an invalid flag");
    TEST_ERRNO(fstatat(999, "f", &st, 0), EBADF, "fstatat with a bad dirfd");
    fd = open("f", O_RDONLY);
    TEST_ERRNO(fstatat(fd, "x", &st, 0), ENOTDIR, "fstatat with a file fd as dirfd");
    close(fd);

    /* statx */
    memset(&sx, 0, sizeof sx);
    TEST_EQ(xstatx(AT_FDCWD, "f", 0, T_STATX_SIZE | T_STATX_MODE | T_STATX_NLINK, &sx), 0, "statx a file");
    TEST_CHECK((sx.stx_mask & (T_STATX_SIZE | T_STATX_MODE | T_STATX_NLINK)) ==
                   (T_STATX_SIZE | T_STATX_MODE | T_STATX_NLINK), "statx: mask has SIZE, MODE and NLINK");
    TEST_EQ(sx.stx_size, 10, "statx: stx_size");
    TEST_EQ(sx.stx_mode, S_IFREG | 0644, "statx: stx_mode");
    TEST_EQ(sx.stx_nlink, 1, "statx: stx_nlink");
    stat("f", &st);
    memset(&sx, 0, sizeof sx);
    xstatx(AT_FDCWD, "f", 0, T_STATX_MTIME, &sx);
    TEST_CHECK((sx.stx_mask & T_STATX_MTIME) && sx.stx_mtime.tv_sec == st.st_mtim.tv_sec &&
                   sx.stx_mtime.tv_nsec == (uint32_t)st.st_mtim.tv_nsec, "statx: stx_mtime equals stat's");
    memset(&sx, 0, sizeof sx);
    TEST_EQ(xstatx(AT_FDCWD, "lnk", AT_SYMLINK_NOFOLLOW, T_STATX_TYPE | T_STATX_SIZE, &sx), 0,
            "statx AT_SYMLINK_NOFOLLOW on a symlink");
    TEST_CHECK(S_ISLNK(sx.stx_mode) && sx.stx_size == 1, "statx: the symlink itself");
    memset(&sx, 0, sizeof sx);
    TEST_EQ(xstatx(dfd, "", AT_EMPTY_PATH, T_STATX_TYPE | T_STATX_NLINK, &sx), 0, "statx AT_EMPTY_PATH on a dir fd");
    TEST_CHECK(S_ISDIR(sx.stx_mode) && sx.stx_nlink == 2, "statx: the directory");
    TEST_ERRNO(xstatx(AT_FDCWD, "missing", 0, T_STATX_SIZE, &sx), ENOENT, "statx a missing file");
    TEST_ERRNO(xstatx(AT_FDCWD, "f", 0, T_STATX_RESERVED, &sx), EINVAL, "statx with STATX__RESERVED in mask");
    TEST_ERRNO(xstatx(AT_FDCWD, "f", 0x40000000, T_STATX_SIZE, &sx), EINVAL, "statx with an invalid flag");
    TEST_ERRNO(xstatx(AT_FDCWD, "f", 0, T_STATX_SIZE, TST_BADPTR), EFAULT, "statx with a bad buffer");

    /* access / faccessat */
    chmod("f", 0644);
    TEST_EQ(access("f", F_OK), 0, "access F_OK on an existing file");
    TEST_EQ(access("f", R_OK | W_OK), 0, "access R_OK|W_OK on an owned 0644 file");
    TEST_ERRNO(access("f", X_OK), EACCES, "access X_OK on a 0644 file");
    TEST_ERRNO(access("missing", F_OK), ENOENT, "access F_OK on a missing file");
    TEST_ERRNO(access("f", 0x100), EINVAL, "access with an invalid mode");
    TEST_ERRNO(access("dangling", F_OK), ENOENT, "access follows a dangling symlink");
    chmod("f", 0755);
    TEST_EQ(access("f", X_OK), 0, "access X_OK on a 0755 file");
    TEST_EQ(access("d", X_OK), 0, "access X_OK on a directory");
    TEST_EQ(faccessat(dfd, "inner", R_OK, 0), 0, "faccessat relative to a directory fd");
    TEST_ERRNO(faccessat(dfd, "missing", F_OK, 0), ENOENT, "faccessat on a missing file");
    TEST_EQ(faccessat(AT_FDCWD, "f", R_OK, AT_EACCESS), 0, "faccessat AT_EACCESS");
    TEST_ERRNO(faccessat(999, "f", F_OK, 0), EBADF, "faccessat with a bad dirfd");
    TEST_EQ(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW), 0,
            "faccessat2 AT_SYMLINK_NOFOLLOW on a dangling symlink");
    TEST_ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "f", F_OK, 0x40000000), EINVAL, "faccessat2 with an invalid flag");

    /* umask */
    TEST_EQ(umask(077), 022, "umask returns the previous mask");
    tst_mkfile("u1", "", 0, 0666);
    TEST_EQ(mode_of("u1"), 0600, "umask 077: file created 0666 gets 0600");
    mkdir("u1d", 0777);
    TEST_EQ(mode_of("u1d"), 0700, "umask 077: directory created 0777 gets 0700");
    umask(0);
    tst_mkfile("u2", "", 0, 0666);
    TEST_EQ(mode_of("u2"), 0666, "umask 0: file created 0666 keeps 0666");
    umask(027);
    fd = openat(dfd, "u3", O_WRONLY | O_CREAT, 0777);
    close(fd);
    TEST_EQ(mode_of("d/u3"), 0750, "umask 027: openat 0777 gets 0750");
    TEST_EQ(umask(022), 027, "umask returns 027");
    chmod("u2", 0777);
    TEST_EQ(mode_of("u2"), 0777, "umask does not apply to chmod");

    /* chmod / fchmod / fchmodat */
    TEST_EQ(chmod("f", 0600), 0, "chmod 0600");
    TEST_EQ(mode_of("f"), 0600, "chmod: mode is 0600");
    TEST_EQ(chmod("f", 04751), 0, "chmod 04751");
    TEST_EQ(mode_of("f"), 04751, "chmod: mode is 04751 (setuid kept for owner)");
    TEST_EQ(chmod("lnk", 0640), 0, "chmod through a symlink");
    TEST_CHECK(mode_of("f") == 0640 && mode_of("lnk") == 0777, "chmod through a symlink changes the target only");
    TEST_ERRNO(chmod("missing", 0644), ENOENT, "chmod a missing file");
    TEST_ERRNO(chmod("dangling", 0644), ENOENT, "chmod a dangling symlink");
    TEST_ERRNO(chmod(TST_BADPTR, 0644), EFAULT, "chmod with a bad path pointer");
    fd = open("f", O_RDONLY);
    TEST_EQ(fchmod(fd, 0604), 0, "fchmod on a read-only fd");
    TEST_EQ(mode_of("f"), 0604, "fchmod: mode is 0604");
    close(fd);
    TEST_ERRNO(fchmod(999, 0644), EBADF, "fchmod a bad fd");
    TEST_EQ(fchmodat(dfd, "inner", 0600, 0), 0, "fchmodat relative to a directory fd");
    TEST_EQ(mode_of("d/inner"), 0600, "fchmodat: mode is 0600");
    TEST_EQ(fchmodat(AT_FDCWD, "d", 0711, 0), 0, "fchmodat a directory");
    TEST_EQ(mode_of("d"), 0711, "fchmodat: directory mode is 0711");
    chmod("d", 0755);
    TEST_ERRNO(fchmodat(999, "f", 0644, 0), EBADF, "fchmodat with a bad dirfd");

    /* truncate / ftruncate */
    chmod("f", 0644);
    TEST_EQ(truncate("f", 5000), 0, "truncate up to 5000");
    {
        char buf[5000];
        stat("f", &st);
        TEST_EQ(st.st_size, 5000, "truncate: size is 5000");
        long n = tst_readfile("f", buf, sizeof buf);
        int zero = n == 4999 && memcmp(buf, "0123456789", 10) == 0;
        for (int i = 10; zero && i < 4999; i++)
            zero = buf[i] == 0;
        TEST_CHECK(zero, "truncate up keeps the data and adds zeros");
    }
    TEST_EQ(truncate("lnk", 4), 0, "truncate down through a symlink");
    stat("f", &st);
    TEST_EQ(st.st_size, 4, "truncate: size is 4");
    TEST_ERRNO(truncate("f", -1), EINVAL, "truncate to a negative length");
    TEST_ERRNO(truncate("d", 0), EISDIR, "truncate a directory");
    TEST_ERRNO(truncate("missing", 0), ENOENT, "truncate a missing file");
    fd = open("f", O_RDWR);
    TEST_EQ(ftruncate(fd, 100), 0, "ftruncate up to 100");
    TEST_CHECK(fstat(fd, &st) == 0 && st.st_size == 100, "ftruncate: size is 100");
    lseek(fd, 50, SEEK_SET);
    TEST_EQ(ftruncate(fd, 2), 0, "ftruncate down to 2");
    TEST_EQ(lseek(fd, 0, SEEK_CUR), 50, "ftruncate leaves the offset alone");
    {
        char c;
        TEST_EQ(read(fd, &c, 1), 0, "read past the new end returns 0");
    }
    TEST_ERRNO(ftruncate(fd, -1), EINVAL, "ftruncate to a negative length");
    close(fd);
    fd = open("f", O_RDONLY);
    TEST_ERRNO(ftruncate(fd, 0), EINVAL, "ftruncate an O_RDONLY fd");
    close(fd);
    TEST_ERRNO(ftruncate(999, 0), EBADF, "ftruncate a bad fd");
    TEST_ERRNO(ftruncate(dfd, 0), EINVAL, "ftruncate a directory fd");

    /* utimensat / futimens */
    {
        struct timespec ts[2] = {{1000000000, 123456789}, {1200000000, 500000000}};
        TEST_EQ(utimensat(AT_FDCWD, "f", ts, 0), 0, "utimensat with explicit times");
        stat("f", &st);
        TEST_CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789, "utimensat: atime set");
        TEST_CHECK(st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 500000000, "utimensat: mtime set");
        struct timespec om[2] = {{0, UTIME_OMIT}, {1300000000, 0}};
        TEST_EQ(utimensat(AT_FDCWD, "f", om, 0), 0, "utimensat with UTIME_OMIT for atime");
        stat("f", &st);
        TEST_CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789 &&
                       st.st_mtim.tv_sec == 1300000000 && st.st_mtim.tv_nsec == 0,
                   "UTIME_OMIT kept atime, mtime changed");
        struct timespec now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
        TEST_EQ(utimensat(AT_FDCWD, "f", now, 0), 0, "utimensat with UTIME_NOW for mtime");
        stat("f", &st);
        TEST_CHECK(st.st_mtim.tv_sec > 1500000000 && st.st_atim.tv_sec == 1000000000, "UTIME_NOW set a current mtime");
        TEST_EQ(utimensat(AT_FDCWD, "lnk", ts, AT_SYMLINK_NOFOLLOW), 0, "utimensat AT_SYMLINK_NOFOLLOW on a symlink");
        lstat("lnk", &st);
        stat("f", &st2);
        TEST_CHECK(st.st_mtim.tv_sec == 1200000000 && st2.st_mtim.tv_sec != 1200000000,
                   "AT_SYMLINK_NOFOLLOW changed the link, not the target");
        TEST_EQ(utimensat(dfd, "inner", ts, 0), 0, "utimensat relative to a directory fd");
        stat("d/inner", &st);
        TEST_EQ(st.st_mtim.tv_sec, 1200000000, "utimensat: dirfd-relative mtime set");
        fd = open("f", O_RDONLY);
        struct timespec ft[2] = {{1100000000, 0}, {1100000001, 0}};
        TEST_EQ(futimens(fd, ft), 0, "futimens");
        fstat(fd, &st);
        TEST_CHECK(st.st_atim.tv_sec == 1100000000 && st.st_mtim.tv_sec == 1100000001, "futimens: times set");
        close(fd);
        struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
        TEST_ERRNO(utimensat(AT_FDCWD, "f", bad, 0), EINVAL, "utimensat with tv_nsec out of range");
        TEST_ERRNO(utimensat(AT_FDCWD, "missing", ts, 0), ENOENT, "utimensat a missing file");
        TEST_ERRNO(utimensat(AT_FDCWD, "f", ts, 0x40000000), EINVAL, "utimensat with an invalid flag");
        TEST_ERRNO(futimens(999, ts), EBADF, "futimens a bad fd");
    }
    close(dfd);

    return tst_exit();
}

/* link/linkat, symlink/symlinkat, readlink/readlinkat, nlink counts, loops, dangling. */
#define TCID "files_links"
#include "tst.h"

static long nlink_of(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return -1;
    return (long)st.st_nlink;
}

int main(void)
{
    struct stat st, st2;
    char buf[PATH_MAX], path[64], target[64];
    int fd, dfd;
    long n;
    const char *scratch = tst_scratch();

    tst_mkfile("f", "contents", 8, 0644);
    mkdir("d", 0755);
    tst_mkfile("d/inner", "inner", 5, 0644);
    dfd = open("d", O_RDONLY | O_DIRECTORY);

    /* link */
    TEST_EQ(link("f", "h1"), 0, "link a file");
    TEST_EQ(nlink_of("f"), 2, "st_nlink is 2 after link");
    TEST_EQ(nlink_of("h1"), 2, "the new link also has st_nlink 2");
    stat("f", &st);
    stat("h1", &st2);
    TEST_CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev, "both names are the same inode");
    fd = open("h1", O_WRONLY | O_APPEND);
    write(fd, "+more", 5);
    close(fd);
    TEST_CHECK(tst_readfile("f", buf, sizeof buf) == 13 && !strcmp(buf, "contents+more"),
               "a write through one link shows through the other");
    TEST_EQ(link("f", "d/h2"), 0, "link into another directory");
    TEST_EQ(nlink_of("f"), 3, "st_nlink is 3");
    TEST_ERRNO(link("f", "h1"), EEXIST, "link to an existing name");
    TEST_ERRNO(link("missing", "h3"), ENOENT, "link a missing file");
    TEST_ERRNO(link("f", "nodir/h3"), ENOENT, "link into a missing directory");
    TEST_ERRNO(link("d", "dlink"), EPERM, "link a directory");
    TEST_ERRNO(link("f/x", "h3"), ENOTDIR, "link with a file as a directory component");
    TEST_ERRNO(link(TST_BADPTR, "h3"), EFAULT, "link with a bad path pointer");
    TEST_EQ(unlink("h1"), 0, "unlink one link");
    TEST_EQ(nlink_of("f"), 2, "st_nlink drops to 2");
    TEST_EQ(unlink("d/h2"), 0, "unlink another link");
    TEST_EQ(nlink_of("f"), 1, "st_nlink drops to 1");

    /* linkat */
    TEST_EQ(linkat(dfd, "inner", AT_FDCWD, "inner-link", 0), 0, "linkat from a directory fd");
    TEST_EQ(nlink_of("d/inner"), 2, "linkat: st_nlink is 2");
    symlink("f", "sf");
    TEST_EQ(linkat(AT_FDCWD, "sf", AT_FDCWD, "sf-nofollow", 0), 0, "linkat a symlink without AT_SYMLINK_FOLLOW");
    TEST_CHECK(lstat("sf-nofollow", &st) == 0 && S_ISLNK(st.st_mode) && nlink_of("sf") == 2,
               "without AT_SYMLINK_FOLLOW the symlink itself is linked");
    TEST_EQ(linkat(AT_FDCWD, "sf", dfd, "sf-follow", AT_SYMLINK_FOLLOW), 0, "linkat AT_SYMLINK_FOLLOW");
    TEST_CHECK(lstat("d/sf-follow", &st) == 0 && S_ISREG(st.st_mode) && nlink_of("f") == 2,
               "AT_SYMLINK_FOLLOW links the target");
    TEST_ERRNO(linkat(AT_FDCWD, "f", AT_FDCWD, "x", 0x1), EINVAL, "linkat with an invalid flag");
    TEST_ERRNO(linkat(999, "f", AT_FDCWD, "x", 0), EBADF, "linkat with a bad old dirfd");
    TEST_ERRNO(linkat(AT_FDCWD, "f", 999, "x", 0), EBADF, "linkat with a bad new dirfd");
    unlink("d/sf-follow");
    unlink("sf-nofollow");

    /* symlink / readlink */
    TEST_EQ(symlink("some/target/path", "s"), 0, "symlink");
    TEST_CHECK(lstat("s", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 16, "lstat: S_ISLNK, size 16");
    memset(buf, 'X', sizeof buf);
    n = readlink("s", buf, sizeof buf);
    TEST_EQ(n, 16, "readlink returns the target's length");
    TEST_CHECK(!memcmp(buf, "some/target/path", 16) && buf[16] == 'X', "readlink gives the target, no NUL added");
    memset(buf, 'X', sizeof buf);
    TEST_EQ(readlink("s", buf, 4), 4, "readlink with a small buffer truncates");
    TEST_CHECK(!memcmp(buf, "someX", 5), "readlink wrote only 4 bytes");
    TEST_ERRNO(readlink("f", buf, sizeof buf), EINVAL, "readlink a regular file");
    TEST_ERRNO(readlink("d", buf, sizeof buf), EINVAL, "readlink a directory");
    TEST_ERRNO(readlink("missing", buf, sizeof buf), ENOENT, "readlink a missing file");
    /* raw syscall: musl's readlink() turns bufsiz 0 into a 1-byte dummy and returns 0 */
    TEST_ERRNO(syscall(SYS_readlink, "s", buf, 0), EINVAL, "readlink with bufsiz 0");
    TEST_ERRNO(readlink("s", TST_BADPTR, 100), EFAULT, "readlink into a bad buffer");
    TEST_ERRNO(symlink("x", "s"), EEXIST, "symlink over an existing symlink");
    TEST_ERRNO(symlink("x", "f"), EEXIST, "symlink over an existing file");
    TEST_ERRNO(symlink("", "empty"), ENOENT, "symlink with an empty target");
    TEST_ERRNO(symlink("x", "nodir/s"), ENOENT, "symlink in a missing directory");
    TEST_ERRNO(symlink(TST_BADPTR, "bad"), EFAULT, "symlink with a bad target pointer");
    TEST_EQ(symlinkat("../f", dfd, "up"), 0, "symlinkat relative to a directory fd");
    memset(buf, 0, sizeof buf);
    TEST_CHECK(readlinkat(dfd, "up", buf, sizeof buf) == 4 && !strcmp(buf, "../f"), "readlinkat relative to a directory fd");
    TEST_CHECK(tst_readfile("d/up", buf, sizeof buf) == 13 && !strcmp(buf, "contents+more"),
               "a relative symlink resolves from its own directory");
    TEST_ERRNO(symlinkat("x", 999, "y"), EBADF, "symlinkat with a bad dirfd");
    TEST_ERRNO(readlinkat(999, "y", buf, sizeof buf), EBADF, "readlinkat with a bad dirfd");
    fd = open("s", O_PATH | O_NOFOLLOW);
    memset(buf, 0, sizeof buf);
    TEST_CHECK(fd >= 0 && readlinkat(fd, "", buf, sizeof buf) == 16 && !strcmp(buf, "some/target/path"),
               "readlinkat with an empty path on an O_PATH|O_NOFOLLOW symlink fd");
    close(fd);
    snprintf(target, sizeof target, "%s/d", scratch);
    symlink(target, "absdir");
    TEST_CHECK(tst_readfile("absdir/inner", buf, sizeof buf) == 5 && !strcmp(buf, "inner"),
               "an absolute symlink to a directory in the middle of a path");
    TEST_CHECK(stat("absdir", &st) == 0 && S_ISDIR(st.st_mode) && lstat("absdir", &st2) == 0 && S_ISLNK(st2.st_mode),
               "stat follows the directory symlink, lstat does not");
    TEST_CHECK(lstat("absdir/", &st) == 0 && S_ISDIR(st.st_mode), "lstat with a trailing slash follows the symlink");

    /* loops */
    symlink("loopB", "loopA");
    symlink("loopA", "loopB");
    symlink("self", "self");
    TEST_ERRNO(stat("loopA", &st), ELOOP, "stat a two-link symlink loop");
    TEST_ERRNO(stat("self", &st), ELOOP, "stat a self-referencing symlink");
    TEST_ERRNO(open("loopA/x", O_RDONLY), ELOOP, "open through a symlink loop in the middle of a path");
    TEST_ERRNO(access("loopB", F_OK), ELOOP, "access a symlink loop");
    TEST_EQ(lstat("loopA", &st), 0, "lstat a symlink in a loop");
    TEST_EQ(unlink("self"), 0, "unlink a self-referencing symlink");
    /* chains: chainN -> chain(N-1) -> ... -> chain0 -> f */
    symlink("f", "chain0");
    for (int i = 1; i <= 41; i++) {
        snprintf(path, sizeof path, "chain%d", i);
        snprintf(target, sizeof target, "chain%d", i - 1);
        symlink(target, path);
    }
    TEST_EQ(stat("chain39", &st), 0, "a chain of 40 symlinks resolves");
    TEST_ERRNO(stat("chain40", &st), ELOOP, "a chain of 41 symlinks gives ELOOP");

    /* dangling */
    symlink("ghost", "dang");
    TEST_EQ(lstat("dang", &st), 0, "lstat a dangling symlink");
    TEST_ERRNO(stat("dang", &st), ENOENT, "stat a dangling symlink");
    TEST_ERRNO(open("dang", O_RDONLY), ENOENT, "open a dangling symlink");
    TEST_EQ(readlink("dang", buf, sizeof buf), 5, "readlink a dangling symlink");
    TEST_ERRNO(open("dang", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST, "open O_CREAT|O_EXCL on a dangling symlink");
    TEST_ERRNO(access("ghost", F_OK), ENOENT, "the failed O_EXCL created nothing");
    fd = TEST_OK(open("dang", O_WRONLY | O_CREAT, 0644), "open O_CREAT through a dangling symlink");
    if (fd >= 0) {
        write(fd, "boo", 3);
        close(fd);
    }
    TEST_CHECK(tst_readfile("ghost", buf, sizeof buf) == 3 && !strcmp(buf, "boo"), "O_CREAT created the symlink's target");
    TEST_CHECK(lstat("dang", &st) == 0 && S_ISLNK(st.st_mode), "the symlink is still a symlink");
    TEST_EQ(unlink("ghost"), 0, "unlink the target");
    TEST_ERRNO(stat("dang", &st), ENOENT, "the symlink dangles again");
    symlink("ghostdir/x", "dang2");
    TEST_ERRNO(open("dang2", O_WRONLY | O_CREAT, 0644), ENOENT,
               "open O_CREAT through a symlink into a missing directory");

    close(dfd);
    return tst_exit();
}

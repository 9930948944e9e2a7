/* mkdir/mkdirat/rmdir, getdents64, getcwd/chdir/fchdir, rename/renameat/renameat2,
 * unlink/unlinkat. */
#define TCID "files_dirs"
#include "tst.h"

#ifndef SYS_renameat2
#define SYS_renameat2 316
#endif
#define T_RENAME_NOREPLACE 1
#define T_RENAME_EXCHANGE 2

struct t_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static long xrenameat2(int ofd, const char *old, int nfd, const char *new, unsigned flags)
{
    return syscall(SYS_renameat2, ofd, old, nfd, new, flags);
}

struct entry {
    char name[64];
    char type;
};

static int cmpent(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* List a directory fd with getdents64 using a buffer of bufsize bytes; write the names
 * sorted, each with its type letter, as "name/t name/t ..." into out.  Returns the
 * number of entries or -1. */
static int list_dir(int fd, size_t bufsize, char *out, size_t outsize)
{
    static struct entry ents[256];
    char buf[4096] __attribute__((aligned(8)));
    int n = 0;
    if (bufsize > sizeof buf)
        bufsize = sizeof buf;
    for (;;) {
        long r = syscall(SYS_getdents64, fd, buf, bufsize);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        for (long off = 0; off < r;) {
            struct t_dirent64 *d = (struct t_dirent64 *)(buf + off);
            if (n < 256) {
                snprintf(ents[n].name, sizeof ents[n].name, "%s", d->d_name);
                ents[n].type = d->d_type == DT_DIR ? 'd' : d->d_type == DT_REG ? 'f' : d->d_type == DT_LNK ? 'l' : '?';
                n++;
            }
            off += d->d_reclen;
        }
    }
    qsort(ents, n, sizeof ents[0], cmpent);
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, outsize - used, "%s%s/%c", i ? " " : "", ents[i].name, ents[i].type);
    }
    return n;
}

int main(void)
{
    struct stat st;
    char buf[PATH_MAX], want[PATH_MAX], listing[8192];
    int fd, dfd;
    const char *scratch = tst_scratch();

    tst_mkfile("f", "file", 4, 0644);
    symlink("nowhere", "dangling");

    /* mkdir / mkdirat */
    TEST_EQ(mkdir("d", 0755), 0, "mkdir a new directory");
    TEST_CHECK(stat("d", &st) == 0 && S_ISDIR(st.st_mode), "mkdir made a directory");
    TEST_ERRNO(mkdir("d", 0755), EEXIST, "mkdir an existing directory");
    TEST_ERRNO(mkdir("f", 0755), EEXIST, "mkdir over an existing file");
    TEST_ERRNO(mkdir("dangling", 0755), EEXIST, "mkdir over a dangling symlink");
    TEST_ERRNO(mkdir("nodir/x", 0755), ENOENT, "mkdir in a missing directory");
    TEST_ERRNO(mkdir("f/x", 0755), ENOTDIR, "mkdir under a regular file");
    TEST_ERRNO(mkdir(TST_BADPTR, 0755), EFAULT, "mkdir with a bad path pointer");
    TEST_EQ(mkdir("slash/", 0755), 0, "mkdir with a trailing slash");
    dfd = open("d", O_RDONLY | O_DIRECTORY);
    TEST_EQ(mkdirat(dfd, "sub", 0700), 0, "mkdirat relative to a directory fd");
    TEST_CHECK(stat("d/sub", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
               "mkdirat made d/sub with mode 0700");
    TEST_ERRNO(mkdirat(dfd, "sub", 0700), EEXIST, "mkdirat an existing directory");
    TEST_ERRNO(mkdirat(999, "x", 0700), EBADF, "mkdirat with a bad dirfd");
    TEST_EQ(mkdirat(AT_FDCWD, "e", 0755), 0, "mkdirat AT_FDCWD");

    /* rmdir */
    tst_mkfile("d/sub/file", "", 0, 0644);
    TEST_ERRNO(rmdir("d/sub"), ENOTEMPTY, "rmdir a non-empty directory");
    TEST_ERRNO(rmdir("f"), ENOTDIR, "rmdir a regular file");
    TEST_ERRNO(rmdir("missing"), ENOENT, "rmdir a missing directory");
    TEST_ERRNO(rmdir("."), EINVAL, "rmdir .");
    TEST_ERRNO(rmdir("d/sub/."), EINVAL, "rmdir a path ending in /.");
    TEST_ERRNO(rmdir("d/sub/.."), ENOTEMPTY, "rmdir a path ending in /..");
    symlink("e", "elink");
    TEST_ERRNO(rmdir("elink"), ENOTDIR, "rmdir a symlink to a directory");
    unlink("d/sub/file");
    TEST_EQ(rmdir("d/sub"), 0, "rmdir an empty directory");
    TEST_ERRNO(stat("d/sub", &st), ENOENT, "the removed directory is gone");
    TEST_EQ(rmdir("slash/"), 0, "rmdir with a trailing slash");

    /* getdents64 */
    tst_mkfile("d/c", "", 0, 0644);
    tst_mkfile("d/a", "", 0, 0644);
    tst_mkfile("d/b", "", 0, 0644);
    mkdir("d/sub2", 0755);
    symlink("a", "d/lnk");
    int n = list_dir(dfd, 4096, listing, sizeof listing);
    TEST_CHECK(n == 7 && !strcmp(listing, "./d ../d a/f b/f c/f lnk/l sub2/d"), "getdents64 lists: %s", listing);
    TEST_EQ(syscall(SYS_getdents64, dfd, buf, sizeof buf), 0, "getdents64 at the end returns 0");
    TEST_EQ(lseek(dfd, 0, SEEK_SET), 0, "lseek a directory fd back to 0");
    n = list_dir(dfd, 4096, want, sizeof want);
    TEST_CHECK(n == 7 && !strcmp(want, listing), "getdents64 after rewinding lists the same");
    for (int i = 0; i < 60; i++) {
        snprintf(buf, sizeof buf, "many/entry-%02d", i);
        if (i == 0)
            mkdir("many", 0755);
        tst_mkfile(buf, "", 0, 0644);
    }
    fd = open("many", O_RDONLY | O_DIRECTORY);
    n = list_dir(fd, 64, listing, sizeof listing);
    TEST_EQ(n, 62, "getdents64 with a 64-byte buffer returns all 60 entries and . ..");
    TEST_CHECK(n == 62 && !strncmp(listing, "./d ../d entry-00/f entry-01/f", 30) &&
                   !strcmp(listing + strlen(listing) - 10, "entry-59/f"),
               "getdents64 in small pieces: sorted listing is complete");
    lseek(fd, 0, SEEK_SET);
    TEST_ERRNO(syscall(SYS_getdents64, fd, buf, 1), EINVAL, "getdents64 with a buffer too small for one entry");
    TEST_ERRNO(syscall(SYS_getdents64, fd, TST_BADPTR, 4096), EFAULT, "getdents64 into a bad buffer");
    close(fd);
    fd = open("f", O_RDONLY);
    TEST_ERRNO(syscall(SYS_getdents64, fd, buf, sizeof buf), ENOTDIR, "getdents64 on a regular file");
    close(fd);
    TEST_ERRNO(syscall(SYS_getdents64, 999, buf, sizeof buf), EBADF, "getdents64 on a bad fd");
    {
        DIR *dir = opendir("d");
        int count = 0, seen_sub2 = 0;
        struct dirent *de;
        while (dir && (de = readdir(dir)) != NULL) {
            count++;
            if (!strcmp(de->d_name, "sub2"))
                seen_sub2 = 1;
        }
        if (dir)
            closedir(dir);
        TEST_CHECK(count == 7 && seen_sub2, "opendir/readdir sees 7 entries");
    }

    /* getcwd / chdir / fchdir */
    TEST_CHECK(getcwd(buf, sizeof buf) != NULL && !strcmp(buf, scratch), "getcwd is the scratch directory");
    TEST_EQ(chdir("d/sub2"), 0, "chdir to a subdirectory");
    snprintf(want, sizeof want, "%s/d/sub2", scratch);
    TEST_CHECK(getcwd(buf, sizeof buf) != NULL && !strcmp(buf, want), "getcwd after chdir");
    TEST_EQ(chdir("../.."), 0, "chdir ../..");
    TEST_CHECK(getcwd(buf, sizeof buf) != NULL && !strcmp(buf, scratch), "getcwd after chdir ../..");
    TEST_ERRNO(getcwd(buf, 1) == NULL ? -1 : 0, ERANGE, "getcwd with a 1-byte buffer");
    TEST_ERRNO(syscall(SYS_getcwd, buf, strlen(scratch)), ERANGE, "getcwd syscall with a buffer one byte short");
    TEST_EQ(syscall(SYS_getcwd, buf, strlen(scratch) + 1), (long)strlen(scratch) + 1,
            "getcwd syscall returns the length including the NUL");
    TEST_ERRNO(chdir("f"), ENOTDIR, "chdir to a regular file");
    TEST_ERRNO(chdir("missing"), ENOENT, "chdir to a missing directory");
    TEST_ERRNO(chdir(TST_BADPTR), EFAULT, "chdir with a bad path pointer");
    TEST_EQ(chdir("elink"), 0, "chdir through a symlink to a directory");
    snprintf(want, sizeof want, "%s/e", scratch);
    TEST_CHECK(getcwd(buf, sizeof buf) != NULL && !strcmp(buf, want), "getcwd shows the resolved directory");
    TEST_EQ(fchdir(dfd), 0, "fchdir to a directory fd");
    snprintf(want, sizeof want, "%s/d", scratch);
    TEST_CHECK(getcwd(buf, sizeof buf) != NULL && !strcmp(buf, want), "getcwd after fchdir");
    TEST_CHECK(stat("a", &st) == 0, "relative paths resolve from the fchdir directory");
    fd = open("a", O_RDONLY);
    TEST_ERRNO(fchdir(fd), ENOTDIR, "fchdir to a regular file fd");
    close(fd);
    TEST_ERRNO(fchdir(999), EBADF, "fchdir to a bad fd");
    chdir(scratch);
    mkdir("gone", 0755);
    chdir("gone");
    TEST_EQ(rmdir("../gone"), 0, "rmdir the current directory by another name");
    TEST_ERRNO(getcwd(buf, sizeof buf) == NULL ? -1 : 0, ENOENT, "getcwd in a removed directory");
    TEST_ERRNO(open("new", O_WRONLY | O_CREAT, 0644), ENOENT, "create a file in a removed cwd");
    chdir(scratch);

    /* rename / renameat / renameat2 */
    tst_mkfile("r1", "one", 3, 0644);
    tst_mkfile("r2", "two", 3, 0644);
    TEST_EQ(rename("r1", "r3"), 0, "rename a file to a new name");
    TEST_CHECK(access("r1", F_OK) < 0 && tst_readfile("r3", buf, sizeof buf) == 3 && !strcmp(buf, "one"),
               "rename: old name gone, new name has the data");
    TEST_EQ(rename("r3", "r2"), 0, "rename a file over an existing file");
    TEST_CHECK(tst_readfile("r2", buf, sizeof buf) == 3 && !strcmp(buf, "one") && access("r3", F_OK) < 0,
               "rename replaced the target");
    TEST_EQ(rename("r2", "r2"), 0, "rename a file to itself");
    link("r2", "r2hard");
    TEST_EQ(rename("r2", "r2hard"), 0, "rename between two links of one file");
    TEST_CHECK(access("r2", F_OK) == 0 && access("r2hard", F_OK) == 0, "rename between links of one file does nothing");
    unlink("r2hard");
    TEST_ERRNO(rename("missing", "x"), ENOENT, "rename a missing file");
    TEST_ERRNO(rename("r2", "nodir/x"), ENOENT, "rename into a missing directory");
    TEST_ERRNO(rename("r2", "e"), EISDIR, "rename a file over a directory");
    TEST_ERRNO(rename("e", "r2"), ENOTDIR, "rename a directory over a file");
    mkdir("full", 0755);
    tst_mkfile("full/x", "", 0, 0644);
    TEST_ERRNO(rename("e", "full"), ENOTEMPTY, "rename a directory over a non-empty directory");
    mkdir("empty", 0755);
    TEST_EQ(rename("e", "empty"), 0, "rename a directory over an empty directory");
    TEST_CHECK(access("e", F_OK) < 0 && stat("empty", &st) == 0 && S_ISDIR(st.st_mode),
               "the directory moved over the empty one");
    TEST_ERRNO(rename("d", "d/sub2/d"), EINVAL, "rename a directory into its own subdirectory");
    TEST_EQ(rename("d/sub2", "sub2moved"), 0, "rename a directory to another parent");
    TEST_CHECK(stat("sub2moved", &st) == 0 && S_ISDIR(st.st_mode) && access("d/sub2", F_OK) < 0,
               "the directory moved");
    TEST_EQ(rename("elink", "elink2"), 0, "rename a symlink");
    TEST_CHECK(lstat("elink2", &st) == 0 && S_ISLNK(st.st_mode), "rename moved the symlink itself");
    TEST_ERRNO(rename(TST_BADPTR, "x"), EFAULT, "rename with a bad path pointer");
    TEST_EQ(renameat(dfd, "a", AT_FDCWD, "a-moved"), 0, "renameat from a directory fd to AT_FDCWD");
    TEST_CHECK(access("d/a", F_OK) < 0 && access("a-moved", F_OK) == 0, "renameat moved d/a to ./a-moved");
    TEST_ERRNO(renameat(999, "x", AT_FDCWD, "y"), EBADF, "renameat with a bad dirfd");
    tst_mkfile("n1", "n1", 2, 0644);
    tst_mkfile("n2", "n2", 2, 0644);
    TEST_ERRNO(xrenameat2(AT_FDCWD, "n1", AT_FDCWD, "n2", T_RENAME_NOREPLACE), EEXIST,
               "renameat2 RENAME_NOREPLACE over an existing file");
    TEST_CHECK(tst_readfile("n1", buf, sizeof buf) == 2 && tst_readfile("n2", buf, sizeof buf) == 2 &&
                   !strcmp(buf, "n2"), "the failed RENAME_NOREPLACE changed nothing");
    TEST_EQ(xrenameat2(AT_FDCWD, "n1", dfd, "n3", T_RENAME_NOREPLACE), 0, "renameat2 RENAME_NOREPLACE to a new name");
    TEST_CHECK(access("n1", F_OK) < 0 && tst_readfile("d/n3", buf, sizeof buf) == 2 && !strcmp(buf, "n1"),
               "RENAME_NOREPLACE moved the file");
    TEST_EQ(xrenameat2(dfd, "n3", AT_FDCWD, "n2", T_RENAME_EXCHANGE), 0, "renameat2 RENAME_EXCHANGE");
    TEST_CHECK(tst_readfile("n2", buf, sizeof buf) == 2 && !strcmp(buf, "n1") &&
                   tst_readfile("d/n3", buf, sizeof buf) == 2 && !strcmp(buf, "n2"), "RENAME_EXCHANGE swapped the files");
    TEST_ERRNO(xrenameat2(AT_FDCWD, "n2", AT_FDCWD, "nx", T_RENAME_EXCHANGE), ENOENT,
               "renameat2 RENAME_EXCHANGE with a missing target");
    TEST_ERRNO(xrenameat2(AT_FDCWD, "n2", AT_FDCWD, "n4", T_RENAME_NOREPLACE | T_RENAME_EXCHANGE), EINVAL,
               "renameat2 RENAME_NOREPLACE|RENAME_EXCHANGE");
    TEST_ERRNO(xrenameat2(AT_FDCWD, "n2", AT_FDCWD, "n4", 0x80), EINVAL, "renameat2 with an unknown flag");
    TEST_EQ(xrenameat2(AT_FDCWD, "n2", AT_FDCWD, "n4", 0), 0, "renameat2 with no flags is rename");

    /* unlink / unlinkat */
    tst_mkfile("u", "data", 4, 0644);
    fd = open("u", O_RDONLY);
    TEST_EQ(unlink("u"), 0, "unlink an open file");
    TEST_ERRNO(access("u", F_OK), ENOENT, "the unlinked name is gone");
    TEST_CHECK(read(fd, buf, 10) == 4 && !memcmp(buf, "data", 4), "the open fd still reads the data");
    TEST_CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0, "fstat of the unlinked file: st_nlink 0");
    close(fd);
    TEST_ERRNO(unlink("u"), ENOENT, "unlink a missing file");
    TEST_ERRNO(unlink("empty"), EISDIR, "unlink a directory");
    TEST_ERRNO(unlink("f/"), ENOTDIR, "unlink a file with trailing slash");
    TEST_ERRNO(unlink(TST_BADPTR), EFAULT, "unlink with a bad path pointer");
    symlink("f", "flink");
    TEST_EQ(unlink("flink"), 0, "unlink a symlink");
    TEST_CHECK(lstat("flink", &st) < 0 && stat("f", &st) == 0, "unlink removed the link, not the target");
    TEST_EQ(unlink("dangling"), 0, "unlink a dangling symlink");
    TEST_EQ(unlinkat(dfd, "b", 0), 0, "unlinkat a file relative to a directory fd");
    TEST_ERRNO(access("d/b", F_OK), ENOENT, "unlinkat removed d/b");
    mkdir("d/rm", 0755);
    TEST_ERRNO(unlinkat(dfd, "rm", 0), EISDIR, "unlinkat without AT_REMOVEDIR on a directory");
    TEST_ERRNO(unlinkat(dfd, "c", AT_REMOVEDIR), ENOTDIR, "unlinkat AT_REMOVEDIR on a file");
    TEST_ERRNO(unlinkat(dfd, "rm", 0x1), EINVAL, "unlinkat with an invalid flag");
    TEST_EQ(unlinkat(dfd, "rm", AT_REMOVEDIR), 0, "unlinkat AT_REMOVEDIR on an empty directory");
    TEST_ERRNO(access("d/rm", F_OK), ENOENT, "unlinkat AT_REMOVEDIR removed the directory");
    TEST_ERRNO(unlinkat(AT_FDCWD, "full", AT_REMOVEDIR), ENOTEMPTY, "unlinkat AT_REMOVEDIR on a non-empty directory");
    TEST_ERRNO(unlinkat(999, "x", 0), EBADF, "unlinkat with a bad dirfd");
    close(dfd);

    return tst_exit();
}

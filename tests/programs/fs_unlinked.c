/* An open file outlives its name: fstat (st_nlink 0), read, write, ftruncate, fchmod,
 * fchown, futimens, fsync and mmap on it after unlink, and a new file that takes the name is
 * another file.  Usage: fs_unlinked DIR */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, long ret) {
    if (ret < 0) printf("%s: -1 errno %d\n", what, errno);
    else printf("%s: %ld\n", what, ret);
}

static void describe(const char *what, int fd) {
    struct stat st;
    if (fstat(fd, &st) < 0) { printf("%s: fstat errno %d\n", what, errno); return; }
    printf("%s: nlink %lu size %lld mode %o regular %d\n", what, (unsigned long)st.st_nlink,
           (long long)st.st_size, st.st_mode & 07777, S_ISREG(st.st_mode));
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    char path[512], buf[64];
    struct stat st, st2;
    snprintf(path, sizeof path, "%s/victim", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    show("write", write(fd, "hello world", 11));
    show("unlink", unlink(path));
    describe("after unlink", fd);
    show("stat by path", stat(path, &st));
    show("pwrite", pwrite(fd, "HELLO", 5, 0));
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    printf("pread: %zd '%.*s'\n", n, (int)(n > 0 ? n : 0), buf);
    show("ftruncate", ftruncate(fd, 4));
    describe("after ftruncate", fd);
    show("fchmod", fchmod(fd, 0600));
    describe("after fchmod", fd);
    show("fchown", fchown(fd, getuid(), getgid()));
    struct timespec times[2] = {{1000000000, 0}, {1000000000, 500}};
    show("futimens", futimens(fd, times));
    fstat(fd, &st);
    printf("mtime: %lld.%09ld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    show("fsync", fsync(fd));
    char *map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("mmap: %s '%.4s'\n", map == MAP_FAILED ? "failed" : "ok", map == MAP_FAILED ? "" : map);

    int fd2 = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    show("write new", write(fd2, "new", 3));
    describe("old file", fd);
    describe("new file", fd2);
    fstat(fd, &st);
    fstat(fd2, &st2);
    printf("different inodes: %d\n", st.st_ino != st2.st_ino);
    show("ftruncate old", ftruncate(fd, 2));
    describe("new file after", fd2);
    n = pread(fd2, buf, sizeof buf, 0);
    printf("new content: '%.*s'\n", (int)(n > 0 ? n : 0), buf);
    close(fd);
    close(fd2);
    show("unlink new", unlink(path));
    return 0;
}

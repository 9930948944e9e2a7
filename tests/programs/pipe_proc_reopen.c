/* A pipe reopened through /proc/self/fd/N (what bash's <(...) hands a program as
 * /dev/fd/63): a new description on the same pipe, read, write or both. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int reopen(int fd, int flags) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return open(path, flags);
}

int main(void) {
    int p[2];
    char buf[64];
    if (pipe(p) != 0) return 1;

    struct stat a, b;
    stat("/dev/fd/0", &a);          /* follows both links without failing */
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
    int s = stat(path, &b);
    fstat(p[0], &a);
    printf("stat through link: %d fifo %d same inode %d\n", s, S_ISFIFO(b.st_mode), a.st_ino == b.st_ino);

    /* a second reader: both descriptions drain the same bytes */
    int r2 = reopen(p[0], O_RDONLY);
    printf("reopen read end: %s\n", r2 >= 0 ? "ok" : strerror(errno));
    write(p[1], "hello", 5);
    ssize_t n = read(r2, buf, sizeof buf);
    printf("read via reopened: %zd %.*s\n", n, (int)n, buf);
    printf("flags: %s\n", (fcntl(r2, F_GETFL) & O_ACCMODE) == O_RDONLY ? "rdonly" : "other");

    /* a second writer through the read end's link: the pipe is the same object */
    int w2 = reopen(p[0], O_WRONLY);
    printf("reopen as writer: %s\n", w2 >= 0 ? "ok" : strerror(errno));
    write(w2, "abc", 3);
    n = read(p[0], buf, sizeof buf);
    printf("read original: %zd %.*s\n", n, (int)n, buf);

    /* closing the original write end leaves w2: no EOF yet */
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    n = read(p[0], buf, sizeof buf);
    printf("after closing one writer: %zd %s\n", n, n < 0 ? strerror(errno) : "");
    close(w2);
    n = read(p[0], buf, sizeof buf);
    printf("after closing both writers: %zd\n", n);

    /* O_RDWR: a reader and a writer in one description */
    int q[2];
    pipe(q);
    int rw = reopen(q[1], O_RDWR);
    printf("reopen O_RDWR: %s\n", rw >= 0 ? "ok" : strerror(errno));
    write(rw, "xy", 2);
    n = read(rw, buf, sizeof buf);
    printf("rdwr round trip: %zd %.*s\n", n, (int)n, buf);
    close(q[1]);
    close(q[0]);
    close(rw);

    /* bad access mode */
    int bad = reopen(p[0], O_WRONLY | O_RDWR);
    printf("O_ACCMODE 3: %s\n", bad >= 0 ? "ok" : strerror(errno));
    return 0;
}

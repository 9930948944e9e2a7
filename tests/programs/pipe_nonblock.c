/* One-thread pipe semantics: O_NONBLOCK EAGAIN on an empty read and a full write (the
 * fill counts follow Linux's page-sized ring), FIONREAD, F_GETPIPE_SZ/F_SETPIPE_SZ,
 * pipe2 flags, packet mode (O_DIRECT), ESPIPE, fstat, /proc/self/fd, end of file, EPIPE
 * with SIGPIPE ignored.  Prints one line per check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *err(void) {
    switch (errno) {
    case EAGAIN: return "EAGAIN";
    case EINVAL: return "EINVAL";
    case ESPIPE: return "ESPIPE";
    case EPIPE: return "EPIPE";
    case EBADF: return "EBADF";
    case EBUSY: return "EBUSY";
    case EFAULT: return "EFAULT";
    default: return strerror(errno);
    }
}

/* Print the result of a call, with the errno name when it failed. */
#define SHOW(label, expr) do {                                    \
        errno = 0;                                                \
        long r_ = (long)(expr);                                   \
        printf("%s: %ld %s\n", (label), r_, r_ < 0 ? err() : ""); \
    } while (0)

/* Fill a nonblocking pipe with writes of ``chunk`` bytes; the bytes it took. */
static long fill(int fd, size_t chunk) {
    static char buf[65536];
    long total = 0;
    ssize_t n;
    while ((n = write(fd, buf, chunk)) > 0) total += n;
    return total;
}

static void drain(int fd) {
    char buf[65536];
    while (read(fd, buf, sizeof buf) > 0) {}
}

int main(void) {
    int p[2], q[2], avail;
    char buf[256];

    if (pipe2(p, O_NONBLOCK)) { perror("pipe2"); return 1; }
    SHOW("empty nonblocking read", read(p[0], buf, sizeof buf));
    long n = fill(p[1], 4096);
    printf("fill with 4096-byte writes: %ld, then %s\n", n, err());
    ioctl(p[0], FIONREAD, &avail);
    printf("FIONREAD full: %d\n", avail);
    drain(p[0]);
    n = fill(p[1], 1000);
    printf("fill with 1000-byte writes: %ld, then %s\n", n, err());
    n += fill(p[1], 1);
    printf("then 1-byte writes: %ld\n", n);
    drain(p[0]);
    n = fill(p[1], 6000);
    printf("fill with 6000-byte writes: %ld, then %s\n", n, err());
    drain(p[0]);
    write(p[1], "abc", 3);
    static char page[4096];
    printf("PIPE_BUF write after a small one: %zd\n", write(p[1], page, sizeof page));
    ioctl(p[0], FIONREAD, &avail);
    printf("FIONREAD: %d\n", avail);
    drain(p[0]);

    printf("F_GETPIPE_SZ: %d\n", fcntl(p[0], F_GETPIPE_SZ));
    printf("F_SETPIPE_SZ 0: %d\n", fcntl(p[1], F_SETPIPE_SZ, 0));
    printf("F_SETPIPE_SZ 5000: %d\n", fcntl(p[1], F_SETPIPE_SZ, 5000));
    printf("F_SETPIPE_SZ 1 MiB: %d\n", fcntl(p[0], F_SETPIPE_SZ, 1 << 20));
    n = fill(p[1], 65536);
    printf("fill 1 MiB pipe: %ld\n", n);
    SHOW("F_SETPIPE_SZ below its contents", fcntl(p[1], F_SETPIPE_SZ, 4096));
    drain(p[0]);
    printf("F_SETPIPE_SZ 4096 once empty: %d\n", fcntl(p[1], F_SETPIPE_SZ, 4096));
    int dn = open("/dev/null", O_RDWR);
    SHOW("F_GETPIPE_SZ on /dev/null", fcntl(dn, F_GETPIPE_SZ));
    SHOW("F_SETPIPE_SZ on /dev/null", fcntl(dn, F_SETPIPE_SZ, 4096));
    close(dn);
    close(p[0]);
    close(p[1]);

    SHOW("pipe2 O_APPEND", syscall(SYS_pipe2, q, O_APPEND));
    SHOW("pipe2 O_WRONLY", syscall(SYS_pipe2, q, O_WRONLY));
    SHOW("pipe2 bad pointer", syscall(SYS_pipe2, (void *)8, 0));
    pipe2(q, O_CLOEXEC | O_NONBLOCK | O_DIRECT);
    printf("pipe2 fds: %d %d\n", q[0], q[1]);
    printf("FD_CLOEXEC: %d %d\n", fcntl(q[0], F_GETFD), fcntl(q[1], F_GETFD));
    printf("F_GETFL: read %#o write %#o\n", fcntl(q[0], F_GETFL), fcntl(q[1], F_GETFL));

    /* packet mode: one packet per read, the rest of a packet discarded */
    write(q[1], "0123456789", 10);
    write(q[1], "abcdefghijklmnopqrst", 20);
    write(q[1], "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123", 30);
    ioctl(q[0], FIONREAD, &avail);
    printf("packets: FIONREAD %d\n", avail);
    ssize_t r = read(q[0], buf, sizeof buf);
    printf("packet 1: %zd %.*s\n", r, (int)r, buf);
    r = read(q[0], buf, 5);
    printf("packet 2 (5 of 20): %zd %.*s\n", r, (int)r, buf);
    r = read(q[0], buf, sizeof buf);
    printf("packet 3: %zd %.*s\n", r, (int)r, buf);
    SHOW("lseek", (long)lseek(q[0], 0, SEEK_CUR));
    SHOW("pread", pread(q[0], buf, 1, 0));
    SHOW("pwrite", pwrite(q[1], buf, 1, 0));
    SHOW("read from the write end", read(q[1], buf, 1));
    SHOW("write to the read end", write(q[0], buf, 1));

    struct stat s0, s1, s2;
    fstat(q[0], &s0);
    fstat(q[1], &s1);
    pipe(p);
    fstat(p[0], &s2);
    printf("fstat: fifo %d mode %o size %ld nlink %ld blksize %ld\n", S_ISFIFO(s0.st_mode), s0.st_mode & 07777,
           (long)s0.st_size, (long)s0.st_nlink, (long)s0.st_blksize);
    printf("fstat: ends share an inode %d, pipes differ %d, same device %d\n", s0.st_ino == s1.st_ino,
           s0.st_ino != s2.st_ino, s0.st_dev == s2.st_dev);
    char path[64], link[64], want[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", q[1]);
    ssize_t l = readlink(path, link, sizeof link - 1);
    link[l > 0 ? l : 0] = 0;
    snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)s0.st_ino);
    printf("/proc/self/fd link is pipe:[ino] %d\n", strcmp(link, want) == 0);
    close(q[0]);
    close(q[1]);

    /* readv/writev, then end of file, then EPIPE */
    struct iovec wv[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
    printf("writev: %zd\n", writev(p[1], wv, 3));
    char a[6] = {0}, b[20] = {0};
    struct iovec rv[2] = {{a, 5}, {b, sizeof b - 1}};
    printf("readv: %zd [%s] [%s]\n", readv(p[0], rv, 2), a, b);
    write(p[1], "tail", 4);
    close(p[1]);
    r = read(p[0], buf, sizeof buf);
    printf("after the writer closed: %zd then %zd\n", r, read(p[0], buf, sizeof buf));
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    pipe(p);
    close(p[0]);
    SHOW("write without readers (SIGPIPE ignored)", write(p[1], "x", 1));
    return 0;
}

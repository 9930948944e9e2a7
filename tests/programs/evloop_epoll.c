/* epoll over pipes: level vs edge triggered counts, ONESHOT and its re-arm, nested
 * epoll, close-while-registered (registration follows the open file description),
 * epoll_ctl's errors, and a wait woken by a forked writer.  Prints deterministic lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_count(int ep, int timeout)
{
    struct epoll_event out[8];
    return epoll_wait(ep, out, 8, timeout);
}

static int add(int ep, int fd, unsigned events, unsigned long data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int main(void)
{
    int p[2], q[2];
    char buf[64];
    struct epoll_event out[8];
    pipe(p);
    pipe(q);

    /* level-triggered: reported on every wait while data is there */
    int lt = epoll_create1(0), et = epoll_create1(EPOLL_CLOEXEC);
    add(lt, p[0], EPOLLIN, 1);
    add(et, p[0], EPOLLIN | EPOLLET, 2);
    write(p[1], "0123456789", 10);
    int lt_hits = 0, et_hits = 0;
    for (int i = 0; i < 5; i++) {
        lt_hits += wait_count(lt, 0);
        et_hits += wait_count(et, 0);
        read(p[0], buf, 1);             /* a partial read is no new edge */
    }
    printf("LT hits %d, ET hits %d\n", lt_hits, et_hits);
    write(p[1], "x", 1);                /* a new write is */
    int first = wait_count(et, 0);
    printf("ET after a write: %d, again: %d\n", first, wait_count(et, 0));
    read(p[0], buf, sizeof buf);
    printf("LT drained: %d\n", wait_count(lt, 0));

    /* ONESHOT: once, then nothing until EPOLL_CTL_MOD re-arms it */
    int os = epoll_create(1);
    add(os, q[0], EPOLLIN | EPOLLONESHOT, 3);
    write(q[1], "ab", 2);
    first = wait_count(os, 0);
    printf("oneshot: %d then %d\n", first, wait_count(os, 0));
    write(q[1], "c", 1);
    printf("oneshot after a write: %d\n", wait_count(os, 0));
    struct epoll_event mod = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 4};
    epoll_ctl(os, EPOLL_CTL_MOD, q[0], &mod);
    int n = epoll_wait(os, out, 8, 0);
    printf("re-armed: %d data %lu\n", n, (unsigned long)out[0].data.u64);
    read(q[0], buf, sizeof buf);

    /* nested: an epoll inside an epoll is readable while the inner one has events */
    int outer = epoll_create1(0);
    printf("add inner: %d\n", add(outer, lt, EPOLLIN, 10));
    printf("outer idle: %d\n", wait_count(outer, 0));
    write(p[1], "y", 1);
    n = epoll_wait(outer, out, 8, 0);
    printf("outer after write: %d data %lu events %#x\n", n, (unsigned long)out[0].data.u64, out[0].events);
    read(p[0], buf, sizeof buf);
    printf("outer drained: %d\n", wait_count(outer, 0));
    printf("loop: %d\n", add(lt, outer, EPOLLIN, 11));
    printf("self: %d\n", add(outer, outer, EPOLLIN, 12));

    /* errors */
    printf("EEXIST: %d\n", add(lt, p[0], EPOLLIN, 1) == -EEXIST);
    struct epoll_event ev = {.events = EPOLLIN};
    printf("ENOENT mod: %d\n", epoll_ctl(lt, EPOLL_CTL_MOD, q[0], &ev) == -1 && errno == ENOENT);
    printf("ENOENT del: %d\n", epoll_ctl(lt, EPOLL_CTL_DEL, q[0], NULL) == -1 && errno == ENOENT);
    printf("EINVAL not epoll: %d\n", epoll_ctl(p[0], EPOLL_CTL_ADD, q[0], &ev) == -1 && errno == EINVAL);
    printf("EINVAL op: %d\n", epoll_ctl(lt, 99, q[0], &ev) == -1 && errno == EINVAL);
    printf("EBADF: %d\n", epoll_ctl(lt, EPOLL_CTL_ADD, 999, &ev) == -1 && errno == EBADF);
    int file = open("/etc/passwd", O_RDONLY);
    printf("EPERM regular file: %d\n", epoll_ctl(lt, EPOLL_CTL_ADD, file, &ev) == -1 && errno == EPERM);
    struct epoll_event ex = {.events = EPOLLIN | EPOLLEXCLUSIVE};
    printf("exclusive add: %d\n", epoll_ctl(os, EPOLL_CTL_ADD, p[0], &ex));
    printf("exclusive mod EINVAL: %d\n", epoll_ctl(os, EPOLL_CTL_MOD, p[0], &ex) == -1 && errno == EINVAL);
    struct epoll_event exbad = {.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT};
    printf("exclusive+oneshot EINVAL: %d\n", epoll_ctl(os, EPOLL_CTL_ADD, q[0], &exbad) == -1 && errno == EINVAL);
    printf("wait maxevents 0: %d\n", epoll_wait(lt, out, 0, 0) == -1 && errno == EINVAL);
    printf("wait not epoll: %d\n", epoll_wait(p[0], out, 1, 0) == -1 && errno == EINVAL);

    /* close-while-registered: the dup keeps the registration alive */
    int r[2];
    pipe(r);
    int ce = epoll_create1(0);
    add(ce, r[0], EPOLLIN, 42);
    int dupfd = dup(r[0]);
    close(r[0]);
    write(r[1], "z", 1);
    n = epoll_wait(ce, out, 8, 0);
    printf("after close, dup open: %d data %lu\n", n, (unsigned long)out[0].data.u64);
    printf("DEL by closed fd: %d\n", epoll_ctl(ce, EPOLL_CTL_DEL, r[0], NULL) == -1 && errno == EBADF);
    printf("DEL by the dup: %d\n", epoll_ctl(ce, EPOLL_CTL_DEL, dupfd, NULL) == -1 && errno == ENOENT);
    close(dupfd);
    printf("after the last close: %d\n", wait_count(ce, 0));
    /* POLLHUP: the writer gone */
    int h[2];
    pipe(h);
    add(ce, h[0], EPOLLIN, 5);
    close(h[1]);
    n = epoll_wait(ce, out, 8, 0);
    printf("hangup: %d events %#x\n", n, out[0].events);

    /* a blocking wait woken by a child */
    int s[2];
    pipe(s);
    int bw = epoll_create1(0);
    add(bw, s[0], EPOLLIN, 77);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(20000);
        write(s[1], "w", 1);
        _exit(0);
    }
    n = epoll_wait(bw, out, 8, 5000);
    printf("woken by child: %d data %lu\n", n, (unsigned long)out[0].data.u64);
    waitpid(pid, NULL, 0);
    printf("timeout: %d\n", wait_count(epoll_create1(0), 30));
    return 0;
}

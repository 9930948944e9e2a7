/* MAP_SHARED coherence as Linux's page cache gives it: every shared mapping of a file,
 * in this process or another, and read(2)/write(2) on the file see the same bytes,
 * without msync.  Usage: mmap_shared DIR [KEPT]: the test file is created in DIR and
 * removed; with KEPT, DIR/KEPT is left behind holding a store made through a map. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#define FUTEX_WAIT 0    /* linux/futex.h, which musl's toolchain lacks */
#define FUTEX_WAKE 1

static int failures;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (!ok)
        failures++;
}

static char *map(int fd, size_t len, int prot, off_t off)
{
    char *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return p;
}

static int make_file(const char *path, size_t size)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, size) != 0) {
        perror(path);
        exit(2);
    }
    return fd;
}

static sigjmp_buf bus_jump;
static volatile int bus_code;
static volatile void *bus_addr;

static void on_sigbus(int sig, siginfo_t *info, void *ctx)
{
    bus_code = info->si_code;
    bus_addr = info->si_addr;
    siglongjmp(bus_jump, 1);
}

/* Whether reading (or writing, with ``store``) *p raises SIGBUS at p with BUS_ADRERR. */
static int bus_error(volatile char *p, int store)
{
    bus_code = 0;
    bus_addr = NULL;
    if (sigsetjmp(bus_jump, 1) == 0) {
        if (store)
            *p = 1;
        else
            (void)*p;
        return 0;
    }
    return bus_code == BUS_ADRERR && bus_addr == (void *)p;
}

static void sync_pipe_wait(int fd)
{
    char c;
    if (read(fd, &c, 1) != 1)
        exit(3);
}

static void sync_pipe_post(int fd)
{
    if (write(fd, "x", 1) != 1)
        exit(3);
}

int main(int argc, char **argv)
{
    char path[512], buf[64];
    const char *dir = argc > 1 ? argv[1] : ".";
    snprintf(path, sizeof path, "%s/mmap_shared.dat", dir);
    setvbuf(stdout, NULL, _IONBF, 0);

    /* Two shared maps of one file in one process, one of them through another open. */
    int fd = make_file(path, 2 * PG);
    int fd2 = open(path, O_RDWR);
    char *a = map(fd, 2 * PG, PROT_READ | PROT_WRITE, 0);
    char *b = map(fd2, 2 * PG, PROT_READ | PROT_WRITE, 0);
    char *c = map(fd, PG, PROT_READ, PG);
    strcpy(a + 100, "through a");
    check(strcmp(b + 100, "through a") == 0, "a store through one map shows in another map");
    strcpy(b + PG + 7, "second page");
    check(strcmp(a + PG + 7, "second page") == 0, "and back, on the second page");
    check(strcmp(c + 7, "second page") == 0, "a map at a file offset sees it at that offset");
    char *priv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd2, 0);
    check(priv != MAP_FAILED && strcmp(priv + 100, "through a") == 0, "a private map starts with the shared stores");
    strcpy(priv + 100, "private");
    check(strcmp(a + 100, "through a") == 0, "a store to the private map stays private");
    munmap(priv, PG);

    /* Stores through a map are what read(2) and pread(2) return, without msync. */
    check(pread(fd2, buf, 9, 100) == 9 && memcmp(buf, "through a", 9) == 0, "pread sees a store through a map");
    lseek(fd, PG + 7, SEEK_SET);
    check(read(fd, buf, 11) == 11 && memcmp(buf, "second page", 11) == 0, "read sees a store through a map");

    /* write(2) and pwrite(2) show in every map at once. */
    check(pwrite(fd, "pwritten", 8, 200) == 8, "pwrite");
    check(memcmp(a + 200, "pwritten", 8) == 0 && memcmp(b + 200, "pwritten", 8) == 0, "pwrite shows in the maps");
    lseek(fd2, PG + 300, SEEK_SET);
    check(write(fd2, "written", 7) == 7 && memcmp(c + 300, "written", 7) == 0, "write shows in the maps");
    /* write(2) from the mapping itself into the same file. */
    check(pwrite(fd, a + 100, 9, 400) == 9 && memcmp(b + 400, "through a", 9) == 0,
          "pwrite from a shared map into its own file");

    /* Fork: the child's stores are the parent's, both ways. */
    int to_child[2], to_parent[2];
    if (pipe(to_child) || pipe(to_parent))
        return 2;
    pid_t pid = fork();
    if (pid == 0) {
        strcpy(a + 1000, "from the child");
        sync_pipe_post(to_parent[1]);
        sync_pipe_wait(to_child[0]);
        _exit(strcmp(b + 1100, "from the parent") == 0 ? 0 : 1);
    }
    sync_pipe_wait(to_parent[0]);
    check(strcmp(b + 1000, "from the child") == 0, "a store in the forked child shows in the parent");
    strcpy(a + 1100, "from the parent");
    sync_pipe_post(to_child[1]);
    int status;
    waitpid(pid, &status, 0);
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a store in the parent shows in the child");

    /* Two independent opens: the child opens and maps the file itself. */
    pid = fork();
    if (pid == 0) {
        int cfd = open(path, O_RDWR);
        char *m = map(cfd, PG, PROT_READ | PROT_WRITE, 0);
        int seen = strcmp(m + 100, "through a") == 0;
        strcpy(m + 2000, "own open");
        sync_pipe_post(to_parent[1]);
        sync_pipe_wait(to_child[0]);
        _exit(seen && strcmp(m + 2100, "parent again") == 0 ? 0 : 1);
    }
    sync_pipe_wait(to_parent[0]);
    check(strcmp(a + 2000, "own open") == 0, "a child's own open and map share the parent's pages");
    strcpy(b + 2100, "parent again");
    sync_pipe_post(to_child[1]);
    waitpid(pid, &status, 0);
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "and the child sees the parent's stores");
    check(pread(fd, buf, 8, 2000) == 8 && memcmp(buf, "own open", 8) == 0,
          "the exited child's stores are in the file");

    /* A shared futex in the file: the waiter mapped its own open, the waker another. */
    volatile int *word = (volatile int *)(a + 2500);
    *word = 0;
    pid = fork();
    if (pid == 0) {
        int cfd = open(path, O_RDWR);
        volatile int *w = (volatile int *)(map(cfd, PG, PROT_READ | PROT_WRITE, 0) + 2500);
        sync_pipe_post(to_parent[1]);
        while (*w == 0)
            syscall(SYS_futex, w, FUTEX_WAIT, 0, NULL, NULL, 0);
        _exit(*w == 1 ? 0 : 1);
    }
    sync_pipe_wait(to_parent[0]);
    usleep(20000);
    *word = 1;
    syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
    waitpid(pid, &status, 0);
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a futex in the file wakes a process that mapped it itself");

    /* msync(MS_SYNC) reaches the file, read back through a fresh open. */
    strcpy(a + 3000, "synced");
    check(msync(a, 2 * PG, MS_SYNC) == 0, "msync");
    int fd3 = open(path, O_RDONLY);
    check(pread(fd3, buf, 6, 3000) == 6 && memcmp(buf, "synced", 6) == 0, "a fresh open reads the synced bytes");
    close(fd3);

    /* Size changes: truncating drops the pages past the end; growing the file shows
     * in a map that already covers it. */
    check(ftruncate(fd, PG) == 0, "ftruncate to one page");
    check(ftruncate(fd, 2 * PG) == 0, "ftruncate back to two pages");
    check(a[PG + 7] == 0 && b[PG + 300] == 0, "the truncated page reads as zeros in the maps");
    check(pread(fd, buf, 4, PG + 7) == 4 && memcmp(buf, "\0\0\0\0", 4) == 0, "and through pread");
    check(strcmp(a + 100, "through a") == 0, "the first page kept its bytes");
    struct stat st;
    check(ftruncate(fd, PG + 10) == 0, "ftruncate into the second page");
    check(pwrite(fd, "grown", 5, 2 * PG - 5) == 5 && fstat(fd, &st) == 0 && st.st_size == 2 * PG,
          "pwrite grows the file to two pages");
    check(memcmp(a + 2 * PG - 5, "grown", 5) == 0, "the map shows the bytes that grew the file");

    /* A mapping outlives close(2) and stays coherent. */
    close(fd2);
    check(pwrite(fd, "after close", 11, 500) == 11 && memcmp(b + 500, "after close", 11) == 0,
          "a map whose fd was closed still sees writes");
    munmap(b, 2 * PG);
    munmap(c, PG);
    check(memcmp(a + 500, "after close", 11) == 0, "unmapping the other maps leaves this one intact");

    /* O_TRUNC while mapped: the map reads zeros, then what is written again. */
    int fd4 = open(path, O_RDWR | O_TRUNC);
    check(fd4 >= 0 && ftruncate(fd4, PG) == 0 && a[100] == 0, "O_TRUNC empties the mapped page");
    check(pwrite(fd4, "again", 5, 100) == 5 && memcmp(a + 100, "again", 5) == 0, "then a write shows in the map");
    close(fd4);
    munmap(a, 2 * PG);

    /* After the last map is gone the file holds every store. */
    fd = open(path, O_RDWR);
    check(pread(fd, buf, 5, 100) == 5 && memcmp(buf, "again", 5) == 0, "the file after the last munmap");
    close(fd);

    /* Pages wholly past the end of the file raise SIGBUS; the partial last page reads
     * as zeros past the end; growing the file opens the pages, in a forked child too. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    fd = make_file(path, 100);
    a = map(fd, 3 * PG, PROT_READ | PROT_WRITE, 0);
    check(a[99] == 0 && a[PG - 1] == 0, "the partial last page is mapped, zeros past the end");
    a[200] = 'Z';
    check(pread(fd, buf, 1, 200) == 0, "a store past the end in the last page is not in the file");
    check(ftruncate(fd, 50) == 0 && ftruncate(fd, 100) == 0 && a[60] == 0 && a[200] == 0,
          "a truncate drops what was stored past the end");
    check(bus_error(a + PG, 0), "a read past the last page is SIGBUS BUS_ADRERR");
    check(bus_error(a + 2 * PG + 5, 1), "a store past the last page is SIGBUS BUS_ADRERR");
    int probe[2];
    if (pipe(probe))
        return 2;
    errno = 0;
    check(write(probe[1], a + PG, 10) == -1 && errno == EFAULT, "write(2) from a page past the end is EFAULT");
    errno = 0;
    check(pread(fd, a + PG, 10, 0) == -1 && errno == EFAULT, "pread(2) into a page past the end is EFAULT");
    close(probe[0]);
    close(probe[1]);
    pid = fork();
    if (pid == 0) {
        sync_pipe_wait(to_child[0]);
        _exit(!bus_error(a + PG, 0) && strcmp(a + PG, "grown by write") == 0 && bus_error(a + 2 * PG, 0) ? 0 : 1);
    }
    check(pwrite(fd, "grown by write", 15, PG) == 15, "pwrite grows the file into the second page");
    check(!bus_error(a + PG, 0) && strcmp(a + PG, "grown by write") == 0, "the second page opens with the bytes");
    check(bus_error(a + 2 * PG, 0), "the third page still raises SIGBUS");
    sync_pipe_post(to_child[1]);
    waitpid(pid, &status, 0);
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the forked child's map opened the page too");
    check(ftruncate(fd, 3 * PG) == 0 && !bus_error(a + 2 * PG, 1), "ftruncate growth opens the third page");
    check(ftruncate(fd, 10) == 0 && bus_error(a + PG, 0) && a[9] == 0 && a[10] == 0,
          "ftruncate shrink closes the pages past the end again");
    check(mprotect(a, 3 * PG, PROT_READ) == 0 && bus_error(a + PG, 0) && a[0] == 0,
          "mprotect keeps the pages past the end closed");
    munmap(a, 3 * PG);
    close(fd);

    /* Anonymous shared memory across fork. */
    char *anon = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid = fork();
    if (pid == 0) {
        strcpy(anon, "anonymous");
        _exit(0);
    }
    waitpid(pid, &status, 0);
    check(strcmp(anon, "anonymous") == 0, "MAP_SHARED|MAP_ANONYMOUS is shared with the child");
    unlink(path);

    if (argc > 2) {
        snprintf(path, sizeof path, "%s/%s", dir, argv[2]);
        fd = make_file(path, PG);
        a = map(fd, PG, PROT_READ | PROT_WRITE, 0);
        strcpy(a, "stored through a map");
        if (msync(a, PG, MS_SYNC) != 0)
            failures++;
    }
    return failures ? 1 : 0;
}

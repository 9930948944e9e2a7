/* Bad input gets the errno Linux gives: run natively and under vkemu, compared. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long rc) {
    printf("%-34s rc=%ld errno=%d\n", what, rc, rc < 0 ? errno : 0);
}

int main(void) {
    char buf[16];
    void *bad = (void *)1;
    errno = 0; show("read bad fd", syscall(SYS_read, 999, buf, 4));
    errno = 0; show("read bad buffer", syscall(SYS_read, 0, bad, 4));
    errno = 0; show("write bad buffer", syscall(SYS_write, 1, bad, 4));
    errno = 0; show("write closed fd", syscall(SYS_write, 77, buf, 1));
    errno = 0; show("open bad path pointer", syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY));
    errno = 0; show("open missing file", syscall(SYS_openat, AT_FDCWD, "/no/such/file", O_RDONLY));
    errno = 0; show("openat bad dirfd", syscall(SYS_openat, 555, "x", O_RDONLY));
    errno = 0; show("stat bad buffer", syscall(SYS_newfstatat, AT_FDCWD, "/", bad, 0));
    errno = 0; show("newfstatat bad flags", syscall(SYS_newfstatat, AT_FDCWD, "/", buf, 0x40000));
    errno = 0; show("mmap zero length", (long)syscall(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    errno = 0; show("mmap no type", (long)syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0));
    errno = 0; show("mmap bad fd", (long)syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 999, 0));
    errno = 0; show("munmap unaligned", syscall(SYS_munmap, 4097, 4096));
    errno = 0; show("mprotect unmapped", syscall(SYS_mprotect, 0x10000, 4096, PROT_READ));
    errno = 0; show("dup3 same fd", syscall(SYS_dup3, 1, 1, 0));
    errno = 0; show("dup3 bad flags", syscall(SYS_dup3, 1, 5, 1));
    errno = 0; show("fcntl bad cmd", syscall(SYS_fcntl, 1, 9999, 0));
    errno = 0; show("lseek bad whence", syscall(SYS_lseek, 0, 0, 99));
    errno = 0; show("clock_gettime bad clock", syscall(SYS_clock_gettime, 12345, buf));
    errno = 0; show("clock_gettime bad pointer", syscall(SYS_clock_gettime, CLOCK_REALTIME, bad));
    errno = 0; show("getrandom bad flags", syscall(SYS_getrandom, buf, 4, 0x100));
    errno = 0; show("uname bad pointer", syscall(SYS_uname, bad));
    errno = 0; show("getcwd too small", syscall(SYS_getcwd, buf, 1));
    errno = 0; show("rt_sigaction bad size", syscall(SYS_rt_sigaction, 10, 0, 0, 3));
    errno = 0; show("unknown syscall 1000", syscall(1000));
    return 0;
}

/*
 * tst.h - a tiny LTP-style test library for the vkernel conformance subset.
 *
 * Usage: define TCID (the case name) before including this header, and include it
 * before any other header (it defines _GNU_SOURCE).
 *
 *     #define TCID "files_open"
 *     #include "tst.h"
 *
 *     int main(void) {
 *         tst_scratch();                 // fresh /tmp/ltp-<case>-<variant>, cwd = it
 *         TEST_ERRNO(open("nope", O_RDONLY), ENOENT, "open missing file");
 *         return tst_exit();             // summary line, cleanup, 0 iff no failure
 *     }
 *
 * Every line goes to stdout and must be deterministic: stdout is compared byte for
 * byte between a native run and a run under the emulator.  Never print addresses,
 * pids, times, inode numbers or anything else that can change between two runs.
 */
#ifndef LTP_TST_H
#define LTP_TST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef TCID
#error "define TCID before including tst.h"
#endif

/* The toolchain variant: the runner passes -DTST_VARIANT="gcc-static" etc.  It only
 * names the scratch directory, so that variants built from one source can run in
 * parallel without sharing files.  It is never printed. */
#ifndef TST_VARIANT
#if defined(__GLIBC__)
#define TST_VARIANT "glibc"
#else
#define TST_VARIANT "musl"
#endif
#endif

static int tst_npass, tst_nfail;
static char tst_scratch_path[256];

/* A pointer that is never mapped in a user process: the compiler cannot see through
 * the volatile, so it cannot reason about (or warn on) the bad pointer. */
static volatile uintptr_t tst_bad_addr_v = 1;
#define TST_BADPTR ((void *)tst_bad_addr_v)

static const char *tst_errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EMLINK: return "EMLINK";
    case EPIPE: return "EPIPE";
    case EDOM: return "EDOM";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EOVERFLOW: return "EOVERFLOW";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ETXTBSY: return "ETXTBSY";
    default: break;
    }
    {
        static char buf[32];
        snprintf(buf, sizeof buf, "errno%d", e);
        return buf;
    }
}

static void tst_vres(int ok, const char *fmt, va_list ap)
{
    if (ok)
        tst_npass++;
    else
        tst_nfail++;
    printf("%s  %s: ", TCID, ok ? "TPASS" : "TFAIL");
    vprintf(fmt, ap);
    putchar('\n');
}

static void tst_res(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tst_res(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tst_vres(ok, fmt, ap);
    va_end(ap);
}

#define TPASS(...) tst_res(1, __VA_ARGS__)
#define TFAIL(...) tst_res(0, __VA_ARGS__)

/* Pass when cond is true.  Returns cond. */
#define TEST_CHECK(cond, ...) ({                                   \
        int tst_c_ = !!(cond);                                     \
        tst_res(tst_c_, __VA_ARGS__);                              \
        tst_c_;                                                    \
    })

static int tst_check_errno(long r, int e, int want, const char *wname, const char *desc)
{
    if (r == -1 && e == want) {
        TPASS("%s -> %s", desc, wname);
        return 1;
    }
    if (r == -1)
        TFAIL("%s: expected %s, got %s", desc, wname, tst_errname(e));
    else
        TFAIL("%s: expected -1/%s, succeeded", desc, wname);
    return 0;
}

/* expr (an integer or a pointer; MAP_FAILED counts as -1) must fail with errno want. */
#define TEST_ERRNO(expr, want, desc) ({                            \
        errno = 0;                                                 \
        long tst_r_ = (long)(expr);                                \
        int tst_e_ = errno;                                        \
        tst_check_errno(tst_r_, tst_e_, (want), #want, (desc));    \
    })

/* expr must not return -1.  Evaluates to the result (long). */
#define TEST_OK(expr, desc) ({                                     \
        errno = 0;                                                 \
        long tst_r_ = (long)(expr);                                \
        int tst_e_ = errno;                                        \
        if (tst_r_ == -1)                                          \
            TFAIL("%s: failed with %s", (desc), tst_errname(tst_e_)); \
        else                                                       \
            TPASS("%s", (desc));                                   \
        tst_r_;                                                    \
    })

/* got must equal want (compared as long).  The values are printed on failure only. */
#define TEST_EQ(got, want, desc) ({                                \
        long tst_g_ = (long)(got), tst_w_ = (long)(want);          \
        if (tst_g_ == tst_w_)                                      \
            TPASS("%s", (desc));                                   \
        else                                                       \
            TFAIL("%s: got %ld, expected %ld", (desc), tst_g_, tst_w_); \
        tst_g_ == tst_w_;                                          \
    })

/* Quietly make a file with the given contents (helper, not a check).  Returns 0 on
 * success; on failure reports a TFAIL so that the run is marked bad. */
static int tst_mkfile(const char *path, const char *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) {
        TFAIL("setup: create %s: %s", path, tst_errname(errno));
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n <= 0) {
            TFAIL("setup: write %s: %s", path, tst_errname(errno));
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    close(fd);
    return 0;
}

/* Read a whole small file into buf (NUL-terminated).  Returns the length or -1. */
static long tst_readfile(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off + 1 < cap) {
        ssize_t n = read(fd, buf + off, cap - 1 - off);
        if (n < 0) {
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        off += (size_t)n;
    }
    buf[off] = 0;
    close(fd);
    return (long)off;
}

/* Remove a tree without following symlinks.  Returns 0 on success. */
static int tst_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    chmod(path, 0700);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub[PATH_MAX];
        if (snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) >= (int)sizeof sub) {
            rc = -1;
            continue;
        }
        if (tst_rmtree(sub) < 0)
            rc = -1;
    }
    closedir(d);
    if (rmdir(path) < 0)
        rc = -1;
    return rc;
}

/* Make a fresh scratch directory /tmp/ltp-<case>-<variant> (removing a leftover one
 * first), set umask 022 and chdir into it.  Returns its path. */
static const char *tst_scratch(void)
{
    snprintf(tst_scratch_path, sizeof tst_scratch_path, "/tmp/ltp-%s-%s", TCID, TST_VARIANT);
    umask(022);
    if (tst_rmtree(tst_scratch_path) < 0)
        TFAIL("setup: remove old scratch dir: %s", tst_errname(errno));
    if (mkdir(tst_scratch_path, 0755) < 0 || chdir(tst_scratch_path) < 0) {
        TFAIL("setup: make scratch dir: %s", tst_errname(errno));
        printf("summary: %d passed, %d failed\n", tst_npass, tst_nfail);
        fflush(stdout);
        exit(1);
    }
    return tst_scratch_path;
}

/* Clean up the scratch directory (if any), print the summary, return the exit status. */
static int tst_exit(void)
{
    if (tst_scratch_path[0]) {
        if (chdir("/") < 0 || tst_rmtree(tst_scratch_path) < 0)
            TFAIL("cleanup: remove scratch dir: %s", tst_errname(errno));
        tst_scratch_path[0] = 0;
    }
    printf("summary: %d passed, %d failed\n", tst_npass, tst_nfail);
    fflush(stdout);
    return tst_nfail ? 1 : 0;
}

#endif /* LTP_TST_H */

/* mmap/munmap (anonymous and file), MAP_FIXED, MAP_FIXED_NOREPLACE, holes, msync. */
#define TCID "mem_mmap"
#include "tst.h"
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static long PG;

static int all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

static unsigned char pat(long i)
{
    return (unsigned char)((i * 31 + 7) % 253);
}

/* Is [p, p+len) unmapped?  Ask the kernel to read from it into a file: EFAULT means
 * nothing there (no fault is taken in this process). */
static int unmapped(int sinkfd, void *p, size_t len)
{
    errno = 0;
    return write(sinkfd, p, len) == -1 && errno == EFAULT;
}

int main(void)
{
    unsigned char *p, *q, *r;
    int fd, sink;
    char buf[256];

    tst_scratch();
    PG = sysconf(_SC_PAGESIZE);
    TEST_EQ(PG, 4096, "page size is 4096");
    sink = open("sink", O_WRONLY | O_CREAT | O_TRUNC, 0644);

    /* anonymous mappings */
    p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TEST_CHECK(p != MAP_FAILED, "mmap 4 anonymous pages");
    TEST_CHECK(((uintptr_t)p & (PG - 1)) == 0, "the mapping is page aligned");
    TEST_CHECK(all_bytes(p, 4 * PG, 0), "anonymous memory starts zeroed");
    for (long i = 0; i < 4 * PG; i++)
        p[i] = pat(i);
    {
        int ok = 1;
        for (long i = 0; i < 4 * PG; i++)
            ok &= p[i] == pat(i);
        TEST_CHECK(ok, "anonymous memory keeps what was written");
    }
    TEST_EQ(write(sink, p + PG - 10, 20), 20, "the kernel can read the mapping (write from it)");

    /* MAP_FIXED over an existing mapping */
    q = mmap(p + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    TEST_CHECK(q == p + PG, "MAP_FIXED over the second page returns that address");
    TEST_CHECK(all_bytes(q, PG, 0), "the MAP_FIXED page is fresh (zeroed)");
    TEST_CHECK(p[0] == pat(0) && p[PG - 1] == pat(PG - 1) && p[2 * PG] == pat(2 * PG) && p[4 * PG - 1] == pat(4 * PG - 1),
               "the neighbouring pages are untouched");
    TEST_ERRNO(mmap(p + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL,
               "MAP_FIXED at an unaligned address");

    /* MAP_FIXED_NOREPLACE */
    TEST_ERRNO(mmap(p + 2 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST,
               "MAP_FIXED_NOREPLACE over an existing mapping");
    TEST_ERRNO(mmap(p - PG, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST,
               "MAP_FIXED_NOREPLACE partly overlapping a mapping");
    TEST_CHECK(p[2 * PG] == pat(2 * PG), "the failed MAP_FIXED_NOREPLACE left the data");

    /* partial munmap: a hole in the middle */
    TEST_EQ(munmap(p + PG, 2 * PG), 0, "munmap the two middle pages");
    TEST_CHECK(unmapped(sink, p + PG, PG) && unmapped(sink, p + 2 * PG, PG), "the hole is unmapped (write from it -> EFAULT)");
    TEST_CHECK(p[0] == pat(0) && p[PG - 1] == pat(PG - 1) && p[3 * PG] == pat(3 * PG) && p[4 * PG - 1] == pat(4 * PG - 1),
               "the pages on both sides of the hole keep their data");
    p[5] = 0xEE;
    p[3 * PG + 5] = 0xEF;
    TEST_CHECK(p[5] == 0xEE && p[3 * PG + 5] == 0xEF, "the pages on both sides are still writable");
    TEST_ERRNO(mprotect(p + PG, PG, PROT_READ), ENOMEM, "mprotect inside the hole");
    TEST_ERRNO(msync(p + PG, PG, MS_ASYNC), ENOMEM, "msync inside the hole");
    r = mmap(p + 2 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    TEST_CHECK(r == p + 2 * PG, "MAP_FIXED_NOREPLACE into the hole gets exactly that address");
    TEST_CHECK(r != MAP_FAILED && all_bytes(r, PG, 0), "the page mapped into the hole is zeroed");
    TEST_EQ(munmap(p, 4 * PG), 0, "munmap a range spanning mappings and a hole");
    TEST_CHECK(unmapped(sink, p, PG) && unmapped(sink, p + 3 * PG, PG), "the whole range is unmapped");
    TEST_EQ(munmap(p, 4 * PG), 0, "munmap of an unmapped range succeeds");

    /* anonymous errors */
    TEST_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL, "mmap of length 0");
    TEST_ERRNO(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL, "mmap without MAP_PRIVATE or MAP_SHARED");
    TEST_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0), EINVAL,
               "mmap with both MAP_PRIVATE and MAP_SHARED");
    TEST_ERRNO(mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM,
               "mmap of 2^62 bytes");
    TEST_ERRNO(munmap(NULL, 0), EINVAL, "munmap of length 0");
    q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TEST_ERRNO(munmap(q + 1, PG), EINVAL, "munmap at an unaligned address");
    TEST_EQ(munmap(q, 100), 0, "munmap with a length that is not a page multiple");
    TEST_CHECK(unmapped(sink, q, 1), "munmap rounded the length up to a page");

    /* anonymous MAP_SHARED, PROT_NONE then mprotect */
    q = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    TEST_CHECK(q != MAP_FAILED && all_bytes(q, 2 * PG, 0), "mmap MAP_SHARED|MAP_ANONYMOUS, zeroed");
    if (q != MAP_FAILED) {
        memset(q, 0x5A, 2 * PG);
        TEST_CHECK(all_bytes(q, 2 * PG, 0x5A), "shared anonymous memory is writable");
        munmap(q, 2 * PG);
    }
    q = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TEST_CHECK(q != MAP_FAILED, "mmap PROT_NONE");
    TEST_CHECK(unmapped(sink, q, 10), "the kernel cannot read a PROT_NONE page (EFAULT)");
    TEST_EQ(mprotect(q, PG, PROT_READ | PROT_WRITE), 0, "mprotect the PROT_NONE page to read-write");
    q[0] = 1;
    TEST_CHECK(q[0] == 1 && all_bytes(q + 1, PG - 1, 0), "the page is usable after mprotect");
    munmap(q, PG);

    /* file mappings */
    {
        static unsigned char file[3 * 4096 + 100];
        for (long i = 0; i < (long)sizeof file; i++)
            file[i] = pat(i);
        tst_mkfile("data", (const char *)file, sizeof file, 0644);
    }
    fd = open("data", O_RDONLY);
    q = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, PG);
    TEST_CHECK(q != MAP_FAILED, "mmap a file MAP_PRIVATE at offset one page");
    if (q != MAP_FAILED) {
        int ok = 1;
        for (long i = 0; i < 2 * PG; i++)
            ok &= q[i] == pat(PG + i);
        TEST_CHECK(ok, "the mapping shows the file's data from the offset");
        munmap(q, 2 * PG);
    }
    q = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 2 * PG);
    if (q != MAP_FAILED) {
        TEST_CHECK(q[PG] == pat(3 * PG) && q[PG + 99] == pat(3 * PG + 99), "the last partial page has the file's tail");
        TEST_CHECK(all_bytes(q + PG + 100, PG - 100, 0), "the rest of the last page past EOF reads as zeros");
        munmap(q, 2 * PG);
    } else {
        TFAIL("mmap a file at offset two pages: %s", tst_errname(errno));
    }
    q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    TEST_CHECK(q != MAP_FAILED, "mmap PROT_WRITE MAP_PRIVATE of an O_RDONLY fd");
    if (q != MAP_FAILED) {
        memset(q, 'P', 16);
        TEST_CHECK(all_bytes(q, 16, 'P') && q[16] == pat(16), "the private mapping sees its own write");
        TEST_CHECK(pread(fd, buf, 16, 0) == 16 && buf[0] == (char)pat(0) && buf[15] == (char)pat(15),
                   "a private write does not reach the file");
        munmap(q, PG);
    }
    TEST_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL, "mmap a file at an unaligned offset");
    TEST_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0), EINVAL, "mmap a file with length 0");
    TEST_ERRNO(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES,
               "mmap PROT_WRITE MAP_SHARED of an O_RDONLY fd");
    close(fd);
    TEST_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 999, 0), EBADF, "mmap a bad fd without MAP_ANONYMOUS");
    TEST_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0), EBADF, "mmap fd -1 without MAP_ANONYMOUS");
    fd = open("data", O_WRONLY);
    TEST_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0), EACCES, "mmap an O_WRONLY fd");
    close(fd);
    fd = open(".", O_RDONLY | O_DIRECTORY);
    TEST_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0), ENODEV, "mmap a directory");
    close(fd);

    /* MAP_SHARED file mapping: writes reach the file */
    fd = open("data", O_RDWR);
    q = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    TEST_CHECK(q != MAP_FAILED, "mmap a file MAP_SHARED read-write");
    if (q != MAP_FAILED) {
        memcpy(q + 10, "shared!", 7);
        TEST_EQ(msync(q, 2 * PG, MS_SYNC), 0, "msync MS_SYNC");
        TEST_CHECK(pread(fd, buf, 7, 10) == 7 && !memcmp(buf, "shared!", 7), "the shared write reached the file");
        TEST_ERRNO(msync(q + 1, PG, MS_SYNC), EINVAL, "msync at an unaligned address");
        TEST_ERRNO(msync(q, PG, MS_SYNC | MS_ASYNC), EINVAL, "msync with MS_SYNC|MS_ASYNC");
        memcpy(q + PG + 1, "unmapped", 8);
        TEST_EQ(munmap(q, 2 * PG), 0, "munmap the shared mapping without msync");
        TEST_CHECK(pread(fd, buf, 8, PG + 1) == 8 && !memcmp(buf, "unmapped", 8), "munmap kept the shared write in the file");
    }
    close(fd);
    fd = open("data", O_RDONLY);
    q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    TEST_CHECK(q != MAP_FAILED && !memcmp(q + 10, "shared!", 7), "a mapping outlives the close of its fd");
    if (q != MAP_FAILED)
        munmap(q, PG);

    close(sink);
    return tst_exit();
}

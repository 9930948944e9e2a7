/* brk/sbrk, mremap, mprotect (checked without faulting), madvise, mincore. */
#define TCID "mem_brk_mremap"
#include "tst.h"
#include <sys/mman.h>

static long PG;
static int sink;

static unsigned char pat(long i)
{
    return (unsigned char)((i * 13 + 5) % 251);
}

static int all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

static int has_pat(const unsigned char *p, long n, long from)
{
    for (long i = 0; i < n; i++)
        if (p[i] != pat(from + i))
            return 0;
    return 1;
}

/* The kernel cannot read [p, p+len): write(2) from it into a file gives EFAULT. */
static int unreadable(void *p, size_t len)
{
    errno = 0;
    return write(sink, p, len) == -1 && errno == EFAULT;
}

static uintptr_t page_up(uintptr_t a)
{
    return (a + PG - 1) & ~(uintptr_t)(PG - 1);
}

/* Results of the brk section are kept here and reported only after the break is back
 * where it was: printing may call malloc, and malloc may use brk itself. */
static struct {
    int ok;
    const char *desc;
} deferred[32];
static int ndeferred;
#define DEFER(cond, d)                                  \
    do {                                                \
        deferred[ndeferred].ok = !!(cond);              \
        deferred[ndeferred].desc = (d);                 \
        ndeferred++;                                    \
    } while (0)

static void brk_section(void)
{
    uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
    DEFER(cur != 0, "brk(0) returns the current break");
    uintptr_t want = cur + 3 * PG + 123;
    uintptr_t got = (uintptr_t)syscall(SYS_brk, want);
    DEFER(got == want, "brk grows the break by 3 pages + 123 bytes");
    if (got == want) {
        unsigned char *b = (unsigned char *)cur;
        for (long i = 0; i < 3 * PG + 123; i++)
            b[i] = pat(i);
        DEFER(has_pat(b, 3 * PG + 123, 0), "the grown heap is writable and keeps its data");
        DEFER((uintptr_t)syscall(SYS_brk, 0) == want, "brk(0) reports the new break");
        DEFER((uintptr_t)syscall(SYS_brk, 1) == want, "brk below the heap start fails, returning the old break");
        uintptr_t low = cur + PG;
        DEFER((uintptr_t)syscall(SYS_brk, low) == low, "brk shrinks the break to 1 page");
        DEFER(has_pat(b, PG, 0), "shrinking keeps the data below the new break");
        DEFER(unreadable((void *)page_up(low), PG), "the pages above the shrunk break are unmapped");
        DEFER((uintptr_t)syscall(SYS_brk, want) == want, "brk grows again");
        DEFER(all_bytes((unsigned char *)page_up(low), want - page_up(low), 0), "re-grown heap pages are zeroed");
        DEFER(has_pat(b, PG, 0), "the data below the old break is still there");
    }
    DEFER((uintptr_t)syscall(SYS_brk, cur) == cur, "brk back to the original break");
#ifdef __GLIBC__
    void *s0 = sbrk(0);
    DEFER(s0 == (void *)syscall(SYS_brk, 0), "sbrk(0) is the current break");
    void *s1 = sbrk(2 * PG);
    DEFER(s1 == s0, "sbrk(+2 pages) returns the old break");
    DEFER(sbrk(0) == (char *)s0 + 2 * PG, "sbrk moved the break up by 2 pages");
    if (s1 == s0) {
        memset(s1, 0x77, 2 * PG);
        DEFER(all_bytes(s1, 2 * PG, 0x77), "sbrk memory is writable");
        DEFER(sbrk(-PG) == (char *)s0 + 2 * PG, "sbrk(-1 page) returns the old break");
        DEFER(all_bytes(s1, PG, 0x77), "sbrk shrink keeps the data below");
        sbrk(-PG);
    }
#else
    /* musl's sbrk only reports the break: any nonzero increment fails with ENOMEM */
    DEFER(sbrk(0) == (void *)syscall(SYS_brk, 0), "sbrk(0) is the current break");
#endif
    DEFER((uintptr_t)syscall(SYS_brk, 0) == cur, "the break is back where it started");
}

int main(void)
{
    unsigned char *p, *q, *r;
    int fd;

    tst_scratch();
    PG = sysconf(_SC_PAGESIZE);
    sink = open("sink", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    {
        static unsigned char file[2 * 4096];
        for (long i = 0; i < (long)sizeof file; i++)
            file[i] = pat(i);
        tst_mkfile("data", (const char *)file, sizeof file, 0644);
    }
    TEST_EQ(PG, 4096, "page size is 4096");
    fflush(stdout);

    /* brk / sbrk */
    brk_section();
    for (int i = 0; i < ndeferred; i++)
        TEST_CHECK(deferred[i].ok, "%s", deferred[i].desc);

    /* mremap: grow with MREMAP_MAYMOVE */
    p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (long i = 0; i < 2 * PG; i++)
        p[i] = pat(i);
    q = mremap(p, 2 * PG, 8 * PG, MREMAP_MAYMOVE);
    TEST_CHECK(q != MAP_FAILED, "mremap 2 -> 8 pages with MREMAP_MAYMOVE");
    if (q != MAP_FAILED) {
        TEST_CHECK(has_pat(q, 2 * PG, 0), "mremap kept the contents");
        TEST_CHECK(all_bytes(q + 2 * PG, 6 * PG, 0), "the grown part is zeroed");
        TEST_CHECK(q == p || unreadable(p, PG), "the old range is gone if the mapping moved");
        memset(q + 7 * PG, 0x42, PG);
        /* shrink in place */
        r = mremap(q, 8 * PG, 3 * PG, 0);
        TEST_CHECK(r == q, "mremap shrink 8 -> 3 pages stays in place");
        TEST_CHECK(has_pat(q, 2 * PG, 0) && all_bytes(q + 2 * PG, PG, 0), "shrinking kept the first 3 pages");
        TEST_CHECK(unreadable(q + 3 * PG, PG) && unreadable(q + 7 * PG, PG), "the cut-off pages are unmapped");
        munmap(q, 3 * PG);
    }

    /* mremap that has to move: the page after is part of the same mapping */
    p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (long i = 0; i < 3 * PG; i++)
        p[i] = pat(i);
    TEST_ERRNO(mremap(p, PG, 2 * PG, 0), ENOMEM, "mremap grow in place when the next page is taken");
    q = mremap(p, PG, 2 * PG, MREMAP_MAYMOVE);
    TEST_CHECK(q != MAP_FAILED && q != p, "mremap MREMAP_MAYMOVE moves the first page out");
    if (q != MAP_FAILED) {
        TEST_CHECK(has_pat(q, PG, 0) && all_bytes(q + PG, PG, 0), "the moved page kept its data, the new one is zeroed");
        TEST_CHECK(unreadable(p, PG), "the old first page is unmapped");
        TEST_CHECK(has_pat(p + PG, 2 * PG, PG), "the other two pages were not touched");
        munmap(q, 2 * PG);
    }
    /* MREMAP_FIXED onto a reserved address */
    r = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    q = mremap(p + PG, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, r + PG);
    TEST_CHECK(q == r + PG, "mremap MREMAP_FIXED returns the requested address");
    if (q == r + PG) {
        TEST_CHECK(has_pat(q, 2 * PG, PG), "MREMAP_FIXED moved the data");
        TEST_CHECK(unreadable(p + PG, PG), "MREMAP_FIXED unmapped the source");
        TEST_CHECK(unreadable(r, PG), "the reserved PROT_NONE page before stays");
    }
    munmap(r, 4 * PG);

    /* mremap errors */
    p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TEST_ERRNO(mremap(p + 1, PG, 2 * PG, MREMAP_MAYMOVE), EINVAL, "mremap an unaligned address");
    TEST_ERRNO(mremap(p, PG, 0, MREMAP_MAYMOVE), EINVAL, "mremap to size 0");
    TEST_ERRNO(mremap(p, PG, 2 * PG, 0x80), EINVAL, "mremap with an unknown flag");
    TEST_ERRNO(mremap(p, PG, 2 * PG, MREMAP_FIXED, p + 8 * PG), EINVAL, "mremap MREMAP_FIXED without MREMAP_MAYMOVE");
    munmap(p, 2 * PG);
    TEST_ERRNO(mremap(p, PG, 2 * PG, MREMAP_MAYMOVE), EFAULT, "mremap an unmapped address");

    /* mprotect, checked through the kernel instead of by faulting */
    p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 0x33, 3 * PG);
    fd = open("data", O_RDONLY);
    TEST_EQ(mprotect(p + PG, PG, PROT_READ), 0, "mprotect the middle page PROT_READ");
    TEST_CHECK(all_bytes(p, 3 * PG, 0x33), "all three pages are still readable");
    TEST_ERRNO(read(fd, p + PG, 100), EFAULT, "read() from a file into a read-only page");
    TEST_ERRNO(pread(fd, p + PG, 100, 0), EFAULT, "pread() into a read-only page");
    TEST_CHECK(all_bytes(p + PG, PG, 0x33), "the read-only page is unchanged");
    TEST_CHECK(pread(fd, p, 100, 0) == 100 && has_pat(p, 100, 0), "the page before is still writable by the kernel");
    TEST_CHECK(pread(fd, p + 2 * PG, 100, 0) == 100 && has_pat(p + 2 * PG, 100, 0), "the page after is still writable by the kernel");
    TEST_EQ(write(sink, p + PG, 100), 100, "the kernel can read from the read-only page");
    TEST_EQ(mprotect(p + PG, PG, PROT_NONE), 0, "mprotect the middle page PROT_NONE");
    TEST_CHECK(unreadable(p + PG, 10), "the kernel cannot read a PROT_NONE page");
    TEST_EQ(mprotect(p, 3 * PG, PROT_READ | PROT_WRITE), 0, "mprotect all three pages back to read-write");
    TEST_CHECK(pread(fd, p + PG, 100, 0) == 100 && has_pat(p + PG, 100, 0), "read() into the page works again");
    /* raw syscall: musl's mprotect() rounds the address down to a page itself */
    TEST_ERRNO(syscall(SYS_mprotect, p + 1, PG, PROT_READ), EINVAL, "mprotect an unaligned address");
    TEST_ERRNO(mprotect(p, PG, 0x100), EINVAL, "mprotect with an invalid prot bit");
    munmap(p, 3 * PG);
    TEST_ERRNO(mprotect(p, PG, PROT_READ), ENOMEM, "mprotect an unmapped page");
    q = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    TEST_CHECK(q != MAP_FAILED, "mmap an O_RDONLY file MAP_SHARED PROT_READ");
    TEST_ERRNO(mprotect(q, PG, PROT_READ | PROT_WRITE), EACCES, "mprotect PROT_WRITE on a shared map of an O_RDONLY file");
    munmap(q, PG);

    /* madvise */
    p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 0x99, 2 * PG);
    TEST_EQ(madvise(p, 2 * PG, MADV_NORMAL), 0, "madvise MADV_NORMAL");
    TEST_EQ(madvise(p, 2 * PG, MADV_WILLNEED), 0, "madvise MADV_WILLNEED");
    TEST_CHECK(all_bytes(p, 2 * PG, 0x99), "advice that drops nothing keeps the data");
    TEST_EQ(madvise(p + PG, PG, MADV_DONTNEED), 0, "madvise MADV_DONTNEED on the second anon page");
    TEST_CHECK(all_bytes(p, PG, 0x99) && all_bytes(p + PG, PG, 0), "MADV_DONTNEED zeroed only that private anon page");
    TEST_ERRNO(madvise(p + 1, PG, MADV_NORMAL), EINVAL, "madvise an unaligned address");
    TEST_ERRNO(madvise(p, PG, 12345), EINVAL, "madvise with an invalid advice");
    munmap(p, 2 * PG);
    TEST_ERRNO(madvise(p, PG, MADV_NORMAL), ENOMEM, "madvise an unmapped range");
    q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (q != MAP_FAILED) {
        memset(q, 0, 64);
        TEST_EQ(madvise(q, PG, MADV_DONTNEED), 0, "madvise MADV_DONTNEED on a private file page");
        TEST_CHECK(has_pat(q, PG, 0), "the private file page reverts to the file's data");
        munmap(q, PG);
    }
    q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (q != MAP_FAILED) {
        memset(q, 0x12, PG);
        TEST_EQ(madvise(q, PG, MADV_DONTNEED), 0, "madvise MADV_DONTNEED on a shared anon page");
        TEST_CHECK(all_bytes(q, PG, 0x12), "the shared anon page keeps its data");
        munmap(q, PG);
    }
    close(fd);

    /* mincore */
    {
        unsigned char vec[4] = {0, 0, 0, 0};
        p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(p, 1, 4 * PG);
        TEST_EQ(mincore(p, 4 * PG, vec), 0, "mincore on 4 touched pages");
        TEST_CHECK((vec[0] & vec[1] & vec[2] & vec[3] & 1) == 1, "mincore reports touched pages resident");
        TEST_ERRNO(mincore(p + 1, PG, vec), EINVAL, "mincore at an unaligned address");
        TEST_ERRNO(mincore(p, PG, TST_BADPTR), EFAULT, "mincore with a bad vector pointer");
        munmap(p, 4 * PG);
        TEST_ERRNO(mincore(p, PG, vec), ENOMEM, "mincore on an unmapped page");
    }

    close(sink);
    return tst_exit();
}

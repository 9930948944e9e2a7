/* Tries: copy /bin/true into the container's tmpfs and mmap it PROT_EXEC.
 * Must: EACCES, audited (deny, mmap): the container wrote the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
    static char buf[1 << 16];
    int src = open("/bin/true", O_RDONLY), dst = open("/tmp/code", O_RDWR | O_CREAT | O_TRUNC, 0755);
    ssize_t n;
    while ((n = read(src, buf, sizeof buf)) > 0) write(dst, buf, n);
    void *m = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, dst, 0);
    printf("mmap: %d errno=%d\n", m == MAP_FAILED ? -1 : 0, m == MAP_FAILED ? errno : 0);
    return 0;
}

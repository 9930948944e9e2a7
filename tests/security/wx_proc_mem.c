/* Tries: patching code through /proc/self/mem: open it O_RDWR and pwrite a "ret"
 * over main.
 * Must: no /proc/PID/mem (ENOENT); were there, writes into code would be refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    int fd = open("/proc/self/mem", O_RDWR);
    if (fd < 0) { printf("open: -1 errno=%d\n", errno); return 0; }
    unsigned char ret = 0xc3;
    ssize_t w = pwrite(fd, &ret, 1, (off_t)(uintptr_t)&main);
    printf("pwrite: %zd errno=%d\n", w, w < 0 ? errno : 0);
    return 0;
}

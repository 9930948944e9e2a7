/* Tries: a file past the file-size quota (file_size = 8K), with SIGXFSZ ignored.
 * Must: the write is cut short at 8192 bytes, the next is EFBIG (SIGXFSZ ignored),
 * audited (quota, quotas.file_size). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    static char block[20000];
    signal(SIGXFSZ, SIG_IGN);
    int fd = open("/tmp/big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t w = write(fd, block, sizeof block);
    printf("write: %zd\n", w);
    w = write(fd, block, sizeof block);
    printf("write: %zd errno=%d\n", w, w < 0 ? errno : 0);
    return 0;
}

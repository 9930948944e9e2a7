/* Tries: filling the disk (argv[1]: the tmpfs or the overlay's writable layer) with
 * 64 KiB writes (quota writable_bytes = 4M for both together).
 * Must: ENOSPC at the quota, audited (quota, quotas.writable_bytes); after unlink
 * the space comes back; nothing reaches the host disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    static char block[65536];
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    long kib = 0;
    ssize_t w;
    while (kib < (1L << 22) && (w = write(fd, block, sizeof block)) > 0) kib += w / 1024;
    printf("write: %s errno=%d\n", kib > 3000 && kib <= 4096 ? "3000..4096 KiB" : "wrong size", errno);
    close(fd);
    unlink(argv[1]);
    fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    printf("after unlink: %zd\n", write(fd, block, sizeof block));
    return 0;
}

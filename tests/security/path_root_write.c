/* Tries: writing a file into the host's root, /etc/vkernel-security-marker, and
 * reading it back.
 * Must: works, in the in-memory writable layer only: the host never sees the file. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char buf[16] = {0};
    int fd = open("/etc/vkernel-security-marker", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    printf("write: %zd\n", write(fd, "escaped", 7));
    close(fd);
    fd = open("/etc/vkernel-security-marker", O_RDONLY);
    printf("read: %zd %s\n", read(fd, buf, sizeof buf - 1), buf);
    return 0;
}

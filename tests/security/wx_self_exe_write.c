/* Tries: patching the program's own file on the host through /proc/self/exe
 * (open it for appending, write a byte).
 * Must: the host file stays as it was (the driver checks every program's bytes).
 * Linux refuses the open with ETXTBSY while the program runs; vkernel has no
 * ETXTBSY yet: the write lands in the container's writable layer (a copy-up), or
 * the open fails with ENOENT where the program's host path is hidden (under /tmp),
 * so what the guest sees is not part of the check. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    int fd = open("/proc/self/exe", O_WRONLY | O_APPEND);
    if (fd >= 0) write(fd, "X", 1);
    puts("attempted");
    return 0;
}

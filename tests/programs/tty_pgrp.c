/* Foreground process group calls on a terminal: run with a pty as stdin. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    printf("isatty %d\n", isatty(0));
    printf("foreground is my group %d\n", tcgetpgrp(0) == getpgrp());
    errno = 0;
    int r = tcsetpgrp(0, 999999);
    printf("tcsetpgrp to no group: %d esrch %d\n", r, errno == ESRCH);
    printf("tcsetpgrp to my group: %d\n", tcsetpgrp(0, getpgrp()));
    errno = 0;
    r = tcgetpgrp(1 + 1000);
    printf("tcgetpgrp on a bad fd: %d ebadf %d\n", r, errno == EBADF);
    return 0;
}

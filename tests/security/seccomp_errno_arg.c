/* Tries: an inet socket under a rule that allows socket() only for AF_UNIX
 * (action errno EACCES when arg0 != AF_UNIX).
 * Must: socket(AF_INET) EACCES, audited (errno, syscalls.rule[0]); socket(AF_UNIX)
 * works. */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    printf("socket inet: %d errno=%d\n", s < 0 ? -1 : 0, s < 0 ? errno : 0);
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    printf("socket unix: %d\n", s < 0 ? -1 : 0);
    return 0;
}

/* Tries: appending to a file of a read-only mount: open("/ro/existing", O_APPEND).
 * Must: EROFS, and the host file is unchanged. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    int fd = open("/ro/existing", O_WRONLY | O_APPEND);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

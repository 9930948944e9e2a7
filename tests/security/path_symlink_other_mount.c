/* Tries: a link in the /data mount that points into another mount (/data/passwd ->
 * /etc/passwd), under [files] symlinks = "refuse-outside".
 * Must: EACCES, audited (deny, files.symlinks). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    int fd = open("/data/passwd", O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

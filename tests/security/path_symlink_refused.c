/* Tries: a link that stays inside its own mount (/data/inlink -> f), under [files]
 * symlinks = "refuse".
 * Must: ELOOP (as O_NOFOLLOW reports it), audited (deny, files.symlinks). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    int fd = open("/data/inlink", O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

/* Tries: a 5000-byte path of "../" components (longer than PATH_MAX, 4096).
 * Must: ENAMETOOLONG, before any component is looked up. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    static char path[5002];
    for (int i = 0; i < 5000; i += 3) memcpy(path + i, "../", 3);
    path[5001] = 0;
    int fd = open(path, O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

/* Tries: unusual spellings of a path out of the mount: doubled slashes, "." and
 * ".." mixed, a trailing slash: "//data//.//..//./secret/".
 * Must: ENOENT: the same walk as "/secret". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int main(void) {
    int fd = open("//data//.//..//./secret/", O_RDONLY);
    printf("open: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

/* Tries: changing a read-only mount's directory: argv[1] is "create" (a new file),
 * "unlink" (the existing file) or "mkdir" (a new directory) under /ro.
 * Must: EROFS, and the host directory is unchanged. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int rc = !strcmp(argv[1], "create") ? open("/ro/new", O_WRONLY | O_CREAT, 0644)
           : !strcmp(argv[1], "unlink") ? unlink("/ro/existing")
           : mkdir("/ro/d", 0755);
    printf("%s: %d errno=%d\n", argv[1], rc < 0 ? -1 : 0, rc < 0 ? errno : 0);
    return 0;
}

/* Copies /bin/busybox into /tmp and executes the copy: a file the program wrote itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    int in = open("/bin/busybox", O_RDONLY), out = open("/tmp/bb", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
    close(out);
    char *argv[] = {"/tmp/bb", "true", NULL};
    execv(argv[0], argv);
    printf("execv of a written file: %s\n", strerror(errno));
    return 0;
}

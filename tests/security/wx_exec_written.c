/* Tries: copy /bin/true to a file the container writes (argv[1]: in the tmpfs, or
 * the rw host mount), chmod 755, execve it.
 * Must: EACCES, audited (deny, execve); the file itself may stay on the rw mount. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp) {
    static char buf[1 << 16];
    int src = open("/bin/true", O_RDONLY), dst = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0755);
    ssize_t n;
    while ((n = read(src, buf, sizeof buf)) > 0) write(dst, buf, n);
    close(dst);
    chmod(argv[1], 0755);
    char *args[] = {argv[1], NULL};
    execve(argv[1], args, envp);
    printf("execve: -1 errno=%d\n", errno);
    return 0;
}

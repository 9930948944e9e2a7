/* Writes a file, lists /proc/self, reads /proc/self/exe: used by the mount and trace tests. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror("open"); return 1; }
    write(fd, "written by guest\n", 17);
    close(fd);
    char buf[64] = {0};
    fd = open(argv[1], O_RDONLY);
    read(fd, buf, sizeof buf - 1);
    printf("read back: %s", buf);
    char exe[256] = {0};
    readlink("/proc/self/exe", exe, sizeof exe - 1);
    printf("exe ends with files_demo: %d\n", strstr(exe, "files_demo") != NULL);
    open("/nonexistent/file", O_RDONLY);
    return 0;
}

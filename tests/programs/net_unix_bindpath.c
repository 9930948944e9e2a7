/* Binds a listening AF_UNIX socket at argv[1], checks the socket file, connects to
 * it, and removes it: for paths on different filesystems (tmpfs, the root overlay,
 * a host directory mounted read-write or read-only). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_un a = {AF_UNIX};
    if (argc < 2 || strlen(argv[1]) >= sizeof a.sun_path) return 2;
    strcpy(a.sun_path, argv[1]);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) {
        printf("bind: %s\n", strerror(errno));
        return 0;
    }
    printf("bind: ok\n");
    struct stat st;
    printf("socket file: %d\n", stat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode));
    printf("bind again: %s\n", bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, sizeof a) < 0
           ? strerror(errno) : "ok");
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("connect before listen: %s\n", connect(c, (struct sockaddr *)&a, sizeof a) < 0 ? strerror(errno) : "ok");
    listen(s, 1);
    printf("connect: %s\n", connect(c, (struct sockaddr *)&a, sizeof a) < 0 ? strerror(errno) : "ok");
    printf("unlink: %d\n", unlink(a.sun_path));
    int d = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("connect after unlink: %s\n", connect(d, (struct sockaddr *)&a, sizeof a) < 0 ? strerror(errno) : "ok");
    return 0;
}

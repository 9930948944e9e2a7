/* Tries: a directory fd of the /data mount received from another process over a
 * socketpair (SCM_RIGHTS), then openat(fd, "../secret").
 * Must: ENOENT: a passed fd carries the container's view, '..' included. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int sv[2];
    char cbuf[CMSG_SPACE(sizeof(int))] = {0}, byte = 'x';
    struct iovec iov = {&byte, 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    if (fork() == 0) {
        int dfd = open("/data", O_RDONLY | O_DIRECTORY);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &dfd, sizeof(int));
        _exit(sendmsg(sv[0], &msg, 0) == 1 ? 0 : 1);
    }
    int dfd = -1;
    if (recvmsg(sv[1], &msg, 0) == 1 && CMSG_FIRSTHDR(&msg))
        memcpy(&dfd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
    wait(NULL);
    int fd = openat(dfd, "../secret", O_RDONLY);
    printf("openat: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}

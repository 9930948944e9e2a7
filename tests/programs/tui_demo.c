/* A small program for the trace debugger's tests: a greeting on stdout, a refused
 * uname (the test's policy), and a pipe passed over a socketpair. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
    write(1, "hello from tui!\n", 16);
    struct utsname u;
    uname(&u);
    int sv[2], p[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pipe(p);
    char control[CMSG_SPACE(sizeof(int))] = {0};
    struct iovec iov = {"fd", 2};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &p[1], sizeof(int));
    sendmsg(sv[0], &mh, 0);
    char buf[8];
    recvmsg(sv[1], &mh, 0);
    return read(sv[1], buf, 0);
}

/* Open TCP sockets until the kernel refuses one; then close them all and show that
 * networking still works (a loopback connection and a byte through it). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    static int fds[1 << 16];
    int n = 0;
    for (;;) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0) {
            printf("refused after %s: %s\n", n >= 50 ? "50 or more" : "too few",
                   errno == ENFILE ? "ENFILE" : errno == EMFILE ? "EMFILE" : strerror(errno));
            break;
        }
        fds[n++] = s;
    }
    while (n) close(fds[--n]);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(ls, (void *)&a, sizeof a);
    listen(ls, 1);
    socklen_t l = sizeof a;
    getsockname(ls, (void *)&a, &l);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    int ok = connect(c, (void *)&a, sizeof a) == 0;
    int k = accept(ls, NULL, NULL);
    char b = 0;
    ok = ok && k >= 0 && write(c, "!", 1) == 1 && read(k, &b, 1) == 1 && b == '!';
    printf("after the flood: %s\n", ok ? "ok" : strerror(errno));
    return 0;
}

/* A TCP client for a server outside the container: connect to 127.0.0.1:argv[1]
 * (blocking, or non-blocking with poll when argv[2] is "nb"), send a line, half-close,
 * print what comes back until EOF. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int nb = argc > 2 && strcmp(argv[2], "nb") == 0;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(argv[1]));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM | (nb ? SOCK_NONBLOCK : 0), 0);
    if (connect(s, (void *)&a, sizeof a) < 0) {
        if (!nb || errno != EINPROGRESS) { printf("connect: %s\n", strerror(errno)); return 1; }
        struct pollfd p = {s, POLLOUT, 0};
        poll(&p, 1, 10000);
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) { printf("connect: %s\n", strerror(err)); return 1; }
        fcntl(s, F_SETFL, 0);
    }
    const char *msg = "hello from the guest\n";
    write(s, msg, strlen(msg));
    shutdown(s, SHUT_WR);
    char buf[4096];
    ssize_t n;
    while ((n = read(s, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);
    printf("[eof %zd]\n", n);
    return 0;
}

/* Threads blocked on one socket while another thread acts on it: shutdown wakes a
 * blocked recv (0) and a blocked accept (EINVAL); a blocked recv gets data another
 * thread's peer sends. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int ls, c, k;

static void *do_accept(void *arg) {
    (void)arg;
    int r = accept(ls, NULL, NULL);
    printf("blocked accept after shutdown: %d %s\n", r, r < 0 ? strerror(errno) : "");
    return NULL;
}

static void *do_recv(void *arg) {
    char b[16] = {0};
    ssize_t r = recv(*(int *)arg, b, sizeof b, 0);
    printf("blocked recv: %zd %s\n", r, b);
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(ls, (void *)&a, sizeof a);
    listen(ls, 4);
    socklen_t l = sizeof a;
    getsockname(ls, (void *)&a, &l);
    c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (void *)&a, sizeof a);
    k = accept(ls, NULL, NULL);

    pthread_t t;
    pthread_create(&t, NULL, do_recv, &k);
    usleep(50000);
    send(c, "wake up", 7, 0);
    pthread_join(t, NULL);

    pthread_create(&t, NULL, do_recv, &c);
    usleep(50000);
    shutdown(c, SHUT_RDWR);
    pthread_join(t, NULL);

    pthread_create(&t, NULL, do_accept, NULL);
    usleep(50000);
    shutdown(ls, SHUT_RDWR);
    pthread_join(t, NULL);
    return 0;
}

/* Random arguments to the socket calls on a pool of non-blocking inet sockets (TCP
 * and UDP, IPv4 and IPv6, listeners and connected pairs): whatever the kernel
 * answers, it must answer (under vkemu --strict an exception escaping a handler
 * stops the run).  argv[1] iterations, argv[2] seed.  Prints a line at the end. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t state;
static uint64_t rnd(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}
static int pick(int n) { return (int)(rnd() % (uint64_t)n); }

static unsigned char mem[4096];
static int pool[16];
static int npool;

static void *ptr(void) {
    switch (pick(8)) {
    case 0: return NULL;
    case 1: return (void *)8;
    default: return mem + pick(256);
    }
}

static long len(void) {
    static const long lens[] = {0, 1, 2, 3, 4, 8, 15, 16, 23, 24, 27, 28, 64, 128, 129, 1000, -1, 0x7fffffff};
    return lens[pick(sizeof lens / sizeof lens[0])];
}

static void random_addr(void) {
    uint16_t fams[] = {AF_INET, AF_INET6, AF_UNSPEC, AF_UNIX, 77};
    struct sockaddr_in6 *a6 = (void *)mem;
    struct sockaddr_in *a4 = (void *)mem;
    memset(mem, 0, 64);
    a6->sin6_family = fams[pick(5)];
    if (a6->sin6_family == AF_INET6) {
        a6->sin6_addr = pick(3) ? in6addr_loopback : in6addr_any;
        a6->sin6_scope_id = pick(4) ? 0 : rnd();
        a6->sin6_flowinfo = pick(4) ? 0 : rnd();
    } else {
        a4->sin_addr.s_addr = pick(3) ? htonl(INADDR_LOOPBACK) : (uint32_t)rnd();
    }
    a4->sin_port = pick(2) ? 0 : htons(1 + pick(3));
}

static void add(int fd) {
    if (fd < 0) return;
    if (npool < 16) pool[npool++] = fd;
    else { int i = pick(16); close(pool[i]); pool[i] = fd; }
}

static int fd(void) { return npool && pick(10) ? pool[pick(npool)] : pick(3) ? 0 : 1000; }

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 3000;
    state = argc > 2 ? strtoull(argv[2], NULL, 0) : 88172645463325252ull;
    signal(SIGPIPE, SIG_IGN);
    int families[] = {AF_INET, AF_INET6};
    int types[] = {SOCK_STREAM, SOCK_DGRAM};
    for (int i = 0; i < 4; i++) add(socket(families[i & 1], types[i >> 1] | SOCK_NONBLOCK, 0));
    /* A loopback listener and a connection to it. */
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    bind(ls, (void *)&a, sizeof a);
    listen(ls, 8);
    socklen_t al = sizeof a;
    getsockname(ls, (void *)&a, &al);
    add(ls);
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(c, (void *)&a, sizeof a);
    add(c);
    usleep(10000);
    add(accept4(ls, NULL, NULL, SOCK_NONBLOCK));
    long answered = 0;
    for (long i = 0; i < iterations; i++) {
        long r = 0;
        int level = (int[]){SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP, 999}[pick(6)];
        int name = pick(4) ? pick(70) : (int)rnd();
        if (level == SOL_SOCKET && name == SO_LINGER) name = SO_KEEPALIVE;   /* a lingering close would block */
        socklen_t optlen = (socklen_t)len();
        switch (pick(16)) {
        case 0: add(socket(families[pick(2)], (pick(8) ? types[pick(2)] : pick(16)) | SOCK_NONBLOCK, pick(4) ? 0 : pick(300) - 10)); break;
        case 1: random_addr(); r = bind(fd(), (void *)mem, len()); break;
        case 2: random_addr(); r = connect(fd(), (void *)mem, len()); break;
        case 3: r = listen(fd(), pick(10) - 2); break;
        case 4: add(r = accept4(fd(), ptr(), pick(2) ? (socklen_t *)(mem + 512) : ptr(), pick(2) ? SOCK_NONBLOCK : (int)rnd() | SOCK_NONBLOCK)); break;
        case 5: random_addr(); r = sendto(fd(), ptr(), len() & 0xffff, (int)(rnd() & ~0x100ull) | MSG_DONTWAIT, pick(2) ? (void *)mem : NULL, len()); break;
        case 6: *(socklen_t *)(mem + 512) = len(); r = recvfrom(fd(), ptr(), len() & 0xffff, (int)(rnd() & ~0x100ull) | MSG_DONTWAIT, ptr(), pick(2) ? (socklen_t *)(mem + 512) : ptr()); break;
        case 7: r = shutdown(fd(), pick(4)); break;
        case 8: *(int *)(mem + 600) = (int)rnd(); r = setsockopt(fd(), level, name, pick(4) ? mem + 600 : ptr(), optlen); break;
        case 9: *(socklen_t *)(mem + 512) = optlen; r = getsockopt(fd(), level, name, ptr(), pick(4) ? (socklen_t *)(mem + 512) : ptr()); break;
        case 10: *(socklen_t *)(mem + 512) = len(); r = getsockname(fd(), ptr(), pick(2) ? (socklen_t *)(mem + 512) : ptr()); break;
        case 11: *(socklen_t *)(mem + 512) = len(); r = getpeername(fd(), ptr(), pick(2) ? (socklen_t *)(mem + 512) : ptr()); break;
        case 12: r = ioctl(fd(), FIONREAD, ptr()); break;
        case 13: {
            struct msghdr m = {0};
            struct iovec iov[3] = {{ptr(), len() & 0xfff}, {ptr(), len() & 0xfff}, {ptr(), 0}};
            random_addr();
            m.msg_name = pick(2) ? (void *)mem : NULL;
            m.msg_namelen = len();
            m.msg_iov = pick(8) ? iov : ptr();
            m.msg_iovlen = pick(4);
            m.msg_control = pick(2) ? NULL : mem + 1024;
            m.msg_controllen = pick(2) ? 0 : len() & 0xff;
            r = pick(2) ? sendmsg(fd(), &m, MSG_DONTWAIT | (int)(rnd() & 0x4000)) : recvmsg(fd(), &m, MSG_DONTWAIT | (int)(rnd() & 0x22));
            break;
        }
        case 14: r = write(fd(), ptr(), len() & 0xfff); break;
        default: if (npool > 2 && pick(4) == 0) { int k = pick(npool); close(pool[k]); pool[k] = pool[--npool]; } break;
        }
        if (r >= 0 || errno != 0) answered++;
    }
    printf("done: %ld calls answered\n", answered);
    return 0;
}

/* What getaddrinfo needs in a container: "localhost" through /etc/hosts, a service
 * name through /etc/services, and /etc/resolv.conf readable. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    struct addrinfo hints = {0}, *res;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    int e = getaddrinfo("localhost", "http", &hints, &res);
    if (e) { printf("getaddrinfo: %s\n", gai_strerror(e)); return 1; }
    struct sockaddr_in *a = (void *)res->ai_addr;
    char ip[INET_ADDRSTRLEN];
    printf("localhost -> %s port %d\n", inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip), ntohs(a->sin_port));
    freeaddrinfo(res);
    struct servent *s = getservbyname("smtp", "tcp");
    printf("smtp/tcp -> %d\n", s ? ntohs(s->s_port) : -1);
    printf("/etc/resolv.conf readable: %d\n", access("/etc/resolv.conf", R_OK) == 0);
    printf("/etc/hosts readable: %d\n", access("/etc/hosts", R_OK) == 0);
    return 0;
}

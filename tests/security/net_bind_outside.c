/* Tries: binding an address or port the bind rules leave out (argv[1] the IPv4
 * address, argv[2] the port).
 * Must: an address outside every rule is EADDRNOTAVAIL (the container's network has
 * no such address); an allowed address on a port outside the rules is EACCES; both
 * audited (deny, network.bind). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
    inet_pton(AF_INET, argv[1], &a.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int rc = bind(s, (struct sockaddr *)&a, sizeof a);
    printf("bind: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

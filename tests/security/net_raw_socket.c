/* Tries: a raw socket (to forge packets or sniff the host's traffic).
 * Must: EPERM: a container has no CAP_NET_RAW; audited (deny, network.raw). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
    int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    printf("socket: %d errno=%d\n", s < 0 ? -1 : 0, s < 0 ? errno : 0);
    return 0;
}

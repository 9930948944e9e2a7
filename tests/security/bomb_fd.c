/* Tries: an fd bomb: open /dev/null until open fails (quota open_files = 64).
 * Must: 61 more fds (64 with stdio), then EMFILE, audited (quota, quotas.open_files);
 * raising RLIMIT_NOFILE past the quota is EPERM. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>

int main(void) {
    long n = 0;
    while (n < 1 << 20 && open("/dev/null", O_RDONLY) >= 0) n++;
    printf("open: %ld errno=%d\n", n, errno);
    struct rlimit rl = {1 << 20, 1 << 20};
    int rc = setrlimit(RLIMIT_NOFILE, &rl);
    printf("setrlimit: %d errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}

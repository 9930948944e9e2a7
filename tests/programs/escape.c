/* Path lookups for tests/test_escape.py's symlink-policy tests, one per argument:
 * each prints "OP: ok" (plus the first line read) or "OP: -1 errno=N".  The escape
 * suite proper, one program per attempt, is tests/security/.
 *
 *   read=P         open(P, O_RDONLY) and read it
 *   create=P       open(P, O_WRONLY|O_CREAT|O_TRUNC) and write "escaped\n"
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *op;

static void fail(void) { printf("%s: -1 errno=%d\n", op, errno); }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        char *eq = strchr(arg, '=');
        char *path = eq ? eq + 1 : "";
        if (eq) *eq = 0;
        op = arg;
        if (!strcmp(op, "read")) {
            char buf[256] = {0};
            int fd = open(path, O_RDONLY);
            ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
            if (n < 0) { fail(); continue; }
            buf[strcspn(buf, "\n")] = 0;
            printf("%s: ok %s\n", op, buf);
        } else if (!strcmp(op, "create")) {
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || write(fd, "escaped\n", 8) < 0) fail(); else printf("%s: ok\n", op);
            if (fd >= 0) close(fd);
        } else {
            printf("%s: unknown\n", op);
            return 2;
        }
    }
    puts("done");
    return 0;
}

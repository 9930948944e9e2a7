/* Extended attributes as Linux gives them: the user.* namespace on files and
 * directories, XATTR_CREATE/XATTR_REPLACE, size queries and ERANGE, the name and value
 * limits, symlinks and pipes, the l- and f- variants.  Usage: fs_xattr DIR [LOWER]:
 * works in DIR (made if missing); LOWER, a file carrying user.origin="lower", is then
 * read, changed and listed (an overlay copies it up). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static void show(const char *what, long ret) {
    if (ret < 0) printf("%s: -1 errno %d\n", what, errno);
    else printf("%s: %ld\n", what, ret);
}

static void value(const char *what, const char *path, const char *name) {
    char buf[256];
    ssize_t n = getxattr(path, name, buf, sizeof buf);
    if (n < 0) printf("%s: -1 errno %d\n", what, errno);
    else printf("%s: %zd '%.*s'\n", what, n, (int)n, buf);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names, sorted: filesystems keep their own order. */
static void names(const char *what, const char *buf, ssize_t n) {
    if (n < 0) { printf("%s: -1 errno %d\n", what, errno); return; }
    const char *list[64];
    int count = 0;
    for (const char *p = buf; p < buf + n && count < 64; p += strlen(p) + 1) list[count++] = p;
    qsort(list, count, sizeof list[0], by_name);
    printf("%s: %zd [", what, n);
    for (int i = 0; i < count; i++) printf("%s%s", i ? " " : "", list[i]);
    printf("]\n");
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    char f[512], d[512], l[512], big[512], buf[4096];
    mkdir(argv[1], 0755);
    snprintf(f, sizeof f, "%s/f", argv[1]);
    snprintf(d, sizeof d, "%s/d", argv[1]);
    snprintf(l, sizeof l, "%s/l", argv[1]);
    snprintf(big, sizeof big, "%s/big", argv[1]);
    close(open(f, O_CREAT | O_WRONLY | O_TRUNC, 0644));
    mkdir(d, 0755);
    unlink(l);
    symlink("f", l);

    show("get missing", getxattr(f, "user.a", buf, sizeof buf));
    show("set", setxattr(f, "user.a", "hello", 5, 0));
    show("size query", getxattr(f, "user.a", NULL, 0));
    show("small buffer", getxattr(f, "user.a", buf, 2));
    value("get", f, "user.a");
    show("create existing", setxattr(f, "user.a", "x", 1, XATTR_CREATE));
    show("replace missing", setxattr(f, "user.b", "x", 1, XATTR_REPLACE));
    show("replace", setxattr(f, "user.a", "bye", 3, XATTR_REPLACE));
    value("get replaced", f, "user.a");
    show("create new", setxattr(f, "user.b", "two", 3, XATTR_CREATE));
    show("bad flags", setxattr(f, "user.c", "x", 1, 4));
    show("empty name", setxattr(f, "", "x", 1, 0));
    show("bare prefix", setxattr(f, "user.", "x", 1, 0));
    show("unknown namespace", setxattr(f, "foo.bar", "x", 1, 0));
    show("get unknown namespace", getxattr(f, "foo.bar", buf, sizeof buf));
    show("system.*", setxattr(f, "system.foo", "x", 1, 0));
    show("trusted get", getxattr(f, "trusted.none", buf, sizeof buf));
    show("security get", getxattr(f, "security.none", buf, sizeof buf));

    char longname[300];
    memset(longname, 'n', sizeof longname);
    memcpy(longname, "user.", 5);
    longname[256] = 0;
    show("name of 256", setxattr(f, longname, "x", 1, 0));
    show("get name of 256", getxattr(f, longname, buf, sizeof buf));
    longname[255] = 0;
    show("name of 255", setxattr(f, longname, "x", 1, 0));
    show("get name of 255", getxattr(f, longname, buf, sizeof buf));
    show("remove name of 255", removexattr(f, longname));

    show("value too big", setxattr(f, "user.c", buf, 65537, 0));
    show("empty value", setxattr(f, "user.empty", "", 0, 0));
    show("get empty", getxattr(f, "user.empty", buf, sizeof buf));

    close(open(big, O_CREAT | O_WRONLY | O_TRUNC, 0644));
    char *large = malloc(3000);
    for (int i = 0; i < 3000; i++) large[i] = (char)(i * 7);
    show("set 3000", setxattr(big, "user.large", large, 3000, 0));
    show("get 3000", getxattr(big, "user.large", buf, sizeof buf));
    printf("same bytes: %d\n", memcmp(buf, large, 3000) == 0);

    show("list size", listxattr(f, NULL, 0));
    show("list small", listxattr(f, buf, 4));
    names("list", buf, listxattr(f, buf, sizeof buf));

    /* Symlinks: user.* belongs to files and directories only. */
    show("lset on symlink", lsetxattr(l, "user.a", "x", 1, 0));
    show("lget on symlink", lgetxattr(l, "user.a", buf, sizeof buf));
    names("llist on symlink", buf, llistxattr(l, buf, sizeof buf));
    show("set through symlink", setxattr(l, "user.via", "link", 4, 0));
    value("get through symlink", l, "user.via");

    show("set on dir", setxattr(d, "user.d", "dir", 3, 0));
    value("get on dir", d, "user.d");
    names("list dir", buf, listxattr(d, buf, sizeof buf));

    int fd = open(f, O_RDONLY);
    show("fset", fsetxattr(fd, "user.f", "fd", 2, 0));
    show("fget", fgetxattr(fd, "user.f", buf, sizeof buf));
    names("flist", buf, flistxattr(fd, buf, sizeof buf));
    show("fremove", fremovexattr(fd, "user.f"));
    show("fremove again", fremovexattr(fd, "user.f"));
    close(fd);
    show("fget bad fd", fgetxattr(999, "user.a", buf, sizeof buf));
    show("fget bad fd, empty name", fgetxattr(999, "", buf, sizeof buf));

    int pipes[2];
    pipe(pipes);
    show("fset on pipe", fsetxattr(pipes[0], "user.a", "x", 1, 0));
    show("fget on pipe", fgetxattr(pipes[0], "user.a", buf, sizeof buf));
    show("flist on pipe", flistxattr(pipes[0], buf, sizeof buf));

    show("remove", removexattr(f, "user.b"));
    show("remove missing", removexattr(f, "user.b"));
    show("lremove on symlink", lremovexattr(l, "user.a"));
    names("list after", buf, listxattr(f, buf, sizeof buf));
    show("get no such file", getxattr("/nonexistent/x", "user.a", buf, sizeof buf));
    show("bad value pointer", setxattr(f, "user.c", (void *)8, 4, 0));
    show("bad name pointer", getxattr(f, (void *)8, buf, sizeof buf));

    /* An open file keeps its attributes through a rename and after an unlink. */
    char moved[512], gone[512];
    snprintf(gone, sizeof gone, "%s/gone", argv[1]);
    snprintf(moved, sizeof moved, "%s/moved", argv[1]);
    fd = open(gone, O_RDWR | O_CREAT | O_TRUNC, 0644);
    show("fset before rename", fsetxattr(fd, "user.k", "kept", 4, 0));
    show("rename", rename(gone, moved));
    show("fset after rename", fsetxattr(fd, "user.r", "renamed", 7, 0));
    value("get by new name", moved, "user.r");
    show("unlink", unlink(moved));
    show("fset after unlink", fsetxattr(fd, "user.u", "unlinked", 8, 0));
    show("fget after unlink", fgetxattr(fd, "user.k", buf, sizeof buf));
    names("flist after unlink", buf, flistxattr(fd, buf, sizeof buf));
    show("fremove after unlink", fremovexattr(fd, "user.u"));
    close(fd);

    if (argc > 2) {
        const char *lower = argv[2];
        value("lower get", lower, "user.origin");
        names("lower list", buf, listxattr(lower, buf, sizeof buf));
        show("lower remove missing", removexattr(lower, "user.none"));
        show("lower set", setxattr(lower, "user.new", "upper", 5, 0));
        value("lower get new", lower, "user.new");
        value("lower get origin", lower, "user.origin");
        show("lower remove origin", removexattr(lower, "user.origin"));
        names("lower list after", buf, listxattr(lower, buf, sizeof buf));
    }
    return 0;
}

/* Ways out of a container, one per argument (tests/test_escape.py runs them under
 * vkemu with a policy and checks each is refused with Linux's errno, with no effect
 * on the host).  An argument is OP or OP=PATH; each prints "OP: ok" or
 * "OP: -1 errno=N" (plus what it read, when a read worked).
 *
 *   read=P         open(P, O_RDONLY) and read it
 *   create=P       open(P, O_WRONLY|O_CREAT|O_TRUNC) and write "escaped\n"
 *   append=P       open(P, O_WRONLY|O_APPEND) and write "escaped\n"
 *   unlink=P       unlink(P)
 *   mkdir=P        mkdir(P)
 *   rename=A:B     rename(A, B)
 *   link=A:B       link(A, B)
 *   symlink=T:L    symlink(T, L)
 *   dirfd=D:P      fd = open(D, O_DIRECTORY); openat(fd, P, O_RDONLY) and read it
 *   dotdot=D       fd = open(D, O_DIRECTORY); is openat(fd, "..") the root "/"?
 *   chdirup=D      chdir(D) then chdir("..") forty times: is the cwd "/"?
 *   longpath       open() of a 5000-byte path of "../" components (ENAMETOOLONG)
 *   manydots=P     open("/" + "../" * 500 + P): '..' stops at the root
 *   mmapx=P        write a copy of /bin/true to P, mmap it PROT_READ|PROT_EXEC
 *   execw=P        write a copy of /bin/true to P, chmod 755, execve it
 *   anonx          mmap(PROT_READ|PROT_EXEC, MAP_ANONYMOUS)
 *   wx             mmap(PROT_READ|PROT_WRITE|PROT_EXEC)
 *   mprotx         mmap RW, write a ret, mprotect(PROT_READ|PROT_EXEC)
 *   memfd          memfd_create, write /bin/true into it, execveat(fd, "", AT_EMPTY_PATH)
 *   ptrace         ptrace(PTRACE_TRACEME)
 *   vmwrite        process_vm_writev into our own memory
 *   personality    personality(READ_IMPLIES_EXEC), then mmap PROT_READ: is it executable?
 *   int80          the 32-bit syscall gate from 64-bit code: int $0x80 with eax=20 (getpid)
 *   iouring        io_uring_setup(4, params)
 *   shmexec        shmget, then shmat(SHM_EXEC)
 *   procmem        open /proc/self/mem read-write and write over main's code
 *   scmdir=D:P     a child opens directory D and passes the fd over a socketpair
 *                  (SCM_RIGHTS); openat(received fd, P) and read it
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *op;

static void fail(void) { printf("%s: -1 errno=%d\n", op, errno); }
static void ok(const char *extra) { printf("%s: ok%s%s\n", op, extra[0] ? " " : "", extra); }
static void report(long rc) { if (rc < 0) fail(); else ok(""); }

static void read_fd(int fd) {
    char buf[256] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n < 0) { fail(); return; }
    buf[strcspn(buf, "\n")] = 0;
    ok(buf);
}

static int write_true(const char *path) {
    int src = open("/bin/true", O_RDONLY);
    int dst = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (src < 0 || dst < 0) return -1;
    char buf[65536];
    ssize_t n;
    while ((n = read(src, buf, sizeof buf)) > 0)
        if (write(dst, buf, n) != n) return -1;
    close(src);
    return dst;
}

static void split(char *arg, char **a, char **b) {
    *a = arg;
    *b = strchr(arg, ':');
    if (*b) *(*b)++ = 0;
}

int main(int argc, char **argv, char **envp) {
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i], *a, *b;
        char *eq = strchr(arg, '=');
        char *path = eq ? eq + 1 : "";
        if (eq) *eq = 0;
        op = arg;
        if (!strcmp(op, "read")) {
            int fd = open(path, O_RDONLY);
            if (fd < 0) fail(); else read_fd(fd);
        } else if (!strcmp(op, "create") || !strcmp(op, "append")) {
            int fd = !strcmp(op, "create") ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)
                                           : open(path, O_WRONLY | O_APPEND);
            if (fd < 0) { fail(); continue; }
            report(write(fd, "escaped\n", 8));
            close(fd);
        } else if (!strcmp(op, "unlink")) {
            report(unlink(path));
        } else if (!strcmp(op, "mkdir")) {
            report(mkdir(path, 0755));
        } else if (!strcmp(op, "rename")) {
            split(path, &a, &b);
            report(rename(a, b));
        } else if (!strcmp(op, "link")) {
            split(path, &a, &b);
            report(link(a, b));
        } else if (!strcmp(op, "symlink")) {
            split(path, &a, &b);
            report(symlink(a, b));
        } else if (!strcmp(op, "dirfd")) {
            split(path, &a, &b);
            int dfd = open(a, O_RDONLY | O_DIRECTORY);
            int fd = dfd < 0 ? -1 : openat(dfd, b, O_RDONLY);
            if (fd < 0) fail(); else read_fd(fd);
        } else if (!strcmp(op, "dotdot")) {
            struct stat up, root;
            int dfd = open(path, O_RDONLY | O_DIRECTORY);
            int fd = dfd < 0 ? -1 : openat(dfd, "..", O_RDONLY | O_DIRECTORY);
            if (fd < 0 || fstat(fd, &up) < 0 || stat("/", &root) < 0) { fail(); continue; }
            /* ".." of a mount's root is its mount point's parent; of "/" it is "/". */
            ok(up.st_ino == root.st_ino && up.st_dev == root.st_dev ? "root" : "not-root");
        } else if (!strcmp(op, "chdirup")) {
            if (chdir(path) < 0) { fail(); continue; }
            for (int k = 0; k < 40; k++) chdir("..");
            char cwd[4096];
            if (!getcwd(cwd, sizeof cwd)) { fail(); continue; }
            ok(cwd);
        } else if (!strcmp(op, "longpath")) {
            static char p[5002];
            for (int k = 0; k < 5000; k += 3) memcpy(p + k, "../", 3);
            p[5001] = 0;
            report(open(p, O_RDONLY));
        } else if (!strcmp(op, "manydots")) {
            static char p[4000];
            strcpy(p, "/");
            for (int k = 0; k < 500; k++) strcat(p, "../");
            strcat(p, path[0] == '/' ? path + 1 : path);
            int fd = open(p, O_RDONLY);
            if (fd < 0) fail(); else read_fd(fd);
        } else if (!strcmp(op, "mmapx")) {
            int fd = write_true(path);
            if (fd < 0) { fail(); continue; }
            close(fd);
            fd = open(path, O_RDONLY);
            void *m = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
            report(m == MAP_FAILED ? -1 : 0);
        } else if (!strcmp(op, "execw")) {
            int fd = write_true(path);
            if (fd < 0) { fail(); continue; }
            close(fd);
            chmod(path, 0755);
            char *args[] = {path, NULL};
            execve(path, args, envp);
            fail();
        } else if (!strcmp(op, "anonx")) {
            void *m = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            report(m == MAP_FAILED ? -1 : 0);
        } else if (!strcmp(op, "wx")) {
            void *m = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            report(m == MAP_FAILED ? -1 : 0);
        } else if (!strcmp(op, "mprotx")) {
            char *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            m[0] = (char)0xc3;
            report(mprotect(m, 4096, PROT_READ | PROT_EXEC));
        } else if (!strcmp(op, "memfd")) {
            int fd = (int)syscall(SYS_memfd_create, "code", 0);
            if (fd < 0) { printf("%s: create -1 errno=%d\n", op, errno); continue; }
            int src = open("/bin/true", O_RDONLY);
            char buf[65536];
            ssize_t n;
            while ((n = read(src, buf, sizeof buf)) > 0) write(fd, buf, n);
            char *args[] = {"true", NULL};
            syscall(SYS_execveat, fd, "", args, envp, AT_EMPTY_PATH);
            printf("%s: exec -1 errno=%d\n", op, errno);
        } else if (!strcmp(op, "ptrace")) {
            report(ptrace(PTRACE_TRACEME, 0, 0, 0));
        } else if (!strcmp(op, "vmwrite")) {
            static char target[8], source[8] = "payload";
            struct iovec local = {source, 8}, remote = {target, 8};
            report(syscall(SYS_process_vm_writev, getpid(), &local, 1, &remote, 1, 0));
        } else if (!strcmp(op, "personality")) {
            if (personality(READ_IMPLIES_EXEC) < 0) { fail(); continue; }
            void *m = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m == MAP_FAILED) { fail(); continue; }
            /* /proc/self/maps says whether the page is executable. */
            FILE *f = fopen("/proc/self/maps", "r");
            char line[512], want[32];
            snprintf(want, sizeof want, "%lx-", (unsigned long)m);
            const char *perms = "?";
            while (f && fgets(line, sizeof line, f))
                if (!strncmp(line, want, strlen(want))) { perms = strchr(line, ' ') + 1; break; }
            char p4[5] = {0};
            memcpy(p4, perms, 4);
            ok(p4);
        } else if (!strcmp(op, "iouring")) {
            static char params[120];
            report(syscall(SYS_io_uring_setup, 4, params));
        } else if (!strcmp(op, "shmexec")) {
            int id = shmget(IPC_PRIVATE, 4096, 0600);
            if (id < 0) { printf("%s: create -1 errno=%d\n", op, errno); continue; }
            void *m = shmat(id, 0, SHM_EXEC);
            printf("%s: attach %s errno=%d\n", op, m == (void *)-1 ? "-1" : "ok", m == (void *)-1 ? errno : 0);
        } else if (!strcmp(op, "procmem")) {
            int fd = open("/proc/self/mem", O_RDWR);
            if (fd < 0) { printf("%s: open -1 errno=%d\n", op, errno); continue; }
            unsigned char ret = 0xc3;
            ssize_t w = pwrite(fd, &ret, 1, (off_t)(unsigned long)&main);
            printf("%s: write %zd errno=%d\n", op, w, w < 0 ? errno : 0);
        } else if (!strcmp(op, "scmdir")) {
            split(path, &a, &b);
            int sv[2];
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { fail(); continue; }
            pid_t pid = fork();
            if (pid == 0) {
                int dfd = open(a, O_RDONLY | O_DIRECTORY);
                char cbuf[CMSG_SPACE(sizeof(int))] = {0}, byte = 'x';
                struct iovec iov = {&byte, 1};
                struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                                     .msg_controllen = sizeof cbuf};
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &dfd, sizeof(int));
                _exit(sendmsg(sv[0], &msg, 0) == 1 ? 0 : 1);
            }
            char cbuf[CMSG_SPACE(sizeof(int))] = {0}, byte;
            struct iovec iov = {&byte, 1};
            struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                                 .msg_controllen = sizeof cbuf};
            int status;
            if (recvmsg(sv[1], &msg, 0) != 1 || !CMSG_FIRSTHDR(&msg)) { fail(); continue; }
            waitpid(pid, &status, 0);
            int dfd;
            memcpy(&dfd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
            int fd = openat(dfd, b, O_RDONLY);
            if (fd < 0) fail(); else read_fd(fd);
        } else if (!strcmp(op, "int80")) {
            long r = 20;
            __asm__ volatile("int $0x80" : "+a"(r) : : "rcx", "r11", "memory");
            printf("%s: returned %ld\n", op, r);
        } else {
            printf("%s: unknown\n", op);
            return 2;
        }
    }
    puts("done");
    return 0;
}

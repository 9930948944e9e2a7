"""Linux x86-64 guest ABI constants.

These are the guest's values, kept apart from the host's: never use Python's ``errno``,
``os`` or ``stat`` constants for something the guest sees (Blink's rule).
"""
from __future__ import annotations

# -- errno: (number, name, message as glibc's strerror prints it) ----------------------
_ERRNOS = [
    (1, "EPERM", "Operation not permitted"), (2, "ENOENT", "No such file or directory"),
    (3, "ESRCH", "No such process"), (4, "EINTR", "Interrupted system call"),
    (5, "EIO", "Input/output error"), (6, "ENXIO", "No such device or address"),
    (7, "E2BIG", "Argument list too long"), (8, "ENOEXEC", "Exec format error"),
    (9, "EBADF", "Bad file descriptor"), (10, "ECHILD", "No child processes"),
    (11, "EAGAIN", "Resource temporarily unavailable"), (12, "ENOMEM", "Cannot allocate memory"),
    (13, "EACCES", "Permission denied"), (14, "EFAULT", "Bad address"),
    (15, "ENOTBLK", "Block device required"), (16, "EBUSY", "Device or resource busy"),
    (17, "EEXIST", "File exists"), (18, "EXDEV", "Invalid cross-device link"),
    (19, "ENODEV", "No such device"), (20, "ENOTDIR", "Not a directory"),
    (21, "EISDIR", "Is a directory"), (22, "EINVAL", "Invalid argument"),
    (23, "ENFILE", "Too many open files in system"), (24, "EMFILE", "Too many open files"),
    (25, "ENOTTY", "Inappropriate ioctl for device"), (26, "ETXTBSY", "Text file busy"),
    (27, "EFBIG", "File too large"), (28, "ENOSPC", "No space left on device"),
    (29, "ESPIPE", "Illegal seek"), (30, "EROFS", "Read-only file system"),
    (31, "EMLINK", "Too many links"), (32, "EPIPE", "Broken pipe"),
    (33, "EDOM", "Numerical argument out of domain"), (34, "ERANGE", "Numerical result out of range"),
    (35, "EDEADLK", "Resource deadlock avoided"), (36, "ENAMETOOLONG", "File name too long"),
    (37, "ENOLCK", "No locks available"), (38, "ENOSYS", "Function not implemented"),
    (39, "ENOTEMPTY", "Directory not empty"), (40, "ELOOP", "Too many levels of symbolic links"),
    (42, "ENOMSG", "No message of desired type"), (43, "EIDRM", "Identifier removed"),
    (61, "ENODATA", "No data available"), (62, "ETIME", "Timer expired"),
    (65, "ENOPKG", "Package not installed"),
    (75, "EOVERFLOW", "Value too large for defined data type"),
    (80, "ELIBBAD", "Accessing a corrupted shared library"),
    (84, "EILSEQ", "Invalid or incomplete multibyte or wide character"),
    (88, "ENOTSOCK", "Socket operation on non-socket"), (89, "EDESTADDRREQ", "Destination address required"),
    (90, "EMSGSIZE", "Message too long"), (91, "EPROTOTYPE", "Protocol wrong type for socket"),
    (92, "ENOPROTOOPT", "Protocol not available"), (93, "EPROTONOSUPPORT", "Protocol not supported"),
    (94, "ESOCKTNOSUPPORT", "Socket type not supported"),
    (95, "EOPNOTSUPP", "Operation not supported"), (97, "EAFNOSUPPORT", "Address family not supported by protocol"),
    (98, "EADDRINUSE", "Address already in use"), (99, "EADDRNOTAVAIL", "Cannot assign requested address"),
    (101, "ENETUNREACH", "Network is unreachable"), (103, "ECONNABORTED", "Software caused connection abort"),
    (104, "ECONNRESET", "Connection reset by peer"), (105, "ENOBUFS", "No buffer space available"),
    (106, "EISCONN", "Transport endpoint is already connected"),
    (107, "ENOTCONN", "Transport endpoint is not connected"),
    (110, "ETIMEDOUT", "Connection timed out"), (111, "ECONNREFUSED", "Connection refused"),
    (113, "EHOSTUNREACH", "No route to host"), (114, "EALREADY", "Operation already in progress"),
    (115, "EINPROGRESS", "Operation now in progress"), (122, "EDQUOT", "Disk quota exceeded"),
    (125, "ECANCELED", "Operation canceled"), (130, "EOWNERDEAD", "Owner died"),
    (512, "ERESTARTSYS", "Unknown error 512"),
]
ERRNO_NAME: dict[int, str] = {num: name for num, name, _ in _ERRNOS}
ERRNO_MESSAGE: dict[int, str] = {num: msg for num, _, msg in _ERRNOS}
EPERM = 1
ENOENT = 2
ESRCH = 3
EINTR = 4
EIO = 5
ENXIO = 6
E2BIG = 7
ENOEXEC = 8
EBADF = 9
ECHILD = 10
EAGAIN = 11
ENOMEM = 12
EACCES = 13
EFAULT = 14
ENOTBLK = 15
EBUSY = 16
EEXIST = 17
EXDEV = 18
ENODEV = 19
ENOTDIR = 20
EISDIR = 21
EINVAL = 22
ENFILE = 23
EMFILE = 24
ENOTTY = 25
ETXTBSY = 26
EFBIG = 27
ENOSPC = 28
ESPIPE = 29
EROFS = 30
EMLINK = 31
EPIPE = 32
EDOM = 33
ERANGE = 34
EDEADLK = 35
ENAMETOOLONG = 36
ENOLCK = 37
ENOSYS = 38
ENOTEMPTY = 39
ELOOP = 40
ENOMSG = 42
EIDRM = 43
ENODATA = 61
ETIME = 62
ENOPKG = 65
EOVERFLOW = 75
ELIBBAD = 80
EILSEQ = 84
ENOTSOCK = 88
EMSGSIZE = 90
EDESTADDRREQ = 89
EPROTOTYPE = 91
ENOPROTOOPT = 92
EPROTONOSUPPORT = 93
ESOCKTNOSUPPORT = 94
EOPNOTSUPP = 95
EAFNOSUPPORT = 97
EADDRINUSE = 98
EADDRNOTAVAIL = 99
ENETUNREACH = 101
ECONNABORTED = 103
ECONNRESET = 104
ENOBUFS = 105
EISCONN = 106
ENOTCONN = 107
ETIMEDOUT = 110
ECONNREFUSED = 111
EHOSTUNREACH = 113
EALREADY = 114
EINPROGRESS = 115
EDQUOT = 122
ECANCELED = 125
EOWNERDEAD = 130
ERESTARTSYS = 512
EWOULDBLOCK = 11
ENOTSUP = 95

# -- open(2) -------------------------------------------------------------------------
O_ACCMODE = 0o3
O_RDONLY = 0o0
O_WRONLY = 0o1
O_RDWR = 0o2
O_CREAT = 0o100
O_EXCL = 0o200
O_NOCTTY = 0o400
O_TRUNC = 0o1000
O_APPEND = 0o2000
O_NONBLOCK = 0o4000
O_DSYNC = 0o10000
O_ASYNC = 0o20000
O_DIRECT = 0o40000
O_LARGEFILE = 0o100000
O_DIRECTORY = 0o200000
O_NOFOLLOW = 0o400000
O_NOATIME = 0o1000000
O_CLOEXEC = 0o2000000
O_SYNC = 0o4010000
O_PATH = 0o10000000
O_TMPFILE = 0o20200000
OPEN_FLAG_NAMES = [
    (O_CREAT, "O_CREAT"), (O_EXCL, "O_EXCL"), (O_NOCTTY, "O_NOCTTY"), (O_TRUNC, "O_TRUNC"),
    (O_APPEND, "O_APPEND"), (O_NONBLOCK, "O_NONBLOCK"), (O_SYNC, "O_SYNC"), (O_DSYNC, "O_DSYNC"),
    (O_ASYNC, "O_ASYNC"), (O_DIRECT, "O_DIRECT"), (O_LARGEFILE, "O_LARGEFILE"),
    (O_DIRECTORY, "O_DIRECTORY"), (O_NOFOLLOW, "O_NOFOLLOW"), (O_NOATIME, "O_NOATIME"),
    (O_CLOEXEC, "O_CLOEXEC"), (O_PATH, "O_PATH"),
]
# Status flags that F_SETFL may change.
O_SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME

# -- pipes -------------------------------------------------------------------------------
O_NOTIFICATION_PIPE = O_EXCL            # pipe2: a watch-queue pipe
PIPE_BUF = 4096                         # writes up to this size are atomic

AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW = 0x100
AT_REMOVEDIR = 0x200
AT_EACCESS = 0x200
AT_SYMLINK_FOLLOW = 0x400
AT_NO_AUTOMOUNT = 0x800
AT_EMPTY_PATH = 0x1000
AT_STATX_SYNC_TYPE = 0x6000
AT_FLAG_NAMES = [(AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"), (AT_REMOVEDIR, "AT_REMOVEDIR"),
                 (AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"), (AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"),
                 (AT_EMPTY_PATH, "AT_EMPTY_PATH")]

RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2
RENAME_WHITEOUT = 4

# -- extended attributes (<linux/xattr.h>, <linux/limits.h>) --------------------------------
XATTR_CREATE = 1
XATTR_REPLACE = 2
XATTR_NAME_MAX = 255                    # bytes in a name, its namespace prefix included
XATTR_SIZE_MAX = 65536                  # bytes in one value
XATTR_LIST_MAX = 65536                  # bytes in a listxattr answer

F_OK, X_OK, W_OK, R_OK = 0, 1, 2, 4

SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE = 0, 1, 2, 3, 4

# -- file types and modes ----------------------------------------------------------------
S_IFMT = 0o170000
S_IFSOCK = 0o140000
S_IFLNK = 0o120000
S_IFREG = 0o100000
S_IFBLK = 0o060000
S_IFDIR = 0o040000
S_IFCHR = 0o020000
S_IFIFO = 0o010000
S_ISUID = 0o4000
S_ISGID = 0o2000
S_ISVTX = 0o1000

DT_UNKNOWN, DT_FIFO, DT_CHR, DT_DIR, DT_BLK, DT_REG, DT_LNK, DT_SOCK = 0, 1, 2, 4, 6, 8, 10, 12
DT_FROM_MODE = {S_IFIFO: DT_FIFO, S_IFCHR: DT_CHR, S_IFDIR: DT_DIR, S_IFBLK: DT_BLK,
                S_IFREG: DT_REG, S_IFLNK: DT_LNK, S_IFSOCK: DT_SOCK}

UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2

# -- fcntl -------------------------------------------------------------------------------
F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL = 0, 1, 2, 3, 4
F_GETLK, F_SETLK, F_SETLKW = 5, 6, 7
F_SETOWN, F_GETOWN = 8, 9
F_SETPIPE_SZ, F_GETPIPE_SZ = 1031, 1032
F_DUPFD_CLOEXEC = 1030
F_ADD_SEALS, F_GET_SEALS = 1033, 1034
FD_CLOEXEC = 1
F_RDLCK, F_WRLCK, F_UNLCK = 0, 1, 2
FCNTL_NAMES = {0: "F_DUPFD", 1: "F_GETFD", 2: "F_SETFD", 3: "F_GETFL", 4: "F_SETFL", 5: "F_GETLK",
               6: "F_SETLK", 7: "F_SETLKW", 8: "F_SETOWN", 9: "F_GETOWN", 1030: "F_DUPFD_CLOEXEC",
               1031: "F_SETPIPE_SZ", 1032: "F_GETPIPE_SZ", 1033: "F_ADD_SEALS", 1034: "F_GET_SEALS"}

# -- ioctl -------------------------------------------------------------------------------
TCGETS = 0x5401
TCSETS = 0x5402
TCSETSW = 0x5403
TCSETSF = 0x5404
TIOCGPGRP = 0x540F
TIOCSPGRP = 0x5410
TIOCGWINSZ = 0x5413
TIOCSWINSZ = 0x5414
FIONREAD = 0x541B
FIONBIO = 0x5421
FIOCLEX = 0x5451
FIONCLEX = 0x5450
TCSBRK, TCXONC, TCFLSH, TIOCEXCL, TIOCNXCL, TIOCSCTTY = 0x5409, 0x540A, 0x540B, 0x540C, 0x540D, 0x540E
TIOCOUTQ, TIOCSTI, TIOCPKT, TIOCNOTTY, TCSBRKP, TIOCGSID = 0x5411, 0x5412, 0x5420, 0x5422, 0x5425, 0x5429
TIOCGPTN, TIOCSPTLCK, TIOCSIG, TIOCGPKT, TIOCGPTLCK, TIOCGPTPEER = (0x80045430, 0x40045431, 0x40045436,
                                                                    0x80045438, 0x80045439, 0x5441)
TCGETS2, TCSETS2, TCSETSW2, TCSETSF2 = 0x802C542A, 0x402C542B, 0x402C542C, 0x402C542D
IOCTL_NAMES = {TCGETS: "TCGETS", TCSETS: "TCSETS", TCSETSW: "TCSETSW", TCSETSF: "TCSETSF",
               TIOCGPGRP: "TIOCGPGRP", TIOCSPGRP: "TIOCSPGRP", TIOCGWINSZ: "TIOCGWINSZ",
               TIOCSWINSZ: "TIOCSWINSZ", FIONREAD: "FIONREAD", FIONBIO: "FIONBIO",
               FIOCLEX: "FIOCLEX", FIONCLEX: "FIONCLEX", TCSBRK: "TCSBRK", TCXONC: "TCXONC",
               TCFLSH: "TCFLSH", TIOCEXCL: "TIOCEXCL", TIOCNXCL: "TIOCNXCL", TIOCSCTTY: "TIOCSCTTY",
               TIOCOUTQ: "TIOCOUTQ", TIOCSTI: "TIOCSTI", TIOCPKT: "TIOCPKT", TIOCNOTTY: "TIOCNOTTY", TCSBRKP: "TCSBRKP",
               TIOCGSID: "TIOCGSID", TIOCGPTN: "TIOCGPTN", TIOCSPTLCK: "TIOCSPTLCK", TIOCSIG: "TIOCSIG",
               TIOCGPKT: "TIOCGPKT", TIOCGPTLCK: "TIOCGPTLCK", TIOCGPTPEER: "TIOCGPTPEER",
               TCGETS2: "TCGETS2", TCSETS2: "TCSETS2", TCSETSW2: "TCSETSW2", TCSETSF2: "TCSETSF2"}

# -- termios (struct termios as the kernel's ioctls pass it: 4 flag words, c_line, 19 c_cc) --
IGNBRK, BRKINT, IGNPAR, PARMRK, INPCK, ISTRIP, INLCR, IGNCR = 0o1, 0o2, 0o4, 0o10, 0o20, 0o40, 0o100, 0o200
ICRNL, IUCLC, IXON, IXANY, IXOFF, IMAXBEL, IUTF8 = 0o400, 0o1000, 0o2000, 0o4000, 0o10000, 0o20000, 0o40000
OPOST, OLCUC, ONLCR, OCRNL, ONOCR, ONLRET, TABDLY, XTABS = 0o1, 0o2, 0o4, 0o10, 0o20, 0o40, 0o14000, 0o14000
B38400, CS8, CREAD = 0o17, 0o60, 0o200
CBAUD, BOTHER, IBSHIFT = 0o10017, 0o10000, 16
# The speeds the CBAUD codes stand for: B0..B38400, then CBAUDEX's B57600..B4000000.
BAUD_RATES = {**dict(enumerate((0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200,
                                38400))),
              **{0o10001 + i: rate for i, rate in enumerate((57600, 115200, 230400, 460800, 500000, 576000,
                                                             921600, 1000000, 1152000, 1500000, 2000000,
                                                             2500000, 3000000, 3500000, 4000000))}}
ISIG, ICANON, ECHO, ECHOE, ECHOK, ECHONL, NOFLSH, TOSTOP = 0o1, 0o2, 0o10, 0o20, 0o40, 0o100, 0o200, 0o400
ECHOCTL, ECHOPRT, ECHOKE, IEXTEN = 0o1000, 0o2000, 0o4000, 0o100000
VINTR, VQUIT, VERASE, VKILL, VEOF, VTIME, VMIN, VSWTC, VSTART, VSTOP, VSUSP = range(11)
VEOL, VREPRINT, VDISCARD, VWERASE, VLNEXT, VEOL2 = range(11, 17)
NCCS = 19
TCIFLUSH, TCOFLUSH, TCIOFLUSH = 0, 1, 2

# -- poll --------------------------------------------------------------------------------
POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20
POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLWRBAND, POLLRDHUP = 0x40, 0x80, 0x100, 0x200, 0x2000
# What a file with no poll method of its own reports: always ready (DEFAULT_POLLMASK).
DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM

# -- epoll, eventfd, timerfd, signalfd --------------------------------------------------
EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR, EPOLLHUP = POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP
EPOLLRDNORM, EPOLLRDBAND, EPOLLWRNORM, EPOLLWRBAND, EPOLLMSG = 0x40, 0x80, 0x100, 0x200, 0x400
EPOLLRDHUP = 0x2000
EPOLLEXCLUSIVE, EPOLLWAKEUP, EPOLLONESHOT, EPOLLET = 1 << 28, 1 << 29, 1 << 30, 1 << 31
EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD = 1, 2, 3
EPOLL_CLOEXEC = O_CLOEXEC
EFD_SEMAPHORE, EFD_CLOEXEC, EFD_NONBLOCK = 1, O_CLOEXEC, O_NONBLOCK
TFD_CLOEXEC, TFD_NONBLOCK = O_CLOEXEC, O_NONBLOCK
TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET = 1, 2
SFD_CLOEXEC, SFD_NONBLOCK = O_CLOEXEC, O_NONBLOCK

# -- memory ------------------------------------------------------------------------------
PAGE_SIZE = 4096
PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC = 0, 1, 2, 4
PROT_GROWSDOWN, PROT_GROWSUP = 0x01000000, 0x02000000
PROT_NAMES = [(PROT_READ, "PROT_READ"), (PROT_WRITE, "PROT_WRITE"), (PROT_EXEC, "PROT_EXEC")]
MAP_SHARED = 0x01
MAP_PRIVATE = 0x02
MAP_SHARED_VALIDATE = 0x03
MAP_TYPE = 0x0F
MAP_FIXED = 0x10
MAP_ANONYMOUS = 0x20
MAP_32BIT = 0x40
MAP_GROWSDOWN = 0x0100
MAP_DENYWRITE = 0x0800
MAP_EXECUTABLE = 0x1000
MAP_LOCKED = 0x2000
MAP_NORESERVE = 0x4000
MAP_POPULATE = 0x8000
MAP_NONBLOCK = 0x10000
MAP_STACK = 0x20000
MAP_HUGETLB = 0x40000
MAP_SYNC = 0x80000
MAP_FIXED_NOREPLACE = 0x100000
MAP_FLAG_NAMES = [
    (MAP_FIXED, "MAP_FIXED"), (MAP_ANONYMOUS, "MAP_ANONYMOUS"), (MAP_32BIT, "MAP_32BIT"),
    (MAP_GROWSDOWN, "MAP_GROWSDOWN"), (MAP_DENYWRITE, "MAP_DENYWRITE"),
    (MAP_EXECUTABLE, "MAP_EXECUTABLE"), (MAP_LOCKED, "MAP_LOCKED"), (MAP_NORESERVE, "MAP_NORESERVE"),
    (MAP_POPULATE, "MAP_POPULATE"), (MAP_NONBLOCK, "MAP_NONBLOCK"), (MAP_STACK, "MAP_STACK"),
    (MAP_HUGETLB, "MAP_HUGETLB"), (MAP_SYNC, "MAP_SYNC"), (MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"),
]
# Flags mmap accepts (Linux ignores unknown bits for MAP_PRIVATE/MAP_SHARED).
MREMAP_MAYMOVE = 1
MREMAP_FIXED = 2
MREMAP_DONTUNMAP = 4
MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED = 0, 1, 2, 3, 4
MADV_FREE = 8
MS_ASYNC, MS_INVALIDATE, MS_SYNC = 1, 2, 4

# -- arch_prctl -------------------------------------------------------------------------
ARCH_SET_GS = 0x1001
ARCH_SET_FS = 0x1002
ARCH_GET_FS = 0x1003
ARCH_GET_GS = 0x1004
ARCH_GET_CPUID = 0x1011
ARCH_SET_CPUID = 0x1012
ARCH_NAMES = {ARCH_SET_GS: "ARCH_SET_GS", ARCH_SET_FS: "ARCH_SET_FS", ARCH_GET_FS: "ARCH_GET_FS",
              ARCH_GET_GS: "ARCH_GET_GS", ARCH_GET_CPUID: "ARCH_GET_CPUID", ARCH_SET_CPUID: "ARCH_SET_CPUID"}

# -- clocks -------------------------------------------------------------------------------
CLOCK_REALTIME = 0
CLOCK_MONOTONIC = 1
CLOCK_PROCESS_CPUTIME_ID = 2
CLOCK_THREAD_CPUTIME_ID = 3
CLOCK_MONOTONIC_RAW = 4
CLOCK_REALTIME_COARSE = 5
CLOCK_MONOTONIC_COARSE = 6
CLOCK_BOOTTIME = 7
CLOCK_REALTIME_ALARM = 8
CLOCK_BOOTTIME_ALARM = 9
CLOCK_TAI = 11
CLOCK_NAMES = {0: "CLOCK_REALTIME", 1: "CLOCK_MONOTONIC", 2: "CLOCK_PROCESS_CPUTIME_ID",
               3: "CLOCK_THREAD_CPUTIME_ID", 4: "CLOCK_MONOTONIC_RAW", 5: "CLOCK_REALTIME_COARSE",
               6: "CLOCK_MONOTONIC_COARSE", 7: "CLOCK_BOOTTIME", 8: "CLOCK_REALTIME_ALARM",
               9: "CLOCK_BOOTTIME_ALARM", 11: "CLOCK_TAI"}
TIMER_ABSTIME = 1

# -- resources -----------------------------------------------------------------------------
RLIMIT_NAMES = ["RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
                "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
                "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
                "RLIMIT_RTPRIO", "RLIMIT_RTTIME"]
RLIMIT_STACK = 3
RLIMIT_CORE = 4
RLIMIT_NOFILE = 7
RLIM_INFINITY = 0xFFFFFFFFFFFFFFFF

GRND_NONBLOCK = 1
GRND_RANDOM = 2
GRND_INSECURE = 4

# -- signals (numbers only; delivery comes with the signals family) ---------------------
SIGNAL_NAMES = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
                7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2",
                13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD",
                18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU",
                23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF",
                28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS"}
SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL = 1, 2, 3, 4, 5, 6, 7, 8, 9
SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGCONT = 10, 11, 12, 13, 14, 15, 17, 18
SIGSTOP, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGSYS = 19, 24, 25, 26, 27, 28, 31
SIGTSTP, SIGTTIN, SIGTTOU = 20, 21, 22
# x86 exception vectors (sigcontext trapno) and the page-fault error code bits (err).
TRAP_DE, TRAP_BP, TRAP_UD, TRAP_GP, TRAP_PF = 0, 3, 6, 13, 14
PF_PROT, PF_WRITE, PF_USER, PF_INSTR = 0x1, 0x2, 0x4, 0x10
# si_code values of the fault signals.
SEGV_MAPERR, SEGV_ACCERR = 1, 2
FPE_INTDIV, ILL_ILLOPN = 1, 2
BUS_ADRERR = 2
# Signals whose default action dumps core (WCOREDUMP in the wait status).
CORE_SIGNALS = frozenset({SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS})
# Signals whose default action is to be ignored.
IGNORED_BY_DEFAULT = frozenset({SIGCHLD, 23, 28})

# -- sockets ----------------------------------------------------------------------------
AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET = 0, 1, 2, 10, 16, 17
AF_NAMES = {AF_UNSPEC: "AF_UNSPEC", AF_UNIX: "AF_UNIX", AF_INET: "AF_INET", AF_INET6: "AF_INET6",
            AF_NETLINK: "AF_NETLINK", AF_PACKET: "AF_PACKET"}
SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET = 1, 2, 3, 4, 5
SOCK_TYPE_MASK = 0xF
SOCK_NONBLOCK, SOCK_CLOEXEC = O_NONBLOCK, O_CLOEXEC
SOCK_TYPE_NAMES = [(SOCK_NONBLOCK, "SOCK_NONBLOCK"), (SOCK_CLOEXEC, "SOCK_CLOEXEC")]
SOCK_NAMES = {SOCK_STREAM: "SOCK_STREAM", SOCK_DGRAM: "SOCK_DGRAM", SOCK_RAW: "SOCK_RAW",
              SOCK_RDM: "SOCK_RDM", SOCK_SEQPACKET: "SOCK_SEQPACKET"}
SHUT_RD, SHUT_WR, SHUT_RDWR = 0, 1, 2
IPPROTO_IP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_IPV6 = 0, 1, 6, 17, 41
SOL_SOCKET = 1
SOL_TCP, SOL_UDP, SOL_IP, SOL_IPV6 = IPPROTO_TCP, IPPROTO_UDP, IPPROTO_IP, IPPROTO_IPV6
SO_DEBUG, SO_REUSEADDR, SO_TYPE, SO_ERROR, SO_DONTROUTE, SO_BROADCAST = 1, 2, 3, 4, 5, 6
SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE, SO_OOBINLINE, SO_NO_CHECK, SO_PRIORITY = 7, 8, 9, 10, 11, 12
SO_LINGER, SO_BSDCOMPAT, SO_REUSEPORT, SO_PASSCRED, SO_PEERCRED = 13, 14, 15, 16, 17
SO_RCVLOWAT, SO_SNDLOWAT, SO_RCVTIMEO, SO_SNDTIMEO = 18, 19, 20, 21
SO_ACCEPTCONN, SO_PEERSEC, SO_SNDBUFFORCE, SO_RCVBUFFORCE = 30, 31, 32, 33
SO_PROTOCOL, SO_DOMAIN = 38, 39
SCM_RIGHTS, SCM_CREDENTIALS = 1, 2
SCM_MAX_FD = 253                    # fds one SCM_RIGHTS message may carry
TCP_NODELAY, TCP_MAXSEG, TCP_CORK, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT = 1, 2, 3, 4, 5, 6
TCP_SYNCNT, TCP_LINGER2, TCP_DEFER_ACCEPT, TCP_WINDOW_CLAMP, TCP_INFO, TCP_QUICKACK = 7, 8, 9, 10, 11, 12
TCP_CONGESTION, TCP_USER_TIMEOUT, TCP_FASTOPEN, TCP_NOTSENT_LOWAT = 13, 18, 23, 25
IP_TOS, IP_TTL, IP_MTU_DISCOVER, IP_MTU, IP_FREEBIND, IP_BIND_ADDRESS_NO_PORT = 1, 2, 10, 14, 15, 24
IP_MULTICAST_TTL, IP_MULTICAST_LOOP = 33, 34
IPV6_UNICAST_HOPS, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_LOOP = 16, 18, 19
IPV6_MTU_DISCOVER, IPV6_MTU, IPV6_V6ONLY, IPV6_TCLASS = 23, 24, 26, 67
IPPROTO_MAX = 263
SOCK_MAX = 11                       # SOCK_PACKET + 1: socket(2)'s EINVAL bound
MSG_OOB, MSG_PEEK, MSG_DONTROUTE, MSG_CTRUNC, MSG_TRUNC = 0x1, 0x2, 0x4, 0x8, 0x20
MSG_DONTWAIT, MSG_EOR, MSG_WAITALL, MSG_CONFIRM, MSG_ERRQUEUE = 0x40, 0x80, 0x100, 0x800, 0x2000
MSG_NOSIGNAL, MSG_MORE, MSG_WAITFORONE, MSG_FASTOPEN, MSG_CMSG_CLOEXEC = 0x4000, 0x8000, 0x10000, 0x20000000, 0x40000000
MSG_NAMES = [(MSG_OOB, "MSG_OOB"), (MSG_PEEK, "MSG_PEEK"), (MSG_DONTROUTE, "MSG_DONTROUTE"),
             (MSG_CTRUNC, "MSG_CTRUNC"), (MSG_TRUNC, "MSG_TRUNC"), (MSG_DONTWAIT, "MSG_DONTWAIT"),
             (MSG_EOR, "MSG_EOR"), (MSG_WAITALL, "MSG_WAITALL"), (MSG_CONFIRM, "MSG_CONFIRM"),
             (MSG_ERRQUEUE, "MSG_ERRQUEUE"), (MSG_NOSIGNAL, "MSG_NOSIGNAL"), (MSG_MORE, "MSG_MORE"),
             (MSG_WAITFORONE, "MSG_WAITFORONE"), (MSG_FASTOPEN, "MSG_FASTOPEN"),
             (MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC")]
SOMAXCONN = 4096
UNIX_PATH_MAX = 108

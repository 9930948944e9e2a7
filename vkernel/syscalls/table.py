"""The syscall table: one row per x86-64 syscall number (DESIGN.md, "The syscall table").

From this table come the dispatcher's list indexed by number, the strace-style decoder,
``vkemu syscalls`` and docs/syscalls.md.  A number without a row is ``missing``: it
returns ENOSYS and writes an audit record.  Status words:
full: Linux semantics for every documented flag we accept;
partial: works for the common cases, the note says what is missing;
denied: refused by design (the note says why).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from vkernel import abi
from vkernel.syscalls import (epoll, eventfd, fd, fs, misc, mm, pipe, poll, posix_timer, proc, process, signal, socket,
                               thread, time)
from vkernel.syscalls.spec import (ARCH_CODE, AT_FLAGS, BUF_IN, BUF_OUT, CLOCK, DIRFD, FCNTL_CMD, FD, INT,
                                   IOCTL_REQ, LONG, MAP_FLAGS, MODE, OFF, OPEN_FLAGS, PATH, PIPE_FLAGS, PROT, PTR,
                                   RLIMIT, SIGNAL, SIZE, STR, UINT, ULONG, WHENCE, CLONE_FLAGS, FUTEX_OP, FLAGS,
                                   MSG_FLAGS, SHUT_HOW, SOCK_FAMILY, SOCK_TYPE, SOCKADDR, Arg)

SYSCALL_NAMES: dict[int, str] = {
    0: "read", 1: "write", 2: "open", 3: "close", 4: "stat", 5: "fstat", 6: "lstat", 7: "poll",
    8: "lseek", 9: "mmap", 10: "mprotect", 11: "munmap", 12: "brk", 13: "rt_sigaction",
    14: "rt_sigprocmask", 15: "rt_sigreturn", 16: "ioctl", 17: "pread64", 18: "pwrite64",
    19: "readv", 20: "writev", 21: "access", 22: "pipe", 23: "select", 24: "sched_yield",
    25: "mremap", 26: "msync", 27: "mincore", 28: "madvise", 29: "shmget", 30: "shmat",
    31: "shmctl", 32: "dup", 33: "dup2", 34: "pause", 35: "nanosleep", 36: "getitimer",
    37: "alarm", 38: "setitimer", 39: "getpid", 40: "sendfile", 41: "socket", 42: "connect",
    43: "accept", 44: "sendto", 45: "recvfrom", 46: "sendmsg", 47: "recvmsg", 48: "shutdown",
    49: "bind", 50: "listen", 51: "getsockname", 52: "getpeername", 53: "socketpair",
    54: "setsockopt", 55: "getsockopt", 56: "clone", 57: "fork", 58: "vfork", 59: "execve",
    60: "exit", 61: "wait4", 62: "kill", 63: "uname", 64: "semget", 65: "semop", 66: "semctl",
    67: "shmdt", 68: "msgget", 69: "msgsnd", 70: "msgrcv", 71: "msgctl", 72: "fcntl", 73: "flock",
    74: "fsync", 75: "fdatasync", 76: "truncate", 77: "ftruncate", 78: "getdents", 79: "getcwd",
    80: "chdir", 81: "fchdir", 82: "rename", 83: "mkdir", 84: "rmdir", 85: "creat", 86: "link",
    87: "unlink", 88: "symlink", 89: "readlink", 90: "chmod", 91: "fchmod", 92: "chown",
    93: "fchown", 94: "lchown", 95: "umask", 96: "gettimeofday", 97: "getrlimit", 98: "getrusage",
    99: "sysinfo", 100: "times", 101: "ptrace", 102: "getuid", 103: "syslog", 104: "getgid",
    105: "setuid", 106: "setgid", 107: "geteuid", 108: "getegid", 109: "setpgid", 110: "getppid",
    111: "getpgrp", 112: "setsid", 113: "setreuid", 114: "setregid", 115: "getgroups",
    116: "setgroups", 117: "setresuid", 118: "getresuid", 119: "setresgid", 120: "getresgid",
    121: "getpgid", 122: "setfsuid", 123: "setfsgid", 124: "getsid", 125: "capget", 126: "capset",
    127: "rt_sigpending", 128: "rt_sigtimedwait", 129: "rt_sigqueueinfo", 130: "rt_sigsuspend",
    131: "sigaltstack", 132: "utime", 133: "mknod", 134: "uselib", 135: "personality",
    136: "ustat", 137: "statfs", 138: "fstatfs", 139: "sysfs", 140: "getpriority",
    141: "setpriority", 142: "sched_setparam", 143: "sched_getparam", 144: "sched_setscheduler",
    145: "sched_getscheduler", 146: "sched_get_priority_max", 147: "sched_get_priority_min",
    148: "sched_rr_get_interval", 149: "mlock", 150: "munlock", 151: "mlockall", 152: "munlockall",
    153: "vhangup", 154: "modify_ldt", 155: "pivot_root", 156: "_sysctl", 157: "prctl",
    158: "arch_prctl", 159: "adjtimex", 160: "setrlimit", 161: "chroot", 162: "sync", 163: "acct",
    164: "settimeofday", 165: "mount", 166: "umount2", 167: "swapon", 168: "swapoff",
    169: "reboot", 170: "sethostname", 171: "setdomainname", 172: "iopl", 173: "ioperm",
    174: "create_module", 175: "init_module", 176: "delete_module", 177: "get_kernel_syms",
    178: "query_module", 179: "quotactl", 180: "nfsservctl", 181: "getpmsg", 182: "putpmsg",
    183: "afs_syscall", 184: "tuxcall", 185: "security", 186: "gettid", 187: "readahead",
    188: "setxattr", 189: "lsetxattr", 190: "fsetxattr", 191: "getxattr", 192: "lgetxattr",
    193: "fgetxattr", 194: "listxattr", 195: "llistxattr", 196: "flistxattr", 197: "removexattr",
    198: "lremovexattr", 199: "fremovexattr", 200: "tkill", 201: "time", 202: "futex",
    203: "sched_setaffinity", 204: "sched_getaffinity", 205: "set_thread_area", 206: "io_setup",
    207: "io_destroy", 208: "io_getevents", 209: "io_submit", 210: "io_cancel",
    211: "get_thread_area", 212: "lookup_dcookie", 213: "epoll_create", 214: "epoll_ctl_old",
    215: "epoll_wait_old", 216: "remap_file_pages", 217: "getdents64", 218: "set_tid_address",
    219: "restart_syscall", 220: "semtimedop", 221: "fadvise64", 222: "timer_create",
    223: "timer_settime", 224: "timer_gettime", 225: "timer_getoverrun", 226: "timer_delete",
    227: "clock_settime", 228: "clock_gettime", 229: "clock_getres", 230: "clock_nanosleep",
    231: "exit_group", 232: "epoll_wait", 233: "epoll_ctl", 234: "tgkill", 235: "utimes",
    236: "vserver", 237: "mbind", 238: "set_mempolicy", 239: "get_mempolicy", 240: "mq_open",
    241: "mq_unlink", 242: "mq_timedsend", 243: "mq_timedreceive", 244: "mq_notify",
    245: "mq_getsetattr", 246: "kexec_load", 247: "waitid", 248: "add_key", 249: "request_key",
    250: "keyctl", 251: "ioprio_set", 252: "ioprio_get", 253: "inotify_init",
    254: "inotify_add_watch", 255: "inotify_rm_watch", 256: "migrate_pages", 257: "openat",
    258: "mkdirat", 259: "mknodat", 260: "fchownat", 261: "futimesat", 262: "newfstatat",
    263: "unlinkat", 264: "renameat", 265: "linkat", 266: "symlinkat", 267: "readlinkat",
    268: "fchmodat", 269: "faccessat", 270: "pselect6", 271: "ppoll", 272: "unshare",
    273: "set_robust_list", 274: "get_robust_list", 275: "splice", 276: "tee",
    277: "sync_file_range", 278: "vmsplice", 279: "move_pages", 280: "utimensat",
    281: "epoll_pwait", 282: "signalfd", 283: "timerfd_create", 284: "eventfd", 285: "fallocate",
    286: "timerfd_settime", 287: "timerfd_gettime", 288: "accept4", 289: "signalfd4",
    290: "eventfd2", 291: "epoll_create1", 292: "dup3", 293: "pipe2", 294: "inotify_init1",
    295: "preadv", 296: "pwritev", 297: "rt_tgsigqueueinfo", 298: "perf_event_open",
    299: "recvmmsg", 300: "fanotify_init", 301: "fanotify_mark", 302: "prlimit64",
    303: "name_to_handle_at", 304: "open_by_handle_at", 305: "clock_adjtime", 306: "syncfs",
    307: "sendmmsg", 308: "setns", 309: "getcpu", 310: "process_vm_readv",
    311: "process_vm_writev", 312: "kcmp", 313: "finit_module", 314: "sched_setattr",
    315: "sched_getattr", 316: "renameat2", 317: "seccomp", 318: "getrandom", 319: "memfd_create",
    320: "kexec_file_load", 321: "bpf", 322: "execveat", 323: "userfaultfd", 324: "membarrier",
    325: "mlock2", 326: "copy_file_range", 327: "preadv2", 328: "pwritev2", 329: "pkey_mprotect",
    330: "pkey_alloc", 331: "pkey_free", 332: "statx", 333: "io_pgetevents", 334: "rseq",
    424: "pidfd_send_signal", 425: "io_uring_setup", 426: "io_uring_enter",
    427: "io_uring_register", 428: "open_tree", 429: "move_mount", 430: "fsopen", 431: "fsconfig",
    432: "fsmount", 433: "fspick", 434: "pidfd_open", 435: "clone3", 436: "close_range",
    437: "openat2", 438: "pidfd_getfd", 439: "faccessat2", 440: "process_madvise",
    441: "epoll_pwait2", 442: "mount_setattr", 443: "quotactl_fd", 444: "landlock_create_ruleset",
    445: "landlock_add_rule", 446: "landlock_restrict_self", 447: "memfd_secret",
    448: "process_mrelease", 449: "futex_waitv", 450: "set_mempolicy_home_node", 451: "cachestat",
    452: "fchmodat2", 453: "map_shadow_stack", 454: "futex_wake", 455: "futex_wait",
    456: "futex_requeue", 457: "statmount", 458: "listmount", 459: "lsm_get_self_attr",
    460: "lsm_set_self_attr", 461: "lsm_list_modules", 462: "mseal",
}


@dataclass(frozen=True)
class Row:
    nr: int
    name: str
    args: tuple[Arg, ...]
    handler: Callable[..., object] | None
    status: str
    note: str = ""

    @property
    def converters(self) -> tuple[Callable[[int], int], ...]:
        return tuple(arg.convert for arg in self.args)


def _denied(errno: int) -> Callable[..., int]:
    from vkernel.errors import SyscallError

    def handler(t, *args) -> int:
        raise SyscallError(errno)
    handler.__doc__ = f"refused with {abi.ERRNO_NAME[errno]}"
    return handler


F, P, D = "full", "partial", "denied"

# Extended attributes (vkernel/vfs/xattr.py): stored by tmpfs, the overlay and host
# directories; the container holds no CAP_SYS_ADMIN; no filesystem has POSIX ACLs.
_XATTR_SET = ("user.* stored (a host directory: the host's own user.* xattrs); trusted.* and security.* "
              "EPERM (no CAP_SYS_ADMIN); system.* (POSIX ACLs) EOPNOTSUPP")
_XATTR_GET = "user.* and security.* as stored; trusted.* ENODATA (no CAP_SYS_ADMIN); system.* EOPNOTSUPP"
_XATTR_LIST = "trusted.* left out (no CAP_SYS_ADMIN); a host directory shows only its user.* names"

ROWS: list[Row] = [
    # -- files and descriptors ------------------------------------------------------------
    Row(0, "read", (FD, BUF_OUT(2), SIZE), fd.sys_read, F),
    Row(1, "write", (FD, BUF_IN(2), SIZE), fd.sys_write, F),
    Row(2, "open", (PATH, OPEN_FLAGS, MODE), fs.sys_open, P, "O_TMPFILE unsupported"),
    Row(3, "close", (FD,), fd.sys_close, F),
    Row(4, "stat", (PATH, PTR), fs.sys_stat, F),
    Row(5, "fstat", (FD, PTR), fs.sys_fstat, F),
    Row(6, "lstat", (PATH, PTR), fs.sys_lstat, F),
    Row(8, "lseek", (FD, OFF, WHENCE), fd.sys_lseek, F),
    Row(16, "ioctl", (FD, IOCTL_REQ, PTR), fd.sys_ioctl, P,
        "FIONREAD, FIOCLEX, FIONBIO; terminal requests on a host tty; pseudo-terminals (/dev/ptmx): termios "
        "(and termios2), window size, TIOCSCTTY/TIOCNOTTY, process groups, TIOCGPTN/TIOCSPTLCK/TIOCGPTPEER, "
        "TIOCSIG, TIOCSTI, job control (SIGTTIN/SIGTTOU); TIOCPKT without status bytes"),
    Row(17, "pread64", (FD, BUF_OUT(2), SIZE, OFF), fd.sys_pread64, F),
    Row(18, "pwrite64", (FD, BUF_IN(2), SIZE, OFF), fd.sys_pwrite64, F),
    Row(19, "readv", (FD, PTR, INT), fd.sys_readv, F),
    Row(20, "writev", (FD, PTR, INT), fd.sys_writev, F),
    Row(21, "access", (PATH, INT), fs.sys_access, F),
    Row(32, "dup", (FD,), fd.sys_dup, F),
    Row(33, "dup2", (FD, FD), fd.sys_dup2, F),
    # -- polling and event fds (one readiness core: vkernel/poll.py) -------------------------
    Row(7, "poll", (PTR, UINT, INT), poll.sys_poll, F),
    Row(271, "ppoll", (PTR, UINT, PTR, PTR, SIZE), poll.sys_ppoll, F),
    Row(23, "select", (INT, PTR, PTR, PTR, PTR), poll.sys_select, P,
        "nfds is capped at RLIMIT_NOFILE, not the fd table's allocated size"),
    Row(270, "pselect6", (INT, PTR, PTR, PTR, PTR, PTR), poll.sys_pselect6, P, "see select"),
    Row(213, "epoll_create", (INT,), epoll.sys_epoll_create, F),
    Row(291, "epoll_create1", (INT,), epoll.sys_epoll_create1, F),
    Row(233, "epoll_ctl", (FD, INT, FD, PTR), epoll.sys_epoll_ctl, P,
        "no max_user_watches limit; EPOLLWAKEUP dropped; EPOLLET on a host fd (a terminal) reports "
        "while it stays ready"),
    Row(232, "epoll_wait", (FD, PTR, INT, INT), epoll.sys_epoll_wait, F),
    Row(281, "epoll_pwait", (FD, PTR, INT, INT, PTR, SIZE), epoll.sys_epoll_pwait, F),
    Row(441, "epoll_pwait2", (FD, PTR, INT, PTR, PTR, SIZE), epoll.sys_epoll_pwait2, F),
    Row(284, "eventfd", (UINT,), eventfd.sys_eventfd, F),
    Row(290, "eventfd2", (UINT, INT), eventfd.sys_eventfd2, F),
    Row(283, "timerfd_create", (CLOCK, INT), eventfd.sys_timerfd_create, P,
        "alarm clocks EPERM; an absolute CLOCK_REALTIME deadline does not follow later clock changes"),
    Row(286, "timerfd_settime", (FD, INT, PTR, PTR), eventfd.sys_timerfd_settime, P,
        "TFD_TIMER_CANCEL_ON_SET never cancels (the clock is not set from inside)"),
    Row(287, "timerfd_gettime", (FD, PTR), eventfd.sys_timerfd_gettime, F),
    Row(282, "signalfd", (FD, PTR, SIZE), eventfd.sys_signalfd, P, "see signalfd4"),
    Row(289, "signalfd4", (FD, PTR, SIZE, INT), eventfd.sys_signalfd4, P,
        "reads the queues of the process that created it, also from a forked child"),
    Row(40, "sendfile", (FD, FD, PTR, SIZE), fd.sys_sendfile, P, "into a full pipe: what fits, or EAGAIN, never blocks"),
    Row(72, "fcntl", (FD, FCNTL_CMD, ULONG), fd.sys_fcntl, P,
        "record locks always granted (single process); F_GETPIPE_SZ/F_SETPIPE_SZ as Linux"),
    Row(22, "pipe", (PTR,), pipe.sys_pipe, P, "see pipe2"),
    Row(293, "pipe2", (PTR, PIPE_FLAGS), pipe.sys_pipe2, P,
        "O_CLOEXEC, O_NONBLOCK, O_DIRECT packets; O_NOTIFICATION_PIPE ENOPKG; "
        "a blocked write cut short by the last reader closing returns its count without SIGPIPE"),
    Row(73, "flock", (FD, INT), fd.sys_flock, P, "always granted (single process)"),
    Row(74, "fsync", (FD,), fd.sys_fsync, F),
    Row(75, "fdatasync", (FD,), fd.sys_fdatasync, F),
    Row(76, "truncate", (PATH, OFF), fs.sys_truncate, F),
    Row(77, "ftruncate", (FD, OFF), fs.sys_ftruncate, F),
    Row(79, "getcwd", (PTR, SIZE), fs.sys_getcwd, F),
    Row(80, "chdir", (PATH,), fs.sys_chdir, F),
    Row(81, "fchdir", (FD,), fs.sys_fchdir, F),
    Row(82, "rename", (PATH, PATH), fs.sys_rename, P, "overlay: renaming a lower directory gives EXDEV, as overlayfs"),
    Row(83, "mkdir", (PATH, MODE), fs.sys_mkdir, F),
    Row(84, "rmdir", (PATH,), fs.sys_rmdir, F),
    Row(85, "creat", (PATH, MODE), fs.sys_creat, F),
    Row(86, "link", (PATH, PATH), fs.sys_link, F),
    Row(87, "unlink", (PATH,), fs.sys_unlink, F),
    Row(88, "symlink", (PATH, PATH), fs.sys_symlink, F),
    Row(89, "readlink", (PATH, BUF_OUT(2), SIZE), fs.sys_readlink, F),
    Row(90, "chmod", (PATH, MODE), fs.sys_chmod, F),
    Row(91, "fchmod", (FD, MODE), fs.sys_fchmod, F),
    Row(92, "chown", (PATH, INT, INT), fs.sys_chown, P, "ownership is recorded, not checked"),
    Row(93, "fchown", (FD, INT, INT), fs.sys_fchown, P, "ownership is recorded, not checked"),
    Row(94, "lchown", (PATH, INT, INT), fs.sys_lchown, P, "ownership is recorded, not checked"),
    Row(95, "umask", (MODE,), fs.sys_umask, F),
    Row(132, "utime", (PATH, PTR), fs.sys_utime, F),
    Row(133, "mknod", (PATH, MODE, ULONG), fs.sys_mknod, P, "regular files only; FIFOs and devices EPERM"),
    Row(137, "statfs", (PATH, PTR), fs.sys_statfs, F),
    Row(138, "fstatfs", (FD, PTR), fs.sys_fstatfs, F),
    Row(162, "sync", (), fs.sys_sync, F),
    Row(217, "getdents64", (FD, PTR, SIZE), fd.sys_getdents64, F),
    Row(221, "fadvise64", (FD, OFF, OFF, INT), fd.sys_fadvise64, F),
    Row(235, "utimes", (PATH, PTR), fs.sys_utimes, F),
    Row(257, "openat", (DIRFD, PATH, OPEN_FLAGS, MODE), fs.sys_openat, P, "O_TMPFILE unsupported"),
    Row(258, "mkdirat", (DIRFD, PATH, MODE), fs.sys_mkdirat, F),
    Row(259, "mknodat", (DIRFD, PATH, MODE, ULONG), fs.sys_mknodat, P, "regular files only"),
    Row(260, "fchownat", (DIRFD, PATH, INT, INT, AT_FLAGS), fs.sys_fchownat, P, "ownership is recorded, not checked"),
    Row(261, "futimesat", (DIRFD, PATH, PTR), fs.sys_futimesat, F),
    Row(262, "newfstatat", (DIRFD, PATH, PTR, AT_FLAGS), fs.sys_newfstatat, F),
    Row(263, "unlinkat", (DIRFD, PATH, AT_FLAGS), fs.sys_unlinkat, F),
    Row(264, "renameat", (DIRFD, PATH, DIRFD, PATH), fs.sys_renameat, P, "see rename"),
    Row(265, "linkat", (DIRFD, PATH, DIRFD, PATH, AT_FLAGS), fs.sys_linkat, F),
    Row(266, "symlinkat", (PATH, DIRFD, PATH), fs.sys_symlinkat, F),
    Row(267, "readlinkat", (DIRFD, PATH, BUF_OUT(3), SIZE), fs.sys_readlinkat, F),
    Row(268, "fchmodat", (DIRFD, PATH, MODE), fs.sys_fchmodat, F),
    Row(269, "faccessat", (DIRFD, PATH, INT), fs.sys_faccessat, F),
    Row(280, "utimensat", (DIRFD, PATH, PTR, AT_FLAGS), fs.sys_utimensat, F),
    Row(285, "fallocate", (FD, INT, OFF, OFF), fd.sys_fallocate, P, "mode 0 only"),
    Row(292, "dup3", (FD, FD, OPEN_FLAGS), fd.sys_dup3, F),
    Row(295, "preadv", (FD, PTR, INT, OFF), fd.sys_preadv, F),
    Row(296, "pwritev", (FD, PTR, INT, OFF), fd.sys_pwritev, F),
    Row(306, "syncfs", (FD,), fd.sys_syncfs, F),
    Row(316, "renameat2", (DIRFD, PATH, DIRFD, PATH, UINT), fs.sys_renameat2, P, "RENAME_EXCHANGE on tmpfs only"),
    Row(326, "copy_file_range", (FD, PTR, FD, PTR, SIZE, UINT), fd.sys_copy_file_range, F),
    Row(327, "preadv2", (FD, PTR, INT, OFF, OFF, INT), fd.sys_preadv2, P, "RWF_* hints ignored"),
    Row(328, "pwritev2", (FD, PTR, INT, OFF, OFF, INT), fd.sys_pwritev2, P, "RWF_* hints ignored"),
    Row(332, "statx", (DIRFD, PATH, AT_FLAGS, UINT, PTR), fs.sys_statx, F),
    Row(436, "close_range", (UINT, UINT, UINT), fd.sys_close_range, F),
    Row(188, "setxattr", (PATH, STR, PTR, SIZE, INT), fs.sys_setxattr, P, _XATTR_SET),
    Row(189, "lsetxattr", (PATH, STR, PTR, SIZE, INT), fs.sys_lsetxattr, P, _XATTR_SET),
    Row(190, "fsetxattr", (FD, STR, PTR, SIZE, INT), fs.sys_fsetxattr, P, _XATTR_SET),
    Row(191, "getxattr", (PATH, STR, PTR, SIZE), fs.sys_getxattr, P, _XATTR_GET),
    Row(192, "lgetxattr", (PATH, STR, PTR, SIZE), fs.sys_lgetxattr, P, _XATTR_GET),
    Row(193, "fgetxattr", (FD, STR, PTR, SIZE), fs.sys_fgetxattr, P, _XATTR_GET),
    Row(194, "listxattr", (PATH, PTR, SIZE), fs.sys_listxattr, P, _XATTR_LIST),
    Row(195, "llistxattr", (PATH, PTR, SIZE), fs.sys_llistxattr, P, _XATTR_LIST),
    Row(196, "flistxattr", (FD, PTR, SIZE), fs.sys_flistxattr, P, _XATTR_LIST),
    Row(197, "removexattr", (PATH, STR), fs.sys_removexattr, P, _XATTR_SET),
    Row(198, "lremovexattr", (PATH, STR), fs.sys_lremovexattr, P, _XATTR_SET),
    Row(199, "fremovexattr", (FD, STR), fs.sys_fremovexattr, P, _XATTR_SET),
    Row(439, "faccessat2", (DIRFD, PATH, INT, AT_FLAGS), fs.sys_faccessat2, F),
    # -- sockets (vkernel/net/) ------------------------------------------------------------------
    Row(41, "socket", (SOCK_FAMILY, SOCK_TYPE, INT), socket.sys_socket, P,
        "AF_UNIX in the kernel; AF_INET/AF_INET6 TCP and UDP over host sockets (the `host` backend) or the "
        "in-kernel `vnet`; host backend: SOCK_RAW EPERM (no CAP_NET_RAW in a container, audited), ping and "
        "UDP-Lite sockets EPROTONOSUPPORT; other families EAFNOSUPPORT"),
    Row(53, "socketpair", (SOCK_FAMILY, SOCK_TYPE, INT, PTR), socket.sys_socketpair, F),
    Row(49, "bind", (FD, SOCKADDR(2), INT), socket.sys_bind, F,
        "inet: the network policy's bind rules (EACCES + audit); a wildcard is narrowed to loopback when "
        "only loopback is allowed (a dual-stack IPv6 listener keeps it and accepts only local peers)"),
    Row(50, "listen", (FD, INT), socket.sys_listen, F),
    Row(43, "accept", (FD, PTR, PTR), socket.sys_accept, F),
    Row(288, "accept4", (FD, PTR, PTR, FLAGS(abi.SOCK_TYPE_NAMES)), socket.sys_accept4, F),
    Row(42, "connect", (FD, SOCKADDR(2), INT), socket.sys_connect, F,
        "inet: the network policy's egress rules (ENETUNREACH + audit); datagram destinations too"),
    Row(48, "shutdown", (FD, SHUT_HOW), socket.sys_shutdown, F),
    Row(44, "sendto", (FD, BUF_IN(2), SIZE, MSG_FLAGS, SOCKADDR(5), INT), socket.sys_sendto, P,
        "MSG_OOB on AF_UNIX is EOPNOTSUPP (Linux 5.15+ sends one byte out of band)"),
    Row(45, "recvfrom", (FD, BUF_OUT(2), SIZE, MSG_FLAGS, PTR, PTR), socket.sys_recvfrom, P,
        "MSG_OOB on AF_UNIX is EOPNOTSUPP; AF_UNIX MSG_WAITALL beyond the peer's send buffer returns what it held"),
    Row(46, "sendmsg", (FD, PTR, MSG_FLAGS), socket.sys_sendmsg, P,
        "inet: no IP-level control messages (IP_PKTINFO, IP_TOS... EINVAL)"),
    Row(47, "recvmsg", (FD, PTR, MSG_FLAGS), socket.sys_recvmsg, P,
        "inet: no ancillary data is delivered (IP_PKTINFO, IP_RECVERR, timestamps)"),
    Row(307, "sendmmsg", (FD, PTR, UINT, MSG_FLAGS), socket.sys_sendmmsg, P, "see sendmsg"),
    Row(299, "recvmmsg", (FD, PTR, UINT, MSG_FLAGS, PTR), socket.sys_recvmmsg, P,
        "without MSG_WAITFORONE, returns once at least one message arrived; the timeout is not applied"),
    Row(51, "getsockname", (FD, PTR, PTR), socket.sys_getsockname, F),
    Row(52, "getpeername", (FD, PTR, PTR), socket.sys_getpeername, F),
    Row(54, "setsockopt", (FD, INT, INT, PTR, INT), socket.sys_setsockopt, P,
        "SOL_SOCKET options are kept (low-water marks ignored); other levels as the family supports: inet "
        "passes SO_* flags, buffer sizes, SO_LINGER and a list of common TCP_*/IP_*/IPV6_* options to the "
        "host socket, the rest ENOPROTOOPT"),
    Row(55, "getsockopt", (FD, INT, INT, PTR, PTR), socket.sys_getsockopt, P, "see setsockopt"),
    # -- memory ---------------------------------------------------------------------------------
    Row(9, "mmap", (PTR, SIZE, PROT, MAP_FLAGS, FD, OFF), mm.sys_mmap, P,
        "MAP_SHARED maps of a regular file share one page cache across processes, coherent with "
        "read/write/truncate, written back on msync/munmap/exit; pages wholly past EOF of a shared map "
        "raise SIGBUS (EFAULT for the kernel's accesses), but a private map reads them as zeros; changes "
        "made to a host file from outside the container are not seen while it is mapped; W^X enforced"),
    Row(10, "mprotect", (PTR, SIZE, PROT), mm.sys_mprotect, F, "W^X enforced (EACCES + audit)"),
    Row(11, "munmap", (PTR, SIZE), mm.sys_munmap, F),
    Row(12, "brk", (PTR,), mm.sys_brk, F),
    Row(25, "mremap", (PTR, SIZE, SIZE, INT, PTR), mm.sys_mremap, P, "MREMAP_DONTUNMAP unsupported"),
    Row(26, "msync", (PTR, SIZE, INT), mm.sys_msync, F, "writes shared file pages back"),
    Row(27, "mincore", (PTR, SIZE, PTR), mm.sys_mincore, F),
    Row(28, "madvise", (PTR, SIZE, INT), mm.sys_madvise, F),
    Row(149, "mlock", (PTR, SIZE), mm.sys_mlock, F),
    Row(150, "munlock", (PTR, SIZE), mm.sys_mlock, F),
    # -- signals (partial until the signals issue) -------------------------------------------
    Row(13, "rt_sigaction", (SIGNAL, PTR, PTR, SIZE), signal.sys_rt_sigaction, F),
    Row(14, "rt_sigprocmask", (INT, PTR, PTR, SIZE), signal.sys_rt_sigprocmask, F),
    Row(62, "kill", (INT, SIGNAL), signal.sys_kill, F),
    Row(15, "rt_sigreturn", (), signal.sys_rt_sigreturn, F),
    Row(34, "pause", (), signal.sys_pause, F),
    Row(36, "getitimer", (INT, PTR), signal.sys_getitimer, F),
    Row(37, "alarm", (UINT,), signal.sys_alarm, F),
    Row(38, "setitimer", (INT, PTR, PTR), signal.sys_setitimer, P,
        "ITIMER_VIRTUAL and ITIMER_PROF both count all time spent running the guest (user and kernel)"),
    Row(127, "rt_sigpending", (PTR, SIZE), signal.sys_rt_sigpending, F),
    Row(128, "rt_sigtimedwait", (PTR, PTR, PTR, SIZE), signal.sys_rt_sigtimedwait, P,
        "a wait cut short and restarted starts its timeout again"),
    Row(129, "rt_sigqueueinfo", (INT, SIGNAL, PTR), signal.sys_rt_sigqueueinfo, F),
    Row(130, "rt_sigsuspend", (PTR, SIZE), signal.sys_rt_sigsuspend, F),
    Row(297, "rt_tgsigqueueinfo", (INT, INT, SIGNAL, PTR), signal.sys_rt_tgsigqueueinfo, F),
    Row(131, "sigaltstack", (PTR, PTR), signal.sys_sigaltstack, F),
    Row(219, "restart_syscall", (), signal.sys_restart_syscall, F),
    Row(222, "timer_create", (CLOCK, PTR, PTR), posix_timer.sys_timer_create, P,
        "CLOCK_REALTIME/MONOTONIC/BOOTTIME/TAI; CPU-time clocks EOPNOTSUPP, alarm clocks EPERM"),
    Row(223, "timer_settime", (INT, INT, PTR, PTR), posix_timer.sys_timer_settime, P,
        "an absolute CLOCK_REALTIME deadline does not follow later changes of that clock"),
    Row(224, "timer_gettime", (INT, PTR), posix_timer.sys_timer_gettime, F),
    Row(225, "timer_getoverrun", (INT,), posix_timer.sys_timer_getoverrun, F),
    Row(226, "timer_delete", (INT,), posix_timer.sys_timer_delete, F),
    Row(200, "tkill", (INT, SIGNAL), signal.sys_tkill, F),
    Row(234, "tgkill", (INT, INT, SIGNAL), signal.sys_tgkill, F),
    # -- processes and identity ------------------------------------------------------------------
    Row(39, "getpid", (), proc.sys_getpid, F),
    Row(60, "exit", (INT,), proc.sys_exit, F),
    Row(97, "getrlimit", (RLIMIT, PTR), proc.sys_getrlimit, F),
    Row(98, "getrusage", (INT, PTR), proc.sys_getrusage, P, "CPU time only"),
    Row(100, "times", (PTR,), proc.sys_times, P, "user time only"),
    Row(102, "getuid", (), proc.sys_getuid, F),
    Row(104, "getgid", (), proc.sys_getgid, F),
    Row(105, "setuid", (INT,), proc.sys_setuid, F),
    Row(106, "setgid", (INT,), proc.sys_setgid, F),
    Row(107, "geteuid", (), proc.sys_geteuid, F),
    Row(108, "getegid", (), proc.sys_getegid, F),
    Row(109, "setpgid", (INT, INT), proc.sys_setpgid, P, "no EACCES for a child that has exec'd"),
    Row(110, "getppid", (), proc.sys_getppid, F),
    Row(111, "getpgrp", (), proc.sys_getpgrp, F),
    Row(112, "setsid", (), proc.sys_setsid, F),
    Row(113, "setreuid", (INT, INT), proc.sys_setreuid, F),
    Row(114, "setregid", (INT, INT), proc.sys_setregid, F),
    Row(115, "getgroups", (INT, PTR), proc.sys_getgroups, F),
    Row(116, "setgroups", (INT, PTR), proc.sys_setgroups, F),
    Row(117, "setresuid", (INT, INT, INT), proc.sys_setresuid, F),
    Row(118, "getresuid", (PTR, PTR, PTR), proc.sys_getresuid, F),
    Row(119, "setresgid", (INT, INT, INT), proc.sys_setresgid, F),
    Row(120, "getresgid", (PTR, PTR, PTR), proc.sys_getresgid, F),
    Row(121, "getpgid", (INT,), proc.sys_getpgid, F),
    Row(124, "getsid", (INT,), proc.sys_getsid, F),
    Row(135, "personality", (UINT,), proc.sys_personality, P, "recorded only; READ_IMPLIES_EXEC refused (EPERM, W^X)"),
    Row(157, "prctl", (INT, ULONG, ULONG, ULONG, ULONG), misc.sys_prctl, P, "names, dumpable, no_new_privs"),
    Row(158, "arch_prctl", (ARCH_CODE, PTR), proc.sys_arch_prctl, F),
    Row(160, "setrlimit", (RLIMIT, PTR), proc.sys_setrlimit, F),
    Row(186, "gettid", (), proc.sys_gettid, F),
    Row(218, "set_tid_address", (PTR,), proc.sys_set_tid_address, F),
    Row(231, "exit_group", (INT,), proc.sys_exit_group, F),
    Row(273, "set_robust_list", (PTR, SIZE), proc.sys_set_robust_list, F, "OWNER_DIED cleanup at thread exit"),
    Row(274, "get_robust_list", (INT, PTR, PTR), proc.sys_get_robust_list, F),
    Row(302, "prlimit64", (INT, RLIMIT, PTR, PTR), proc.sys_prlimit64, F),
    # -- processes ---------------------------------------------------------------------------------
    Row(57, "fork", (), process.sys_fork, F),
    Row(58, "vfork", (), process.sys_vfork, F, "the child borrows the address space; the parent waits"),
    Row(59, "execve", (PATH, PTR, PTR), process.sys_execve, P,
        "static and dynamic ELF (PT_INTERP from the container root), #! scripts; no binfmt_misc"),
    Row(61, "wait4", (INT, PTR, INT, PTR), process.sys_wait4, P, "the rusage is all zeros"),
    Row(247, "waitid", (INT, INT, PTR, INT, PTR), process.sys_waitid, P, "the rusage is all zeros"),
    Row(434, "pidfd_open", (INT, INT), process.sys_pidfd_open, P, "no PIDFD_THREAD (a thread's id is EINVAL)"),
    Row(424, "pidfd_send_signal", (FD, SIGNAL, PTR, UINT), signal.sys_pidfd_send_signal, F,
        "a pidfd or an open /proc/PID directory; PIDFD_SIGNAL_THREAD/THREAD_GROUP/PROCESS_GROUP"),
    Row(322, "execveat", (DIRFD, PATH, PTR, PTR, AT_FLAGS), process.sys_execveat, P, "see execve"),
    # -- threads and futexes ----------------------------------------------------------------------
    Row(56, "clone", (CLONE_FLAGS, PTR, PTR, PTR, PTR), thread.sys_clone, P,
        "threads and processes (CLONE_PIDFD for processes only); namespaces EPERM"),
    Row(435, "clone3", (PTR, SIZE), thread.sys_clone3, P,
        "threads and processes (CLONE_PIDFD for processes only); set_tid EINVAL; CLONE_INTO_CGROUP not "
        "supported; namespaces EPERM"),
    Row(202, "futex", (PTR, FUTEX_OP, INT, PTR, PTR, UINT), thread.sys_futex, P,
        "no priority inheritance boosting (PI locks hand over in FIFO order); FUTEX_*_REQUEUE_PI ENOSYS"),
    Row(24, "sched_yield", (), thread.sys_sched_yield, F),
    Row(142, "sched_setparam", (INT, PTR), thread.sys_sched_setparam, F),
    Row(143, "sched_getparam", (INT, PTR), thread.sys_sched_getparam, F),
    Row(144, "sched_setscheduler", (INT, INT, PTR), thread.sys_sched_setscheduler, F, "real-time policies EPERM"),
    Row(145, "sched_getscheduler", (INT,), thread.sys_sched_getscheduler, F),
    Row(140, "getpriority", (INT, INT), thread.sys_getpriority, P, "nice values are kept but do not weigh in scheduling"),
    Row(141, "setpriority", (INT, INT, INT), thread.sys_setpriority, P, "see getpriority"),
    Row(146, "sched_get_priority_max", (INT,), thread.sys_sched_get_priority_max, F),
    Row(147, "sched_get_priority_min", (INT,), thread.sys_sched_get_priority_min, F),
    # -- time ---------------------------------------------------------------------------------
    Row(35, "nanosleep", (PTR, PTR), time.sys_nanosleep, F),
    Row(96, "gettimeofday", (PTR, PTR), time.sys_gettimeofday, F),
    Row(201, "time", (PTR,), time.sys_time, F),
    Row(203, "sched_setaffinity", (INT, SIZE, PTR), time.sys_sched_setaffinity, F),
    Row(204, "sched_getaffinity", (INT, SIZE, PTR), time.sys_sched_getaffinity, F, "one CPU"),
    Row(148, "sched_rr_get_interval", (INT, PTR), time.sys_sched_rr_get_interval, P, "always 0 s"),
    Row(227, "clock_settime", (CLOCK, PTR), time.sys_clock_settime, F, "EPERM: a container has no CAP_SYS_TIME"),
    Row(164, "settimeofday", (PTR, PTR), time.sys_settimeofday, F, "EPERM: a container has no CAP_SYS_TIME"),
    Row(228, "clock_gettime", (CLOCK, PTR), time.sys_clock_gettime, F),
    Row(229, "clock_getres", (CLOCK, PTR), time.sys_clock_getres, F),
    Row(230, "clock_nanosleep", (CLOCK, INT, PTR, PTR), time.sys_clock_nanosleep, P,
        "CLOCK_PROCESS_CPUTIME_ID sleeps in wall-clock time"),
    Row(309, "getcpu", (PTR, PTR, PTR), time.sys_getcpu, F),
    # -- misc ---------------------------------------------------------------------------------
    Row(63, "uname", (PTR,), misc.sys_uname, F),
    Row(170, "sethostname", (STR, INT), misc.sys_sethostname, F, "the container's hostname, as a UTS namespace"),
    Row(99, "sysinfo", (PTR,), misc.sys_sysinfo, P, "memory figures are nominal"),
    Row(318, "getrandom", (BUF_OUT(1), SIZE, UINT), misc.sys_getrandom, F),
    Row(334, "rseq", (PTR, UINT, INT, UINT), _denied(abi.ENOSYS), D, "ENOSYS: libc falls back"),
    Row(101, "ptrace", (INT, INT, PTR, PTR), _denied(abi.EPERM), D, "no tracing from inside the container"),
    Row(165, "mount", (PATH, PATH, PTR, ULONG, PTR), _denied(abi.EPERM), D, "mounts come from the policy"),
    Row(166, "umount2", (PATH, INT), _denied(abi.EPERM), D, "mounts come from the policy"),
    Row(161, "chroot", (PATH,), _denied(abi.EPERM), D, "the container root is fixed"),
    Row(169, "reboot", (INT, INT, UINT, PTR), _denied(abi.EPERM), D, "never"),
    Row(175, "init_module", (PTR, ULONG, PTR), _denied(abi.EPERM), D, "never"),
    Row(313, "finit_module", (FD, PTR, INT), _denied(abi.EPERM), D, "never"),
    Row(246, "kexec_load", (ULONG, ULONG, PTR, ULONG), _denied(abi.EPERM), D, "never"),
    Row(321, "bpf", (INT, PTR, UINT), _denied(abi.EPERM), D, "never"),
    Row(298, "perf_event_open", (PTR, INT, INT, INT, ULONG), _denied(abi.EACCES), D, "no host counters"),
    Row(319, "memfd_create", (PATH, UINT), _denied(abi.ENOSYS), D, "later: memfds are never executable (W^X)"),
]


def _build() -> list[Row]:
    by_number: dict[int, Row] = {}
    for row in ROWS:
        assert row.nr not in by_number, f"duplicate row {row.nr}"
        assert SYSCALL_NAMES[row.nr] == row.name, f"row {row.nr} is {SYSCALL_NAMES[row.nr]}, not {row.name}"
        by_number[row.nr] = row
    table = []
    for nr in range(max(SYSCALL_NAMES) + 1):
        row = by_number.get(nr)
        if row is None:
            name = SYSCALL_NAMES.get(nr, f"syscall_{nr}")
            row = Row(nr, name, (LONG,) * 6, None, "missing", "ENOSYS")
        table.append(row)
    return table


TABLE: list[Row] = _build()
BY_NAME: dict[str, Row] = {row.name: row for row in TABLE}

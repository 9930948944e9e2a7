"""The filesystem object model: filesystems, inodes and stat results.

Every filesystem (host directory, memory, overlay, dev, proc) implements the same small
:class:`Inode` contract; the namespace resolves paths over it and the syscall handlers
never know which filesystem they are talking to.  All failures are SyscallError.
"""
from __future__ import annotations

import itertools
import struct
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from vkernel import abi
from vkernel.errors import SyscallError

if TYPE_CHECKING:
    from vkernel.pagecache import PageCache
    from vkernel.vfs.file import FileDescription
    from vkernel.vfs.namespace import Location

NAME_MAX = 255
PATH_MAX = 4096


def now_ns() -> int:
    return time.time_ns()


def encode_dev(major: int, minor: int) -> int:
    """Linux's new_encode_dev, as st_dev/st_rdev carry device numbers."""
    return (minor & 0xFF) | (major << 8) | ((minor & ~0xFF) << 12)


class InodeNumbers:
    """One allocator per kernel, so inode numbers are unique across every filesystem.
    It also carries the kernel's wall clock for file times, ``now_ns`` (the kernel's
    Sources: invariant 4, so a replay gets the recorded times), and the page caches of
    mapped files, which those numbers key."""

    def __init__(self, now_ns: Callable[[], int] = time.time_ns) -> None:
        self.now_ns = now_ns
        self._next = itertools.count(2)
        self._host: dict[tuple[int, int], int] = {}
        # The page caches of files mapped shared, by the number of the inode storing the
        # bytes (vkernel/pagecache.py): numbers are unique across filesystems.
        self.page_caches: dict[int, PageCache] = {}

    def new(self) -> int:
        return next(self._next)

    def for_host(self, dev: int, ino: int) -> int:
        """A stable number for a host file, the same every time it is looked up."""
        key = (dev, ino)
        num = self._host.get(key)
        if num is None:
            num = self._host[key] = self.new()
        return num


@dataclass
class Stat:
    dev: int
    ino: int
    mode: int
    nlink: int
    uid: int
    gid: int
    size: int
    rdev: int = 0
    blksize: int = 4096
    blocks: int = 0
    atime_ns: int = 0
    mtime_ns: int = 0
    ctime_ns: int = 0

    def pack(self) -> bytes:
        """struct stat of x86-64 (144 bytes)."""
        def ts(ns: int) -> tuple[int, int]:
            return ns // 1_000_000_000, ns % 1_000_000_000
        return struct.pack("<QQQIIIiQqqq" + "qq" * 3 + "24x", self.dev, self.ino, self.nlink,
                           self.mode, self.uid, self.gid, 0, self.rdev, self.size, self.blksize,
                           self.blocks, *ts(self.atime_ns), *ts(self.mtime_ns), *ts(self.ctime_ns))

    def pack_statx(self, mask: int) -> bytes:
        """struct statx (256 bytes); we fill the basic fields and btime."""
        def ts(ns: int) -> bytes:
            return struct.pack("<qIi", ns // 1_000_000_000, ns % 1_000_000_000, 0)
        major, minor = (self.dev >> 8) & 0xFFF, (self.dev & 0xFF) | ((self.dev >> 12) & ~0xFF)
        rmajor, rminor = (self.rdev >> 8) & 0xFFF, (self.rdev & 0xFF) | ((self.rdev >> 12) & ~0xFF)
        basic_and_btime = 0x7FF | 0x800
        head = struct.pack("<IIQIIIHHQQQQ", basic_and_btime, self.blksize, 0, self.nlink, self.uid,
                           self.gid, self.mode, 0, self.ino, self.size, self.blocks, 0)
        times = ts(self.atime_ns) + ts(self.ctime_ns) + ts(self.ctime_ns) + ts(self.mtime_ns)
        tail = struct.pack("<IIII", rmajor, rminor, major, minor)
        return (head + times + tail).ljust(256, b"\0")


@dataclass
class StatFs:
    magic: int
    bsize: int = 4096
    blocks: int = 0
    bfree: int = 0
    bavail: int = 0
    files: int = 0
    ffree: int = 0
    fsid: int = 0
    namelen: int = NAME_MAX
    frsize: int = 4096
    flags: int = 0

    def pack(self) -> bytes:
        """struct statfs of x86-64 (120 bytes)."""
        return struct.pack("<qqQQQQQQqqq32x", self.magic, self.bsize, self.blocks, self.bfree,
                           self.bavail, self.files, self.ffree, self.fsid, self.namelen,
                           self.frsize, self.flags)


ST_RDONLY = 1
ST_NOSUID = 2
ST_NODEV = 4
ST_NOEXEC = 8


class Filesystem:
    """A mounted filesystem instance: device number, read-only flag, attestation."""

    magic = 0x01021994          # TMPFS_MAGIC unless a variant says otherwise
    name = "none"

    def __init__(self, numbers: InodeNumbers, dev: int, readonly: bool = False) -> None:
        self.numbers = numbers
        self.dev = dev
        self.readonly = readonly

    def root(self) -> Inode:
        raise NotImplementedError

    def statfs(self) -> StatFs:
        return StatFs(self.magic, blocks=1 << 20, bfree=1 << 19, bavail=1 << 19, files=1 << 20,
                      ffree=1 << 19, flags=ST_RDONLY if self.readonly else 0)

    def check_writable(self) -> None:
        if self.readonly:
            raise SyscallError(abi.EROFS)


class Inode:
    """A file, directory, symlink or device in some filesystem.

    The default methods give the errors Linux gives for an object that does not support
    the operation, so variants override only what they have.
    """

    fs: Filesystem
    ino: int
    # Bytes come from immutable storage a policy may attest (read-only host layer).
    immutable = False

    # -- attributes --
    def stat(self) -> Stat:
        raise NotImplementedError

    @property
    def mode(self) -> int:
        return self.stat().mode

    @property
    def is_dir(self) -> bool:
        return self.mode & abi.S_IFMT == abi.S_IFDIR

    @property
    def is_symlink(self) -> bool:
        return self.mode & abi.S_IFMT == abi.S_IFLNK

    @property
    def unlinked(self) -> bool:
        """Removed from every directory (Linux's d_unlinked; for a directory, IS_DEADDIR)."""
        try:
            return self.stat().nlink == 0
        except SyscallError as exc:
            if exc.errno == abi.ENOENT:
                return True
            raise

    def setattr(self, *, mode: int | None = None, uid: int | None = None, gid: int | None = None,
                size: int | None = None, atime_ns: int | None = None, mtime_ns: int | None = None) -> None:
        raise SyscallError(abi.EPERM)

    # -- directories --
    def lookup(self, name: bytes) -> Inode:
        raise SyscallError(abi.ENOTDIR)

    def entries(self) -> list[tuple[bytes, int, int]]:
        """(name, ino, DT_*) for every entry except '.' and '..'."""
        raise SyscallError(abi.ENOTDIR)

    def create(self, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        raise SyscallError(abi.ENOTDIR)

    def mkdir(self, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        raise SyscallError(abi.ENOTDIR)

    def mknod(self, name: bytes, mode: int, uid: int, gid: int, rdev: int = 0) -> Inode:
        """A special file (a socket bound to a path, a FIFO); EPERM where the
        filesystem cannot hold one."""
        raise SyscallError(abi.ENOTDIR if not self.is_dir else abi.EPERM)

    def symlink(self, name: bytes, target: bytes, uid: int, gid: int) -> Inode:
        raise SyscallError(abi.ENOTDIR)

    def link(self, name: bytes, target: Inode) -> None:
        raise SyscallError(abi.ENOTDIR)

    def unlink(self, name: bytes) -> None:
        raise SyscallError(abi.ENOTDIR)

    def rmdir(self, name: bytes) -> None:
        raise SyscallError(abi.ENOTDIR)

    def rename(self, name: bytes, new_dir: Inode, new_name: bytes, flags: int) -> None:
        raise SyscallError(abi.ENOTDIR)

    # -- symlinks --
    def readlink(self) -> bytes:
        raise SyscallError(abi.EINVAL)

    def jump(self) -> Location | None:
        """For /proc's magic links: the object the link stands for, bypassing its text."""
        return None

    # -- files --
    def open(self, flags: int) -> FileDescription:
        raise SyscallError(abi.ENXIO)

    # -- extended attributes: storage only; vfs/xattr.py applies the namespace rules --
    # The defaults are a filesystem without xattr support (proc): EOPNOTSUPP, none listed.
    def getxattr(self, name: bytes) -> bytes:
        raise SyscallError(abi.EOPNOTSUPP)

    def listxattr(self) -> list[bytes]:
        return []

    def setxattr(self, name: bytes, value: bytes, flags: int) -> None:
        """``flags``: XATTR_CREATE (EEXIST if present), XATTR_REPLACE (ENODATA if absent)."""
        raise SyscallError(abi.EOPNOTSUPP)

    def removexattr(self, name: bytes) -> None:
        raise SyscallError(abi.EOPNOTSUPP)


def dtype_of(mode: int) -> int:
    return abi.DT_FROM_MODE.get(mode & abi.S_IFMT, abi.DT_UNKNOWN)


def check_name(name: bytes) -> None:
    if len(name) > NAME_MAX:
        raise SyscallError(abi.ENAMETOOLONG)


@dataclass
class Times:
    atime_ns: int = field(default_factory=now_ns)
    mtime_ns: int = 0
    ctime_ns: int = 0

    def __post_init__(self) -> None:
        self.mtime_ns = self.mtime_ns or self.atime_ns
        self.ctime_ns = self.ctime_ns or self.atime_ns

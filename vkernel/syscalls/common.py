"""Argument helpers shared by the syscall families."""
from __future__ import annotations

import struct

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.task import Thread
from vkernel.vfs.inode import PATH_MAX
from vkernel.vfs.namespace import Location


def read_path(t: Thread, address: int) -> bytes:
    """A path argument: EFAULT on a bad pointer, ENAMETOOLONG at PATH_MAX."""
    if address == 0:
        raise SyscallError(abi.EFAULT)
    return t.process.mm.read_cstring(address, PATH_MAX - 1)


def start_location(t: Thread, dirfd: int, path: bytes) -> Location:
    """Where a relative ``path`` starts for an *at() call."""
    if path.startswith(b"/"):
        return t.process.cwd  # unused by the resolver for absolute paths
    if dirfd == abi.AT_FDCWD:
        return t.process.cwd
    desc = t.process.fds.get(dirfd)
    if desc.location is None or not desc.location.inode.is_dir:
        raise SyscallError(abi.ENOTDIR)
    return desc.location


def lookup_at(t: Thread, dirfd: int, address: int, flags: int = 0, follow: bool = True) -> Location:
    """Resolve (dirfd, path) as the *at() calls do, honouring AT_EMPTY_PATH."""
    path = read_path(t, address)
    if not path:
        if not flags & abi.AT_EMPTY_PATH:
            raise SyscallError(abi.ENOENT)
        if dirfd == abi.AT_FDCWD:
            return t.process.cwd
        desc = t.process.fds.get(dirfd)
        if desc.location is None:
            raise SyscallError(abi.EBADF)
        return desc.location
    start = start_location(t, dirfd, path)
    return t.process.kernel.ns.resolve(start, path, follow and not flags & abi.AT_SYMLINK_NOFOLLOW)


def parent_at(t: Thread, dirfd: int, address: int) -> tuple[Location, bytes, bool]:
    path = read_path(t, address)
    start = start_location(t, dirfd, path)
    return t.process.kernel.ns.resolve_parent(start, path)


def read_timespec(t: Thread, address: int) -> tuple[int, int]:
    sec, nsec = struct.unpack("<qq", t.process.mm.read(address, 16))
    return sec, nsec


def timespec_ns(t: Thread, address: int) -> int:
    """A struct timespec as nanoseconds; EINVAL for a bad tv_nsec or negative time."""
    sec, nsec = read_timespec(t, address)
    if not 0 <= nsec < 1_000_000_000 or sec < 0:
        raise SyscallError(abi.EINVAL)
    return sec * 1_000_000_000 + nsec


TIME64_MAX = (1 << 63) - 1


def pack_timespec(ns: int) -> bytes:
    """A struct timespec; seconds saturate at TIME64_MAX as Linux's deadlines do."""
    return struct.pack("<qq", min(ns // 1_000_000_000, TIME64_MAX), ns % 1_000_000_000)


def read_iovec(t: Thread, address: int, count: int) -> list[tuple[int, int]]:
    """(base, len) pairs of an iovec array; EINVAL past IOV_MAX or a huge total."""
    if count < 0 or count > 1024:
        raise SyscallError(abi.EINVAL)
    if count == 0:
        return []
    raw = struct.unpack(f"<{2 * count}Q", t.process.mm.read(address, 16 * count))
    pairs = list(zip(raw[0::2], raw[1::2]))
    if any(length > 0x7FFFFFFFFFFFFFFF for _, length in pairs) or sum(n for _, n in pairs) > 0x7FFFFFFFFFFFFFFF:
        raise SyscallError(abi.EINVAL)
    return pairs


def iovec_views(t: Thread, pairs: list[tuple[int, int]], writable: bool) -> list[memoryview]:
    views: list[memoryview] = []
    for base, length in pairs:
        if length:
            views.extend(t.process.mm.views(base, length, writable))
    return views

"""Descriptor syscalls: read/write and friends, seeking, dup, fcntl, ioctl, directories."""
from __future__ import annotations

import functools
import struct
from typing import Callable

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.pipe import PipeEnd
from vkernel.pty import PtyEnd
from vkernel.syscalls.common import iovec_views, read_iovec
from vkernel.syscalls.signal import sigpipe_on_epipe
from vkernel.task import Thread
from vkernel.vfs.file import FileDescription
from vkernel.waitq import WouldBlock

# Linux caps one read/write at this many bytes (MAX_RW_COUNT).
MAX_RW = 0x7FFFF000


def _readable(t: Thread, fd: int) -> FileDescription:
    desc = t.process.fds.get(fd)
    if not desc.readable:
        raise SyscallError(abi.EBADF)
    return desc


def _writable(t: Thread, fd: int) -> FileDescription:
    desc = t.process.fds.get(fd)
    if not desc.writable:
        raise SyscallError(abi.EBADF)
    return desc


def _fsize_clip(t: Thread, desc: FileDescription, views: list[memoryview], offset: int | None) -> list[memoryview]:
    """The part of a write to a regular file that RLIMIT_FSIZE (the file_size quota)
    lets through: EFBIG and SIGXFSZ at the limit, a short write across it."""
    total = sum(len(v) for v in views)
    allowed = t.process.kernel.quota.clip_write(t, desc, total, offset)
    if allowed == total:
        return views
    out = []
    for view in views:
        if allowed <= 0:
            break
        out.append(view[:allowed])
        allowed -= len(view)
    return out


# read, write, readv and writev may block: a description that must wait raises
# WouldBlock (vkernel/waitq.py) and the handler parks the thread on it.

def sys_read(t: Thread, fd: int, buf: int, count: int) -> int | Block:
    """read(2)."""
    desc = _readable(t, fd)
    if count == 0 and not desc.min_io:
        return 0
    count = min(count, MAX_RW)
    try:
        views = t.process.mm.views(buf, count, writable=True)
    except SyscallError:
        return _read_to_bad_buffer(t, desc, buf, count)
    try:
        return desc.read(views)
    except WouldBlock as exc:
        return exc.park(t)


def _read_to_bad_buffer(t: Thread, desc: FileDescription, buf: int, count: int) -> int | Block:
    """Linux faults only when it copies: a read that finds no data returns 0 even into
    an unusable buffer, and one that finds data fails with EFAULT."""
    bounce = bytearray(min(count, 1 << 16))
    try:
        n = desc.read([memoryview(bounce)])
    except WouldBlock as exc:
        return exc.park(t)
    if n:
        t.process.mm.write(buf, bytes(bounce[:n]))
    return n


def _raises_sigpipe(handler: Callable[..., int | Block]) -> Callable[..., int | Block]:
    """For the calls that write to a pipe or socket: EPIPE comes with SIGPIPE, which
    is delivered on the way out of the syscall."""
    @functools.wraps(handler)
    def wrapper(t: Thread, *args: int) -> int | Block:
        try:
            return handler(t, *args)
        except SyscallError as exc:
            if exc.errno == abi.EPIPE:
                sigpipe_on_epipe(t)
            raise
    return wrapper


@_raises_sigpipe
def sys_write(t: Thread, fd: int, buf: int, count: int) -> int | Block:
    """write(2)."""
    desc = _writable(t, fd)
    if count == 0 and not desc.min_io:
        return 0
    views = _fsize_clip(t, desc, t.process.mm.views(buf, min(count, MAX_RW), writable=False), None)
    try:
        return desc.write(views)
    except WouldBlock as exc:
        return exc.park(t)


def sys_pread64(t: Thread, fd: int, buf: int, count: int, offset: int) -> int:
    """pread64(2)."""
    desc = _readable(t, fd)
    if offset < 0:
        raise SyscallError(abi.EINVAL)
    if count == 0:
        return 0
    return desc.read_at(t.process.mm.views(buf, min(count, MAX_RW), writable=True), offset)


def sys_pwrite64(t: Thread, fd: int, buf: int, count: int, offset: int) -> int:
    """pwrite64(2)."""
    desc = _writable(t, fd)
    if offset < 0:
        raise SyscallError(abi.EINVAL)
    if count == 0:
        return 0
    return desc.write_at(_fsize_clip(t, desc, t.process.mm.views(buf, min(count, MAX_RW), writable=False), offset),
                         offset)


def sys_readv(t: Thread, fd: int, iov: int, iovcnt: int) -> int | Block:
    """readv(2)."""
    desc = _readable(t, fd)
    views = iovec_views(t, read_iovec(t, iov, iovcnt), writable=True)
    try:
        return desc.read(views) if views or desc.min_io else 0
    except WouldBlock as exc:
        return exc.park(t)


@_raises_sigpipe
def sys_writev(t: Thread, fd: int, iov: int, iovcnt: int) -> int | Block:
    """writev(2)."""
    desc = _writable(t, fd)
    views = iovec_views(t, read_iovec(t, iov, iovcnt), writable=False)
    if views:
        views = _fsize_clip(t, desc, views, None)
    try:
        return desc.write(views) if views or desc.min_io else 0
    except WouldBlock as exc:
        return exc.park(t)


def _positional(t: Thread, fd: int, offset: int) -> FileDescription:
    """The checks of preadv/pwritev before the iovec is read, in Linux's order: the
    offset, the fd, then whether the file has positions at all."""
    if offset < 0:
        raise SyscallError(abi.EINVAL)
    desc = t.process.fds.get(fd)
    if not desc.seekable:
        raise SyscallError(abi.ESPIPE)
    return desc


def sys_preadv(t: Thread, fd: int, iov: int, iovcnt: int, offset: int) -> int:
    """preadv(2)."""
    _positional(t, fd, offset)
    desc = _readable(t, fd)
    views = iovec_views(t, read_iovec(t, iov, iovcnt), writable=True)
    return desc.read_at(views, offset) if views else 0


def sys_pwritev(t: Thread, fd: int, iov: int, iovcnt: int, offset: int) -> int:
    """pwritev(2)."""
    _positional(t, fd, offset)
    desc = _writable(t, fd)
    views = iovec_views(t, read_iovec(t, iov, iovcnt), writable=False)
    return desc.write_at(_fsize_clip(t, desc, views, offset), offset) if views else 0


def sys_preadv2(t: Thread, fd: int, iov: int, iovcnt: int, offset: int, _high: int, flags: int) -> int | Block:
    """preadv2(2): offset -1 means the current offset; RWF_* flags beyond hints are refused."""
    if flags & ~0x1F:
        raise SyscallError(abi.EOPNOTSUPP)
    if offset == -1:
        return sys_readv(t, fd, iov, iovcnt)
    return sys_preadv(t, fd, iov, iovcnt, offset)


def sys_pwritev2(t: Thread, fd: int, iov: int, iovcnt: int, offset: int, _high: int, flags: int) -> int | Block:
    """pwritev2(2)."""
    if flags & ~0x1F:
        raise SyscallError(abi.EOPNOTSUPP)
    if offset == -1:
        return sys_writev(t, fd, iov, iovcnt)
    return sys_pwritev(t, fd, iov, iovcnt, offset)


def sys_lseek(t: Thread, fd: int, offset: int, whence: int) -> int:
    """lseek(2)."""
    return t.process.fds.get(fd).seek(offset, whence)


def sys_close(t: Thread, fd: int) -> int:
    """close(2)."""
    t.process.fds.close(fd)
    return 0


def sys_close_range(t: Thread, first: int, last: int, flags: int) -> int:
    """close_range(2): CLOSE_RANGE_CLOEXEC (4) marks instead of closing."""
    if flags & ~6 or first > last:
        raise SyscallError(abi.EINVAL)
    fds = t.process.fds
    for fd in sorted(n for n in fds.entries if first <= n <= last):
        if flags & 4:
            fds.entries[fd].cloexec = True
        else:
            fds.close(fd)
    return 0


def sys_dup(t: Thread, fd: int) -> int:
    """dup(2)."""
    fds = t.process.fds
    return fds.install(fds.get(fd))


def sys_dup2(t: Thread, old: int, new: int) -> int:
    """dup2(2)."""
    fds = t.process.fds
    desc = fds.get(old)
    if old == new:
        return new
    fds.place(new, desc)
    return new


def sys_dup3(t: Thread, old: int, new: int, flags: int) -> int:
    """dup3(2)."""
    if flags & ~abi.O_CLOEXEC or old == new:
        raise SyscallError(abi.EINVAL)
    fds = t.process.fds
    fds.place(new, fds.get(old), cloexec=bool(flags & abi.O_CLOEXEC))
    return new


def sys_fcntl(t: Thread, fd: int, cmd: int, arg: int) -> int:
    """fcntl(2): descriptor and status flags, dup, pipe sizes, and advisory locks as no-ops."""
    fds = t.process.fds
    entry = fds.entry(fd)
    desc = entry.description
    if cmd in (abi.F_DUPFD, abi.F_DUPFD_CLOEXEC):
        arg &= 0xFFFFFFFF
        if arg >= fds.limit:
            raise SyscallError(abi.EINVAL)
        return fds.install(desc, cloexec=cmd == abi.F_DUPFD_CLOEXEC, minimum=arg)
    if cmd == abi.F_GETFD:
        return abi.FD_CLOEXEC if entry.cloexec else 0
    if cmd == abi.F_SETFD:
        entry.cloexec = bool(arg & abi.FD_CLOEXEC)
        return 0
    if cmd == abi.F_GETFL:
        return desc.flags | (abi.O_LARGEFILE if desc.inode is not None and not desc.flags & abi.O_PATH else 0)
    if cmd == abi.F_SETFL:
        if desc.flags & abi.O_PATH:
            raise SyscallError(abi.EBADF)
        desc.flags = (desc.flags & ~abi.O_SETFL_MASK) | (arg & abi.O_SETFL_MASK)
        return 0
    if cmd in (abi.F_GETLK, abi.F_SETLK, abi.F_SETLKW):
        return _lock(t, desc, cmd, arg)
    if cmd == abi.F_GETOWN:
        return 0
    if cmd == abi.F_SETOWN:
        return 0
    if cmd in (abi.F_GETPIPE_SZ, abi.F_SETPIPE_SZ):
        if not isinstance(desc, PipeEnd):
            raise SyscallError(abi.EBADF)
        if cmd == abi.F_GETPIPE_SZ:
            return desc.pipe.capacity
        return desc.pipe.resize(arg, privileged=t.process.creds.euid == 0)
    raise SyscallError(abi.EINVAL)


def _lock(t: Thread, desc: FileDescription, cmd: int, arg: int) -> int:
    """Record locks within one container never conflict yet: one process per run."""
    ltype, whence = struct.unpack("<hh", t.process.mm.read(arg, 4))
    if ltype not in (abi.F_RDLCK, abi.F_WRLCK, abi.F_UNLCK) or whence not in (0, 1, 2):
        raise SyscallError(abi.EINVAL)
    if cmd == abi.F_GETLK:
        t.process.mm.write(arg, struct.pack("<h", abi.F_UNLCK))
        return 0
    if ltype == abi.F_RDLCK and not desc.readable or ltype == abi.F_WRLCK and not desc.writable:
        raise SyscallError(abi.EBADF)
    return 0


def sys_flock(t: Thread, fd: int, operation: int) -> int:
    """flock(2): no other process contends yet, so every lock is granted."""
    t.process.fds.get(fd)
    if operation & ~(1 | 2 | 4 | 8) or not operation & 0xB:
        raise SyscallError(abi.EINVAL)
    return 0


def sys_ioctl(t: Thread, fd: int, request: int, arg: int) -> int | Block:
    """ioctl(2): FIONREAD, FIOCLEX/FIONCLEX, FIONBIO, and terminal requests on a tty
    (a pseudo-terminal's all go to it: vkernel/pty.py)."""
    fds = t.process.fds
    desc = fds.get(fd)
    request &= 0xFFFFFFFF
    if request == abi.FIOCLEX:
        fds.entry(fd).cloexec = True
        return 0
    if request == abi.FIONCLEX:
        fds.entry(fd).cloexec = False
        return 0
    if request == abi.FIONBIO:
        on = t.process.mm.read_i32(arg)
        desc.flags = desc.flags | abi.O_NONBLOCK if on else desc.flags & ~abi.O_NONBLOCK
        return 0
    if isinstance(desc, PtyEnd):
        try:
            return desc.tty_ioctl(t, request, arg)
        except WouldBlock as exc:           # a background process stopping first
            return exc.park(t)
    if request in (abi.TIOCGPGRP, abi.TIOCSPGRP):
        return _foreground_group(t, desc, request, arg)
    if request == abi.FIONREAD:
        if desc.inode is not None and desc.inode.is_dir:
            raise SyscallError(abi.ENOTTY)
        t.process.mm.write_i32(arg, desc.readable_bytes())
        return 0
    return desc.ioctl(request, arg, t.process.mm)


def _foreground_group(t: Thread, desc: FileDescription, request: int, arg: int) -> int:
    """TIOCGPGRP/TIOCSPGRP on the terminal: the container keeps its own foreground
    process group (the host terminal's is vkemu's), which host signals then reach."""
    is_tty = getattr(desc, "is_tty", None)
    if is_tty is None or not is_tty():
        raise SyscallError(abi.ENOTTY)
    kernel = t.process.kernel
    mm = t.process.mm
    if request == abi.TIOCGPGRP:
        mm.write_i32(arg, kernel.foreground_pgrp())
        return 0
    pgrp = mm.read_i32(arg)
    if pgrp < 0:
        raise SyscallError(abi.EINVAL)
    members = [p for p in kernel.processes.values() if p.pgid == pgrp and p.exit_code is None]
    if not members:
        raise SyscallError(abi.ESRCH)
    if any(p.sid != t.process.sid for p in members):
        raise SyscallError(abi.EPERM)
    kernel.tty_pgrp = pgrp
    return 0


def sys_getdents64(t: Thread, fd: int, dirp: int, count: int) -> int:
    """getdents64(2)."""
    desc = t.process.fds.get(fd)
    t.process.mm.check_access(dirp, min(count, 1 << 16), writable=True)
    data = desc.getdents(count)
    t.process.mm.write(dirp, data)
    return len(data)


def sys_fsync(t: Thread, fd: int) -> int:
    """fsync(2): host-backed files reach the host disk before it returns (invariant 5)."""
    t.process.fds.get(fd).sync()
    return 0


def sys_fdatasync(t: Thread, fd: int) -> int:
    """fdatasync(2)."""
    return sys_fsync(t, fd)


def sys_syncfs(t: Thread, fd: int) -> int:
    """syncfs(2): host-backed layers are written through already."""
    t.process.fds.get(fd)
    return 0


def sys_fadvise64(t: Thread, fd: int, offset: int, length: int, advice: int) -> int:
    """fadvise64(2): advice is accepted and ignored."""
    desc = t.process.fds.get(fd)
    if not desc.seekable:
        raise SyscallError(abi.ESPIPE)
    if advice not in range(6) or length < 0:
        raise SyscallError(abi.EINVAL)
    return 0


def sys_fallocate(t: Thread, fd: int, mode: int, offset: int, length: int) -> int:
    """fallocate(2): mode 0 (extend) only."""
    desc = t.process.fds.get(fd)
    if offset < 0 or length <= 0:
        raise SyscallError(abi.EINVAL)
    if mode != 0:
        raise SyscallError(abi.EOPNOTSUPP)
    if not desc.writable:
        raise SyscallError(abi.EBADF)
    if desc.size() < offset + length:
        t.process.kernel.quota.check_size(t, desc, offset + length, desc.size())
        desc.truncate(offset + length)
    return 0


_COPY_CHUNK = 1 << 20
# One sendfile or copy_file_range moves at most this much: both may return short counts
# (callers loop), and a copy from an endless source (/dev/zero, a sparse file) must not
# hold the kernel, which serves every guest thread, for seconds.
_COPY_MAX = 16 << 20


def _unread(src: FileDescription, n: int) -> None:
    """Give ``n`` bytes read through the source's offset back after a short write; a
    source that cannot seek (a host pipe) keeps them consumed."""
    try:
        src.seek(-n, abi.SEEK_CUR)
    except SyscallError:
        pass


def _copy(src: FileDescription, dst: FileDescription, count: int, src_offset: int | None,
          dst_offset: int | None) -> tuple[int, int | None, int | None]:
    """Copy up to ``count`` bytes through a bounce buffer; returns (n, new offsets)."""
    count = min(count, _COPY_MAX)
    total = 0
    buf = bytearray(min(count, _COPY_CHUNK) or 1)
    while total < count:
        view = memoryview(buf)[:min(len(buf), count - total)]
        n = src.read([view]) if src_offset is None else src.read_at([view], src_offset)
        if n == 0:
            break
        chunk = [view[:n]]
        try:
            written = dst.write(chunk) if dst_offset is None else dst.write_at(chunk, dst_offset)
        except WouldBlock as exc:
            written = exc.done            # no parking here: a full pipe takes what fits
        except SyscallError:
            # A failed write consumes nothing (cat then falls back to write(2) and reports
            # the error itself): Linux returns what went before, or the error.
            if src_offset is None:
                _unread(src, n)
            if total:
                break
            raise
        if written < n and src_offset is None:
            _unread(src, n - written)
        if not written and not total:
            raise SyscallError(abi.EAGAIN)
        total += written
        if src_offset is not None:
            src_offset += written
        if dst_offset is not None:
            dst_offset += written
        if written < n or n < len(view):
            # A short read is the source's end for now (end of file, a drained pipe):
            # return what moved, the caller loops; never chase a file that grows as it
            # is written (sendfile from a file into itself).
            break
    return total, src_offset, dst_offset


@_raises_sigpipe
def sys_sendfile(t: Thread, out_fd: int, in_fd: int, offset_ptr: int, count: int) -> int:
    """sendfile(2)."""
    src, dst = _readable(t, in_fd), _writable(t, out_fd)
    if dst.flags & abi.O_APPEND:
        raise SyscallError(abi.EINVAL)
    mm = t.process.mm
    start = None
    if offset_ptr:
        start = struct.unpack("<q", mm.read(offset_ptr, 8))[0]
        if start < 0:
            raise SyscallError(abi.EINVAL)
    n, end, _ = _copy(src, dst, min(count, MAX_RW), start, None)
    if offset_ptr:
        mm.write(offset_ptr, struct.pack("<q", end))
    return n


def sys_copy_file_range(t: Thread, fd_in: int, off_in: int, fd_out: int, off_out: int, length: int,
                        flags: int) -> int:
    """copy_file_range(2)."""
    if flags:
        raise SyscallError(abi.EINVAL)
    src, dst = _readable(t, fd_in), _writable(t, fd_out)
    if dst.flags & abi.O_APPEND:
        raise SyscallError(abi.EBADF)
    for desc in (src, dst):
        if desc.inode is None or desc.inode.is_dir:
            raise SyscallError(abi.EISDIR if desc.inode is not None else abi.EINVAL)
    mm = t.process.mm
    start_in = struct.unpack("<q", mm.read(off_in, 8))[0] if off_in else None
    start_out = struct.unpack("<q", mm.read(off_out, 8))[0] if off_out else None
    if (start_in is not None and start_in < 0) or (start_out is not None and start_out < 0):
        raise SyscallError(abi.EINVAL)
    pos_in = src.offset if start_in is None else start_in
    pos_out = dst.offset if start_out is None else start_out
    # Linux shortens the copy to the source's end of file, then refuses overlapping
    # ranges within one file.
    count = max(min(length, src.size() - pos_in), 0)
    st_in, st_out = src.stat(), dst.stat()
    if (st_in.dev, st_in.ino) == (st_out.dev, st_out.ino) and pos_out + count > pos_in and pos_out < pos_in + count:
        raise SyscallError(abi.EINVAL)
    n, end_in, end_out = _copy(src, dst, min(length, MAX_RW), start_in, start_out)
    if off_in:
        mm.write(off_in, struct.pack("<q", end_in))
    if off_out:
        mm.write(off_out, struct.pack("<q", end_out))
    return n

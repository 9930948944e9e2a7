"""Open file descriptions: the shared object an fd points at (offset, status flags).

Variants implement the byte transfer for their storage; the offset and O_APPEND rules
live here once.  ``readinto``/``write_from`` take memoryviews over guest memory so a
host-backed file moves bytes straight between the host and the guest.
"""
from __future__ import annotations

import fcntl
import os
import struct
import termios
from typing import TYPE_CHECKING, Callable

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError, from_os_error
from vkernel.sched import Scheduler, Wait
from vkernel.sources import Sources
from vkernel.waitq import WouldBlock

from vkernel.vfs.inode import Stat

if TYPE_CHECKING:
    from vkernel.pagecache import PageCache
    from vkernel.vfs.inode import Inode
    from vkernel.vfs.namespace import Location
    from vkernel.vfs.xattr import Store
    from vkernel.task import Thread
    from vkernel.waitq import WaitQueue


def copy_out(data: bytes | bytearray, views: list[memoryview], offset: int) -> int:
    """Copy ``data[offset:]`` into consecutive views; returns the byte count."""
    total = 0
    for view in views:
        chunk = data[offset + total:offset + total + len(view)]
        view[:len(chunk)] = chunk
        total += len(chunk)
        if len(chunk) < len(view):
            break
    return total


class FileDescription:
    """An open file.  Subclasses override the operations their object supports."""

    seekable = True
    # Whether the object has a poll method of its own (Linux's file_can_poll): epoll
    # refuses the others with EPERM, while poll and select call them always ready.
    pollable = False
    # The smallest read or write the object accepts.  Linux calls the object even for
    # 0 bytes; those with a minimum (eventfd, timerfd, signalfd) refuse it with EINVAL.
    # With 0, an empty read or write returns 0 without calling the object.
    min_io = 0
    # The inode holding a regular file's bytes, whose page cache (vkernel/pagecache.py)
    # read and write consult while the file is mapped shared; None for everything else.
    cache_inode: Inode | None = None

    def __init__(self, inode: Inode | None, flags: int, path: bytes = b"") -> None:
        self.inode = inode
        self.flags = flags & ~(abi.O_CREAT | abi.O_EXCL | abi.O_NOCTTY | abi.O_TRUNC | abi.O_CLOEXEC)
        self.path = path
        self.offset = 0
        self.dir_cursor: list[tuple[bytes, int, int]] | None = None
        self.refs = 0                  # fd entries (all fd tables) and VMAs pointing here
        # Run after close() when the last reference goes: epoll registrations live as
        # long as the description, not the fd (vkernel/epoll.py).
        self.release_hooks: list[Callable[[], None]] = []
        self.location: Location | None = None   # where it was opened, for *at() and /proc

    # -- access mode --
    @property
    def readable(self) -> bool:
        return self.flags & abi.O_ACCMODE in (abi.O_RDONLY, abi.O_RDWR) and not self.flags & abi.O_PATH

    @property
    def writable(self) -> bool:
        return self.flags & abi.O_ACCMODE in (abi.O_WRONLY, abi.O_RDWR) and not self.flags & abi.O_PATH

    @property
    def nonblocking(self) -> bool:
        return bool(self.flags & abi.O_NONBLOCK)

    # -- positional I/O, the primitives variants implement --
    def pread(self, views: list[memoryview], offset: int) -> int:
        raise SyscallError(abi.EINVAL)

    def pwrite(self, data: list[memoryview] | list[bytes], offset: int) -> int:
        raise SyscallError(abi.EINVAL)

    def size(self) -> int:
        return self.stat().size

    # -- the page cache, coherent with shared mappings --
    def page_cache(self) -> PageCache | None:
        inode = self.cache_inode
        return None if inode is None else inode.fs.numbers.page_caches.get(inode.ino)

    def pread_cached(self, views: list[memoryview], offset: int) -> int:
        """pread through the page cache: what every mapping of the file sees."""
        n = self.pread(views, offset)
        cache = self.page_cache()
        if cache is not None and n > 0:
            cache.read_over(views, offset, n)
        return n

    def pwrite_cached(self, data: list[memoryview] | list[bytes], offset: int) -> int:
        """pwrite through the page cache: every mapping of the file sees the bytes."""
        cache = self.page_cache()
        if cache is None:
            return self.pwrite(data, offset)
        payload = b"".join(data)       # a copy: ``data`` may be the mapped pages themselves
        n = self.pwrite([payload], offset)
        cache.write_through(payload[:n], offset)
        return n

    # -- stream I/O through the shared offset --
    def read(self, views: list[memoryview]) -> int:
        if not self.readable:
            raise SyscallError(abi.EBADF)
        if self.inode is not None and self.inode.is_dir:
            raise SyscallError(abi.EISDIR)
        n = self.pread_cached(views, self.offset)
        self.offset += n
        return n

    def write(self, data: list[memoryview] | list[bytes]) -> int:
        if not self.writable:
            raise SyscallError(abi.EBADF)
        if self.flags & abi.O_APPEND:
            self.offset = self.size()
        n = self.pwrite_cached(data, self.offset)
        self.offset += n
        return n

    def read_at(self, views: list[memoryview], offset: int) -> int:
        """pread(2): the same checks as read, the offset untouched."""
        if not self.readable:
            raise SyscallError(abi.EBADF)
        if not self.seekable:
            raise SyscallError(abi.ESPIPE)
        return self.pread_cached(views, offset)

    def write_at(self, data: list[memoryview] | list[bytes], offset: int) -> int:
        if not self.writable:
            raise SyscallError(abi.EBADF)
        if not self.seekable:
            raise SyscallError(abi.ESPIPE)
        # Linux quirk kept: pwrite on an O_APPEND file appends.
        return self.pwrite_cached(data, self.size() if self.flags & abi.O_APPEND else offset)

    def seek(self, offset: int, whence: int) -> int:
        if not self.seekable:
            raise SyscallError(abi.ESPIPE)
        if whence == abi.SEEK_SET:
            new = offset
        elif whence == abi.SEEK_CUR:
            new = self.offset + offset
        elif whence == abi.SEEK_END:
            new = self.size() + offset
        elif whence in (abi.SEEK_DATA, abi.SEEK_HOLE):
            size = self.size()
            if offset < 0 or offset >= size:
                raise SyscallError(abi.ENXIO)
            new = offset if whence == abi.SEEK_DATA else size
        else:
            raise SyscallError(abi.EINVAL)
        if new < 0:
            raise SyscallError(abi.EINVAL)
        self.offset = new
        if self.dir_cursor is not None and new == 0:
            self.dir_cursor = None
        return new

    # -- metadata --
    def stat(self) -> Stat:
        if self.inode is None:
            raise SyscallError(abi.EBADF)
        return self.inode.stat()

    def truncate(self, length: int) -> None:
        if self.inode is None or not self.writable:
            raise SyscallError(abi.EINVAL)
        self.inode.setattr(size=length)

    def setattr(self, *, mode: int | None = None, uid: int | None = None, gid: int | None = None,
                atime_ns: int | None = None, mtime_ns: int | None = None) -> None:
        """fchmod, fchown, futimens: the open file's attributes."""
        if self.inode is None:
            raise SyscallError(abi.EBADF)
        self.inode.setattr(mode=mode, uid=uid, gid=gid, atime_ns=atime_ns, mtime_ns=mtime_ns)

    def xattr_store(self) -> Store | None:
        """Where f*xattr(2) find the open file's extended attributes: its inode's."""
        return self.inode

    def sync(self) -> None:
        """fsync(2): nothing to do for storage that is not host-backed."""

    def ioctl(self, request: int, arg: int, mem) -> int:
        raise SyscallError(abi.ENOTTY)

    def readable_bytes(self) -> int:
        """FIONREAD."""
        return max(self.size() - self.offset, 0)

    # -- readiness (poll) --
    def poll(self) -> int:
        """The POLL* events ready now."""
        return abi.DEFAULT_POLLMASK

    def poll_queue(self) -> WaitQueue | None:
        """Where changes of :meth:`poll`'s answer are announced; None when it never
        changes (a regular file) or changes outside the kernel (see ``host_readiness``)."""
        return None

    @property
    def host_readiness(self) -> bool:
        """Readiness comes from the host fd ``fileno()``: a poller that waits watches it
        through the scheduler (Scheduler.watch_host), since nothing in the kernel announces it."""
        return False

    def getdents(self, capacity: int) -> bytes:
        """getdents64 records that fit in ``capacity`` bytes, advancing the cursor."""
        if self.inode is None or not self.inode.is_dir:
            raise SyscallError(abi.ENOTDIR)
        if self.dir_cursor is None:
            st = self.inode.stat()
            self.dir_cursor = [(b".", st.ino, abi.DT_DIR), (b"..", st.ino, abi.DT_DIR)] + self.inode.entries()
        out = bytearray()
        while self.offset < len(self.dir_cursor):
            name, ino, dtype = self.dir_cursor[self.offset]
            reclen = (19 + len(name) + 1 + 7) & ~7
            if len(out) + reclen > capacity:
                if not out:
                    raise SyscallError(abi.EINVAL)
                break
            out += struct.pack("<QqHB", ino, self.offset + 1, reclen, dtype) + name
            out += b"\0" * (reclen - 19 - len(name))
            self.offset += 1
        return bytes(out)

    def close(self) -> None:
        """Called once, when the last fd referring to this description closes."""

    def fileno(self) -> int | None:
        """The host fd behind this description, if any (for readiness and I/O)."""
        return None


class HostFileDescription(FileDescription):
    """A description over a host fd we own.

    ``positional`` descriptions (host files opened by the guest) keep their own offset
    and use pread/pwrite.  Stream descriptions (stdio, the terminal) use the host fd's
    own offset, so a guest writing to an inherited stdout appends where the host
    shell expects.

    Every operation on the host fd goes through ``sources`` (invariant 4): what the
    guest reads, the results and the readiness are what a recording stores.
    """

    def __init__(self, inode: Inode | None, flags: int, host_fd: int, path: bytes = b"",
                 positional: bool = True, sched: Scheduler | None = None, sources: Sources | None = None) -> None:
        super().__init__(inode, flags, path)
        self.host_fd = host_fd
        self.positional = positional
        # With a scheduler, a read that would block on the host parks only the calling
        # thread: the idle loop waits on the host fd with everything else.
        self.sched = sched
        self.sources = sources or Sources()

    def _host(self, kind: str, fn, *args):
        try:
            return self.sources.host_call(kind, self.host_fd, fn, *args)
        except OSError as exc:
            raise from_os_error(exc) from None

    def pread(self, views: list[memoryview], offset: int) -> int:
        try:
            return self.sources.host_readinto("pread", self.host_fd, os.preadv, views, offset)
        except OSError as exc:
            raise from_os_error(exc) from None

    def pwrite(self, data: list[memoryview] | list[bytes], offset: int) -> int:
        try:
            return self.sources.host_write("pwrite", self.host_fd, os.pwritev, data, offset)
        except OSError as exc:
            raise from_os_error(exc) from None

    def read(self, views: list[memoryview]) -> int:
        if self.positional:
            return super().read(views)
        if not self.readable:
            raise SyscallError(abi.EBADF)
        if self.sched is not None and not self.nonblocking and not self._host_readable():
            raise WouldBlock(self._park_reader)
        try:
            return self.sources.host_readinto("read", self.host_fd, os.readv, views)
        except OSError as exc:
            raise from_os_error(exc) from None

    def _host_readable(self) -> bool:
        # Any event counts, an error too: the read itself then reports it.
        return bool(self.sources.host_poll(self.host_fd, abi.POLLIN))

    def _park_reader(self, t: Thread) -> Block:
        """Park ``t`` until the host fd is readable; the read then runs again."""
        sched = self.sched
        assert sched is not None
        wait = Wait(t, f"host fd {self.host_fd} ({self.path.decode(errors='replace')}) to be readable")

        def ready(_: int) -> None:
            watch.cancel()
            sched.wake(t, None)
        watch = sched.watch_host(self.host_fd, abi.POLLIN, ready)
        wait.cancel = watch.cancel
        sched.block(wait)
        return Block()

    def write(self, data: list[memoryview] | list[bytes]) -> int:
        if self.positional:
            return super().write(data)
        if not self.writable:
            raise SyscallError(abi.EBADF)
        try:
            return self.sources.host_write("write", self.host_fd, os.writev, data)
        except OSError as exc:
            raise from_os_error(exc) from None

    def seek(self, offset: int, whence: int) -> int:
        if self.positional:
            return super().seek(offset, whence)
        if whence not in (abi.SEEK_SET, abi.SEEK_CUR, abi.SEEK_END, abi.SEEK_DATA, abi.SEEK_HOLE):
            raise SyscallError(abi.EINVAL)
        return self._host("lseek", os.lseek, self.host_fd, offset, whence)

    def stat(self) -> Stat:
        if self.inode is not None:
            return self.inode.stat()
        st = self._host("fstat", os.fstat, self.host_fd)
        return Stat(st.st_dev, st.st_ino, st.st_mode, st.st_nlink, st.st_uid, st.st_gid,
                          st.st_size, rdev=st.st_rdev, blksize=st.st_blksize, blocks=st.st_blocks,
                          atime_ns=st.st_atime_ns, mtime_ns=st.st_mtime_ns, ctime_ns=st.st_ctime_ns)

    def size(self) -> int:
        return self._host("fstat", os.fstat, self.host_fd).st_size

    def sync(self) -> None:
        self._host("fsync", os.fsync, self.host_fd)

    def is_tty(self) -> bool:
        return self._host("isatty", os.isatty, self.host_fd)

    def ioctl(self, request: int, arg: int, mem) -> int:
        """Terminal settings pass through to a host tty; ENOTTY elsewhere, as Linux.
        (The foreground process group is the container's own: see syscalls/fd.py.)"""
        # The kernel's struct termios is 36 bytes on x86-64 (no speeds; that is termios2).
        sizes = {abi.TCGETS: 36, abi.TIOCGWINSZ: 8, abi.TCSETS: 36, abi.TCSETSW: 36, abi.TCSETSF: 36,
                 abi.TIOCSWINSZ: 8}
        if request not in sizes or not self.is_tty():
            return super().ioctl(request, arg, mem)
        getting = request in (abi.TCGETS, abi.TIOCGWINSZ)
        buf = bytes(sizes[request]) if getting else bytes(mem.read(arg, sizes[request]))
        out = self._host("ioctl", _ioctl, self.host_fd, request, buf)
        if getting:
            mem.write(arg, out)
        return 0

    def poll(self) -> int:
        """A stream's readiness is the host fd's (POLL* values are the host's: both are
        x86-64 Linux); a positional file is always ready."""
        if self.positional:
            return super().poll()
        return self.sources.host_poll(self.host_fd, abi.POLLIN | abi.POLLPRI | abi.POLLOUT)

    @property
    def host_readiness(self) -> bool:
        return not self.positional

    @property
    def pollable(self) -> bool:  # type: ignore[override]
        return not self.positional

    def readable_bytes(self) -> int:
        if self.positional:
            return super().readable_bytes()
        return struct.unpack("<i", self._host("fionread", _ioctl, self.host_fd, termios.FIONREAD, bytes(4)))[0]

    def close(self) -> None:
        self.sources.host_call("close", self.host_fd, _close_quietly, self.host_fd)

    def fileno(self) -> int | None:
        return self.host_fd


def _ioctl(fd: int, request: int, arg: bytes) -> bytes:
    """An ioctl with an in/out buffer: the buffer as the host left it."""
    buf = bytearray(arg)
    fcntl.ioctl(fd, request, buf)
    return bytes(buf)


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def read_all(inode: Inode) -> bytes:
    """The whole content of a regular file (copy-up, exec, attestation digests)."""
    desc = inode.open(abi.O_RDONLY)
    try:
        chunks, offset = [], 0
        while True:
            buf = bytearray(1 << 20)
            n = desc.pread([memoryview(buf)], offset)
            if n == 0:
                return b"".join(chunks)
            chunks.append(bytes(buf[:n]))
            offset += n
    finally:
        desc.close()

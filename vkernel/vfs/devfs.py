"""/dev: the character devices a program expects, built over a MemFS directory."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.sources import Sources
from vkernel.vfs.file import FileDescription, HostFileDescription
from vkernel.vfs.inode import InodeNumbers, encode_dev
from vkernel.vfs.memfs import MemFS, MemInode

if TYPE_CHECKING:
    from vkernel.pty import Devpts


class DeviceFile(FileDescription):
    """A character device whose reads come from ``source`` and writes go to ``sink``."""

    seekable = True

    def __init__(self, inode: MemInode, flags: int, source: Callable[[int], bytes] | None,
                 sink_errno: int = 0) -> None:
        super().__init__(inode, flags)
        self.source = source
        self.sink_errno = sink_errno

    def pread(self, views: list[memoryview], offset: int) -> int:
        if self.source is None:
            return 0
        total = 0
        for view in views:
            data = self.source(len(view))
            view[:len(data)] = data
            total += len(data)
        return total

    def pwrite(self, data: list[memoryview] | list[bytes], offset: int) -> int:
        if self.sink_errno:
            raise SyscallError(self.sink_errno)
        return sum(len(chunk) for chunk in data)

    def size(self) -> int:
        return 0

    def readable_bytes(self) -> int:
        return 0


class DeviceInode(MemInode):
    def __init__(self, fs: MemFS, rdev: int, opener: Callable[[DeviceInode, int], FileDescription]) -> None:
        super().__init__(fs, abi.S_IFCHR | 0o666, 0, 0)
        self.rdev = rdev
        self.opener = opener

    def open(self, flags: int) -> FileDescription:
        return self.opener(self, flags)


def _open_host_tty(sources: Sources, inode: MemInode, flags: int) -> FileDescription:
    """/dev/tty: the host's controlling terminal, or ENXIO as Linux gives without one."""
    host_flags = {abi.O_RDONLY: os.O_RDONLY, abi.O_WRONLY: os.O_WRONLY}.get(flags & abi.O_ACCMODE, os.O_RDWR)
    try:
        fd = sources.host_call("open", "/dev/tty", os.open, "/dev/tty", host_flags | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError:
        raise SyscallError(abi.ENXIO) from None
    return HostFileDescription(inode, flags, fd, b"/dev/tty", positional=False, sources=sources)


def make_devfs(numbers: InodeNumbers, dev: int, sources: Sources, devpts: Devpts) -> MemFS:
    """A /dev with null, zero, full, random, urandom, tty, ptmx and pts/, and the std*
    links; random bytes and the host terminal come from ``sources``, pseudo-terminals
    from ``devpts``."""
    random_bytes = sources.random_bytes
    fs = MemFS(numbers, dev, root_mode=0o755)
    root = fs.root()

    def device(name: bytes, major: int, minor: int, source, sink_errno: int = 0) -> None:
        node = DeviceInode(fs, encode_dev(major, minor),
                           lambda ino, flags: DeviceFile(ino, flags, source, sink_errno))
        root.children[name] = node

    zeros = bytes(1 << 16)

    def zero_source(n: int) -> bytes:
        return zeros[:n] if n <= len(zeros) else bytes(n)

    device(b"null", 1, 3, None)
    device(b"zero", 1, 5, zero_source)
    device(b"full", 1, 7, zero_source, abi.ENOSPC)
    device(b"random", 1, 8, random_bytes)
    device(b"urandom", 1, 9, random_bytes)
    # /dev/tty: the caller's controlling pty if it has one, else the host's terminal.
    root.children[b"tty"] = DeviceInode(fs, encode_dev(5, 0), lambda ino, flags: (
        devpts.open_controlling(ino, flags) or _open_host_tty(sources, ino, flags)))
    root.children[b"ptmx"] = DeviceInode(fs, encode_dev(5, 2), devpts.open_master)
    for i, name in enumerate((b"stdin", b"stdout", b"stderr")):
        root.symlink(name, b"/proc/self/fd/%d" % i, 0, 0)
    root.symlink(b"fd", b"/proc/self/fd", 0, 0)
    root.mkdir(b"shm", 0o1777, 0, 0)
    pts = root.mkdir(b"pts", 0o755, 0, 0)
    assert isinstance(pts, MemInode)
    devpts.attach(fs, pts)
    return fs

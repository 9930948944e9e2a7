"""Files with no name in any filesystem (Linux's anon_inode files): epoll, eventfd,
timerfd, signalfd.  They share one inode on an anonymous device, mode 0600 with no
file type bits, and their /proc/self/fd link reads ``anon_inode:[kind]``."""
from __future__ import annotations

from vkernel import abi
from vkernel.vfs.file import FileDescription
from vkernel.vfs.inode import Stat, encode_dev

ANON_INODE_DEV = encode_dev(0, 14)
ANON_INODE_INO = 1


class AnonFile(FileDescription):
    """Not seekable, no size, pollable; reads and writes are each kind's own."""

    seekable = False
    pollable = True

    def __init__(self, kind: bytes, flags: int) -> None:
        super().__init__(None, abi.O_RDWR | flags & abi.O_NONBLOCK, b"anon_inode:" + kind)

    def stat(self) -> Stat:
        return Stat(ANON_INODE_DEV, ANON_INODE_INO, 0o600, 1, 0, 0, 0)

    def seek(self, offset: int, whence: int) -> int:
        """Linux's noop_llseek: lseek succeeds and the offset stays 0 (pread and pwrite
        are still ESPIPE)."""
        return 0

    def size(self) -> int:
        return 0

    def readable_bytes(self) -> int:
        return 0

"""An in-memory filesystem: tmpfs, the overlay's writable layer, and the base of dev/proc.

Directories hold their children by name; whiteouts and the opaque flag exist only for
the overlay (an upper-layer directory records what it hides of the lower layers).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs.file import FileDescription, copy_out
from vkernel.vfs.inode import Filesystem, Inode, InodeNumbers, Stat, Times, check_name, dtype_of
from vkernel.vfs.xattr import growth

if TYPE_CHECKING:
    from vkernel.policy.quota import WritableSpace


# The bytes one file may hold in host memory: a write past it fails with ENOSPC, as on
# a full tmpfs.  Sizes set by truncate cost nothing: past the written bytes a file is
# sparse and reads as zeros.
MEMFILE_MAX_BYTES = 256 << 20


class MemFS(Filesystem):
    """tmpfs: everything in host memory, gone when the kernel exits."""

    name = "tmpfs"

    def __init__(self, numbers: InodeNumbers, dev: int, readonly: bool = False, root_mode: int = 0o1777) -> None:
        super().__init__(numbers, dev, readonly)
        self._root = MemInode(self, abi.S_IFDIR | root_mode, 0, 0)
        self._root.nlink = 2
        # The [quotas] writable_bytes account (vkernel/policy/quota.py), shared by the
        # container's writable layers; None: only MEMFILE_MAX_BYTES per file applies.
        self.space: WritableSpace | None = None

    def root(self) -> MemInode:
        return self._root

    def charge(self, delta: int, force: bool = False) -> None:
        """File bytes held grow (or shrink) by ``delta``: ENOSPC past the quota, unless
        ``force``d (they are charged even past it)."""
        if self.space is not None:
            self.space.charge(delta, force)


class MemInode(Inode):
    def __init__(self, fs: MemFS, mode: int, uid: int, gid: int, target: bytes = b"") -> None:
        self.fs = fs
        self.ino = fs.numbers.new()
        self.mode_bits = mode
        self.uid, self.gid = uid, gid
        self.nlink = 1
        self.times = Times(fs.numbers.now_ns())
        # Invariant: a regular file's size is max(len(data), sparse_size); the bytes in
        # between were never written and read as zeros.
        self.data = bytearray()
        self.sparse_size = 0
        self.opens = 0          # open descriptions: the bytes are freed when 0 and unlinked
        self.target = target
        self.children: dict[bytes, MemInode] = {}
        self.whiteouts: set[bytes] = set()
        self.opaque = False
        self.rdev = 0
        # Extended attributes by full name; their bytes count as file bytes (the quota).
        self.xattrs: dict[bytes, bytes] = {}

    def stat(self) -> Stat:
        size = len(self.target) if self.is_symlink else (4096 if self.is_dir else self.size)
        blocks = 0 if self.is_symlink else ((size + 4095) // 4096) * 8
        return Stat(self.fs.dev, self.ino, self.mode_bits, self.nlink, self.uid, self.gid, size,
                    rdev=self.rdev, blocks=blocks, atime_ns=self.times.atime_ns,
                    mtime_ns=self.times.mtime_ns, ctime_ns=self.times.ctime_ns)

    @property
    def mode(self) -> int:
        return self.mode_bits

    @property
    def size(self) -> int:
        return max(len(self.data), self.sparse_size)

    def touch(self, change_only: bool = False) -> None:
        t = self.fs.numbers.now_ns()
        self.times.ctime_ns = t
        if not change_only:
            self.times.mtime_ns = t

    def setattr(self, *, mode: int | None = None, uid: int | None = None, gid: int | None = None,
                size: int | None = None, atime_ns: int | None = None, mtime_ns: int | None = None) -> None:
        self.fs.check_writable()
        if mode is not None:
            self.mode_bits = (self.mode_bits & abi.S_IFMT) | (mode & 0o7777)
        if uid is not None and uid != -1:
            self.uid = uid
        if gid is not None and gid != -1:
            self.gid = gid
        if size is not None:
            if self.is_dir:
                raise SyscallError(abi.EISDIR)
            cache = self.fs.numbers.page_caches.get(self.ino)
            if cache is not None:
                cache.resized(self.size, size)
            if size < len(self.data):
                self.fs.charge(size - len(self.data))
                del self.data[size:]
            self.sparse_size = size
            self.touch()
        if atime_ns is not None:
            self.times.atime_ns = atime_ns
        if mtime_ns is not None:
            self.times.mtime_ns = mtime_ns
        self.touch(change_only=True)

    # -- directories --
    def _dir(self) -> None:
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)

    def _check_alive(self) -> None:
        """Nothing new appears in a removed directory (IS_DEADDIR): ENOENT."""
        if self.nlink == 0:
            raise SyscallError(abi.ENOENT)

    def lookup(self, name: bytes) -> Inode:
        self._dir()
        child = self.children.get(name)
        if child is None:
            raise SyscallError(abi.ENOENT)
        return child

    def entries(self) -> list[tuple[bytes, int, int]]:
        self._dir()
        return [(name, c.ino, dtype_of(c.mode_bits)) for name, c in self.children.items()]

    def _add(self, name: bytes, child: MemInode) -> MemInode:
        self._dir()
        self._check_alive()
        self.fs.check_writable()
        check_name(name)
        if name in self.children:
            raise SyscallError(abi.EEXIST)
        self.children[name] = child
        self.whiteouts.discard(name)
        self.touch()
        return child

    def create(self, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        return self._add(name, MemInode(self.fs, abi.S_IFREG | (mode & 0o7777), uid, gid))

    def mknod(self, name: bytes, mode: int, uid: int, gid: int, rdev: int = 0) -> Inode:
        node = self._add(name, MemInode(self.fs, mode, uid, gid))
        node.rdev = rdev
        return node

    def mkdir(self, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        child = self._add(name, MemInode(self.fs, abi.S_IFDIR | (mode & 0o7777), uid, gid))
        child.nlink = 2
        self.nlink += 1
        return child

    def symlink(self, name: bytes, target: bytes, uid: int, gid: int) -> Inode:
        return self._add(name, MemInode(self.fs, abi.S_IFLNK | 0o777, uid, gid, target))

    def link(self, name: bytes, target: Inode) -> None:
        if not isinstance(target, MemInode) or target.fs is not self.fs:
            raise SyscallError(abi.EXDEV)
        if target.is_dir:
            raise SyscallError(abi.EPERM)
        self._add(name, target)
        target.nlink += 1
        target.touch(change_only=True)

    def _take(self, name: bytes) -> MemInode:
        self._dir()
        self.fs.check_writable()
        child = self.children.get(name)
        if child is None:
            raise SyscallError(abi.ENOENT)
        return child

    def replace_data(self, data: bytes) -> None:
        """The file's bytes become ``data`` (an overlay copy-up), charged to the quota
        even past it: a copy-up that failed half-way would leave an empty file over
        the lower one."""
        self.fs.charge(len(data) - len(self.data), force=True)
        self.data = bytearray(data)

    def forget_if_gone(self) -> None:
        """An unlinked file nobody has open: its bytes (data and extended attributes)
        leave the writable-bytes account."""
        if self.nlink > 0 or self.opens:
            return
        held = len(self.data) + sum(len(name) + len(value) for name, value in self.xattrs.items())
        if held:
            self.fs.charge(-held)
            self.data = bytearray()
            self.xattrs = {}

    def unlink(self, name: bytes) -> None:
        child = self._take(name)
        if child.is_dir:
            raise SyscallError(abi.EISDIR)
        del self.children[name]
        child.nlink -= 1
        child.forget_if_gone()
        child.touch(change_only=True)
        self.touch()

    def rmdir(self, name: bytes) -> None:
        child = self._take(name)
        if not child.is_dir:
            raise SyscallError(abi.ENOTDIR)
        if child.children:
            raise SyscallError(abi.ENOTEMPTY)
        del self.children[name]
        child.nlink = 0
        child.forget_if_gone()
        self.nlink -= 1
        self.touch()

    def rename(self, name: bytes, new_dir: Inode, new_name: bytes, flags: int) -> None:
        child = self._take(name)
        if not isinstance(new_dir, MemInode) or new_dir.fs is not self.fs:
            raise SyscallError(abi.EXDEV)
        new_dir._dir()
        new_dir._check_alive()
        check_name(new_name)
        existing = new_dir.children.get(new_name)
        if flags & abi.RENAME_NOREPLACE and existing is not None:
            raise SyscallError(abi.EEXIST)
        if flags & abi.RENAME_EXCHANGE:
            if existing is None:
                raise SyscallError(abi.ENOENT)
            self.children[name], new_dir.children[new_name] = existing, child
            return
        if existing is child:
            return
        if existing is not None:
            if child.is_dir and not existing.is_dir:
                raise SyscallError(abi.ENOTDIR)
            if existing.is_dir and not child.is_dir:
                raise SyscallError(abi.EISDIR)
            if existing.is_dir and existing.children:
                raise SyscallError(abi.ENOTEMPTY)
            existing.nlink -= 1 if not existing.is_dir else existing.nlink
            existing.forget_if_gone()
            if existing.is_dir:
                new_dir.nlink -= 1
        del self.children[name]
        new_dir.children[new_name] = child
        new_dir.whiteouts.discard(new_name)
        if child.is_dir and new_dir is not self:
            self.nlink -= 1
            new_dir.nlink += 1
        child.touch(change_only=True)
        self.touch()
        new_dir.touch()

    def readlink(self) -> bytes:
        if not self.is_symlink:
            raise SyscallError(abi.EINVAL)
        return self.target

    # -- extended attributes: listed in name order, as tmpfs keeps them --
    def getxattr(self, name: bytes) -> bytes:
        value = self.xattrs.get(name)
        if value is None:
            raise SyscallError(abi.ENODATA)
        return value

    def listxattr(self) -> list[bytes]:
        return sorted(self.xattrs)

    def setxattr(self, name: bytes, value: bytes, flags: int) -> None:
        self.fs.check_writable()
        self.fs.charge(growth(self.xattrs, name, value, flags))
        self.xattrs[name] = value
        self.touch(change_only=True)

    def removexattr(self, name: bytes) -> None:
        self.fs.check_writable()
        value = self.xattrs.pop(name, None)
        if value is None:
            raise SyscallError(abi.ENODATA)
        self.fs.charge(-len(name) - len(value))
        self.touch(change_only=True)

    def open(self, flags: int) -> FileDescription:
        if flags & abi.O_TRUNC and self.mode_bits & abi.S_IFMT == abi.S_IFREG and flags & abi.O_ACCMODE:
            self.setattr(size=0)
        return MemFile(self, flags)


class MemFile(FileDescription):
    """An open regular file or directory of a MemFS.

    ``node`` holds the bytes; ``inode`` is what fstat reports, which an overlay replaces
    with its own inode.
    """

    def __init__(self, node: MemInode, flags: int) -> None:
        super().__init__(node, flags)
        self.node = node
        node.opens += 1
        if node.mode_bits & abi.S_IFMT == abi.S_IFREG:
            self.cache_inode = node

    def close(self) -> None:
        self.node.opens -= 1
        self.node.forget_if_gone()

    def pread(self, views: list[memoryview], offset: int) -> int:
        if self.node.is_dir:
            raise SyscallError(abi.EISDIR)
        node = self.node
        done = copy_out(node.data, views, offset)
        want = min(sum(len(view) for view in views), node.size - offset)
        # The sparse tail: zeros up to the file's size.
        pos = 0
        for view in views:
            if done >= want:
                break
            if pos + len(view) > done:
                n = min(pos + len(view), want) - done
                view[done - pos:done - pos + n] = bytes(n)
                done += n
            pos += len(view)
        return done

    def pwrite(self, chunks: list[memoryview] | list[bytes], offset: int) -> int:
        payload = b"".join(chunks)
        data = self.node.data
        if offset + len(payload) > MEMFILE_MAX_BYTES and offset + len(payload) > len(data):
            raise SyscallError(abi.ENOSPC)
        if offset + len(payload) > len(data):
            self.node.fs.charge(offset + len(payload) - len(data))
        if offset > len(data):
            data.extend(bytes(offset - len(data)))
        data[offset:offset + len(payload)] = payload
        if payload:
            self.node.touch()
        return len(payload)

    def size(self) -> int:
        return self.node.size

"""An overlay of a read-only lower tree and an in-memory upper layer, as overlayfs does it.

Invariants:
- The lower tree is never written: the first write to a lower object copies it (and its
  parent directories) up into the upper layer, keeping the inode number.
- A name deleted from the merged view that exists below is hidden by a whiteout in the
  upper directory; a directory created over a whiteout is opaque.
- One OverlayInode per path is cached in its parent, so every open description of a
  path sees the same copy-up.
"""
from __future__ import annotations

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs.file import FileDescription, read_all
from vkernel.vfs.inode import Filesystem, Inode, InodeNumbers, Stat, StatFs, dtype_of
from vkernel.vfs.memfs import MemFS, MemInode


class OverlayFS(Filesystem):
    name = "overlay"
    magic = 0x794C7630

    def __init__(self, numbers: InodeNumbers, dev: int, lower: Inode, upper: MemFS | None = None) -> None:
        super().__init__(numbers, dev)
        self.lower_root = lower
        self.upper = upper or MemFS(numbers, dev)
        self._root = OverlayInode(self, None, b"", self.upper.root(), lower)

    def root(self) -> OverlayInode:
        return self._root

    def statfs(self) -> StatFs:
        st = self.lower_root.fs.statfs()
        st.magic, st.flags = self.magic, 0
        return st


class OverlayInode(Inode):
    def __init__(self, fs: OverlayFS, parent: OverlayInode | None, name: bytes,
                 upper: MemInode | None, lower: Inode | None) -> None:
        self.fs = fs
        self.parent = parent
        self.name = name
        self.upper = upper
        self.lower = lower
        self.ino = lower.ino if lower is not None else upper.ino  # type: ignore[union-attr]
        self._children: dict[bytes, OverlayInode] = {}
        self.removed = False          # this name was unlinked or rmdir'ed

    @property
    def top(self) -> Inode:
        return self.upper if self.upper is not None else self.lower  # type: ignore[return-value]

    @property
    def immutable(self) -> bool:  # type: ignore[override]
        return self.upper is None and self.lower is not None and self.lower.immutable

    @property
    def mode(self) -> int:
        return self.top.mode

    def stat(self) -> Stat:
        st = self.top.stat()
        st.dev, st.ino = self.fs.dev, self.ino
        return st

    @property
    def unlinked(self) -> bool:  # type: ignore[override]
        # A removed lower-layer directory keeps its lower nlink: the flag is the truth.
        return self.removed or self.top.unlinked

    # -- lookup and listing --
    def lookup(self, name: bytes) -> Inode:
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)
        cached = self._children.get(name)
        if cached is not None:
            return cached
        up: MemInode | None = None
        if self.upper is not None:
            if name in self.upper.whiteouts:
                raise SyscallError(abi.ENOENT)
            up = self.upper.children.get(name)
        low: Inode | None = None
        hides_lower = self.upper is not None and self.upper.opaque
        if self.lower is not None and not hides_lower and (up is None or up.is_dir):
            try:
                low = self.lower.lookup(name)
            except SyscallError as exc:
                if exc.errno not in (abi.ENOENT, abi.ENOTDIR):
                    raise
            if up is not None and low is not None and (not low.is_dir or up.opaque):
                low = None
        if up is None and low is None:
            raise SyscallError(abi.ENOENT)
        child = OverlayInode(self.fs, self, name, up, low)
        self._children[name] = child
        return child

    def entries(self) -> list[tuple[bytes, int, int]]:
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)
        out: list[tuple[bytes, int, int]] = []
        seen: set[bytes] = set()
        hidden: set[bytes] = set()
        if self.upper is not None:
            hidden = self.upper.whiteouts
        if self.lower is not None and not (self.upper is not None and self.upper.opaque):
            for name, ino, dtype in self.lower.entries():
                if name in hidden:
                    continue
                up = self.upper.children.get(name) if self.upper is not None else None
                if up is not None:
                    ino = ino if up.is_dir and dtype == abi.DT_DIR else self.lookup(name).ino
                    dtype = dtype_of(up.mode_bits)
                out.append((name, ino, dtype))
                seen.add(name)
        if self.upper is not None:
            for name, child in self.upper.children.items():
                if name not in seen:
                    out.append((name, self.lookup(name).ino, dtype_of(child.mode_bits)))
        return out

    def _has_entries(self) -> bool:
        return bool(self.entries())

    # -- copy-up --
    def copy_up(self) -> MemInode:
        if self.upper is not None:
            return self.upper
        assert self.parent is not None and self.lower is not None
        parent_upper = self.parent.copy_up()
        st = self.lower.stat()
        kind = st.mode & abi.S_IFMT
        if kind == abi.S_IFDIR:
            up = parent_upper.mkdir(self.name, st.mode, st.uid, st.gid)
        elif kind == abi.S_IFLNK:
            up = parent_upper.symlink(self.name, self.lower.readlink(), st.uid, st.gid)
        elif kind == abi.S_IFREG:
            up = parent_upper.create(self.name, st.mode, st.uid, st.gid)
            assert isinstance(up, MemInode)
            up.data = bytearray(read_all(self.lower))
        else:
            raise SyscallError(abi.EPERM)
        assert isinstance(up, MemInode)
        up.times.atime_ns, up.times.mtime_ns, up.times.ctime_ns = st.atime_ns, st.mtime_ns, st.ctime_ns
        self.upper = up
        if kind != abi.S_IFDIR:
            self.lower = None
        return up

    # -- mutations, all in the upper layer --
    def _exists(self, name: bytes) -> OverlayInode | None:
        try:
            return self.lookup(name)  # type: ignore[return-value]
        except SyscallError as exc:
            if exc.errno == abi.ENOENT:
                return None
            raise

    def _new_child(self, name: bytes, make) -> Inode:
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)
        if self.removed:
            raise SyscallError(abi.ENOENT)
        if self._exists(name) is not None:
            raise SyscallError(abi.EEXIST)
        upper = self.copy_up()
        was_whiteout = name in upper.whiteouts
        child_upper = make(upper)
        if was_whiteout and child_upper.is_dir:
            child_upper.opaque = True
        child = OverlayInode(self.fs, self, name, child_upper, None)
        self._children[name] = child
        return child

    def create(self, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        return self._new_child(name, lambda up: up.create(name, mode, uid, gid))

    def mkdir(self, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        return self._new_child(name, lambda up: up.mkdir(name, mode, uid, gid))

    def symlink(self, name: bytes, target: bytes, uid: int, gid: int) -> Inode:
        return self._new_child(name, lambda up: up.symlink(name, target, uid, gid))

    def link(self, name: bytes, target: Inode) -> None:
        if not isinstance(target, OverlayInode) or target.fs is not self.fs:
            raise SyscallError(abi.EXDEV)
        if target.is_dir:
            raise SyscallError(abi.EPERM)
        if self._exists(name) is not None:
            raise SyscallError(abi.EEXIST)
        target_upper = target.copy_up()
        self.copy_up().link(name, target_upper)
        self._children[name] = OverlayInode(self.fs, self, name, target_upper, None)
        self._children[name].ino = target.ino

    def _remove(self, name: bytes, want_dir: bool) -> None:
        child = self.lookup(name)
        assert isinstance(child, OverlayInode)
        if want_dir and not child.is_dir:
            raise SyscallError(abi.ENOTDIR)
        if not want_dir and child.is_dir:
            raise SyscallError(abi.EISDIR)
        if want_dir and child._has_entries():
            raise SyscallError(abi.ENOTEMPTY)
        upper = self.copy_up()
        if child.upper is not None:
            if want_dir:
                child.upper.children.clear()
                upper.rmdir(name)
            else:
                upper.unlink(name)
        if child.lower is not None:
            upper.whiteouts.add(name)
            upper.touch()
        del self._children[name]
        child.removed = True

    def unlink(self, name: bytes) -> None:
        self._remove(name, want_dir=False)

    def rmdir(self, name: bytes) -> None:
        self._remove(name, want_dir=True)

    def rename(self, name: bytes, new_dir: Inode, new_name: bytes, flags: int) -> None:
        if not isinstance(new_dir, OverlayInode) or new_dir.fs is not self.fs:
            raise SyscallError(abi.EXDEV)
        if flags & abi.RENAME_EXCHANGE:
            raise SyscallError(abi.EINVAL)
        child = self.lookup(name)
        assert isinstance(child, OverlayInode)
        if child.is_dir and child.lower is not None:
            # overlayfs without redirect_dir: the caller (mv) falls back to copying.
            raise SyscallError(abi.EXDEV)
        target = new_dir._exists(new_name)
        if target is child:
            return
        if target is not None:
            if flags & abi.RENAME_NOREPLACE:
                raise SyscallError(abi.EEXIST)
            if child.is_dir and not target.is_dir:
                raise SyscallError(abi.ENOTDIR)
            if target.is_dir and not child.is_dir:
                raise SyscallError(abi.EISDIR)
            if target.is_dir and target._has_entries():
                raise SyscallError(abi.ENOTEMPTY)
        moved = child.copy_up()
        src_upper = self.copy_up()
        dst_upper = new_dir.copy_up()
        if target is not None and target.upper is None:
            dst_upper.whiteouts.discard(new_name)
        had_lower_below = target is not None and target.lower is not None
        src_upper.rename(name, dst_upper, new_name, flags & abi.RENAME_NOREPLACE)
        if moved.is_dir and had_lower_below:
            moved.opaque = True
        if child.lower is not None or self._lower_has(name):
            src_upper.whiteouts.add(name)
        del self._children[name]
        new_dir._children.pop(new_name, None)
        child.parent, child.name, child.lower = new_dir, new_name, None
        new_dir._children[new_name] = child

    def _lower_has(self, name: bytes) -> bool:
        if self.lower is None or (self.upper is not None and self.upper.opaque):
            return False
        try:
            self.lower.lookup(name)
            return True
        except SyscallError:
            return False

    def setattr(self, **changes) -> None:  # type: ignore[override]
        self.copy_up().setattr(**changes)

    def readlink(self) -> bytes:
        return self.top.readlink()

    def open(self, flags: int) -> FileDescription:
        writing = flags & abi.O_ACCMODE != abi.O_RDONLY or flags & abi.O_TRUNC
        if writing and not self.is_dir:
            self.copy_up()
        if self.is_dir or flags & abi.O_PATH:
            if writing and not flags & abi.O_PATH:
                raise SyscallError(abi.EISDIR)
            return FileDescription(self, flags)
        desc = self.top.open(flags)
        desc.inode = self
        return desc

"""The root overlay: read-only lower layers under one writable upper layer, as overlayfs.

Invariants:
- Lower layers are never written: the first write to a lower object copies it (and its
  parent directories) up into the upper layer, keeping its inode number.
- Lookup goes from the upper layer down: an upper entry always wins; a non-directory
  hides everything below it; directories of the same name merge until a layer's
  whiteout or opaque directory stops the descent (OCI markers in image layers, see
  layers.py).  Readdir merges the same way, and reports the inode numbers lookup gives.
- A name deleted from the merged view that exists below is hidden by a whiteout in the
  upper directory; a directory put where a lower one was is made opaque.
- One OverlayInode per path is cached in its parent, so every open description of a
  path sees the same copy-up.

The upper layer lives in memory (writes vanish at exit) or in a host directory
(``--upper``), where whiteouts and opaque flags are recorded as OCI marker files
(``.wh.NAME``, ``.wh..wh..opq``): the overlayfs character device 0/0 needs privilege
to create, so it is only honoured when found.
"""
from __future__ import annotations

import itertools
import os
from typing import Callable, Sequence

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs import xattr
from vkernel.vfs.file import FileDescription, read_all
from vkernel.vfs.hostfs import HostFS, HostInode, open_beneath
from vkernel.vfs.inode import Filesystem, Inode, InodeNumbers, Stat, StatFs, check_name
from vkernel.vfs.layers import (OPAQUE_MARKER, SPECIAL_PREFIX, WHITEOUT_PREFIX, LowerLayer,
                                is_whiteout_device)
from vkernel.vfs.memfs import MemFS, MemInode


# -- the writable layer ---------------------------------------------------------------------

class Upper:
    """The writable layer's tree and where it keeps whiteouts and opaque flags."""

    fs: Filesystem

    def root(self) -> Inode:
        return self.fs.root()

    def child(self, directory: Inode, name: bytes) -> Inode | None:
        """The entry ``name`` of an upper directory, None if there is none."""
        try:
            return directory.lookup(name)
        except SyscallError as exc:
            if exc.errno == abi.ENOENT:
                return None
            raise

    def listing(self, directory: Inode) -> list[tuple[bytes, int, int]]:
        return directory.entries()

    def is_whiteout(self, directory: Inode, name: bytes) -> bool:
        raise NotImplementedError

    def whiteouts(self, directory: Inode) -> set[bytes]:
        raise NotImplementedError

    def add_whiteout(self, directory: Inode, name: bytes) -> None:
        raise NotImplementedError

    def drop_whiteout(self, directory: Inode, name: bytes) -> None:
        raise NotImplementedError

    def is_opaque(self, directory: Inode) -> bool:
        raise NotImplementedError

    def set_opaque(self, directory: Inode) -> None:
        raise NotImplementedError

    def clear_marks(self, directory: Inode) -> None:
        """Drop a directory's markers before it is removed or replaced."""

    def check_name(self, name: bytes) -> None:
        """Refuse a name the layer cannot hold as an entry."""

    def create(self, directory: Inode, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        return directory.create(name, mode, uid, gid)

    def mkdir(self, directory: Inode, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        return directory.mkdir(name, mode, uid, gid)

    def copy_up(self, directory: Inode, name: bytes, lower: Inode) -> Inode:
        """A copy of ``lower`` (data and metadata) as ``name`` in ``directory``."""
        raise NotImplementedError

    def sync(self, inode: Inode) -> None:
        """fsync(2) of an upper directory."""

    def refresh(self, directory: Inode, name: bytes, old: Inode) -> Inode:
        """The upper object now at ``name`` in ``directory``, ``old`` having moved there."""
        return old

    def statfs(self) -> StatFs:
        return self.fs.statfs()


class MemUpper(Upper):
    """The default writable layer: memory, gone at exit."""

    fs: MemFS

    def __init__(self, fs: MemFS) -> None:
        self.fs = fs

    def is_whiteout(self, directory: Inode, name: bytes) -> bool:
        return name in directory.whiteouts  # type: ignore[attr-defined]

    def whiteouts(self, directory: Inode) -> set[bytes]:
        return directory.whiteouts  # type: ignore[attr-defined]

    def add_whiteout(self, directory: Inode, name: bytes) -> None:
        assert isinstance(directory, MemInode)
        directory.whiteouts.add(name)
        directory.touch()

    def drop_whiteout(self, directory: Inode, name: bytes) -> None:
        directory.whiteouts.discard(name)  # type: ignore[attr-defined]

    def is_opaque(self, directory: Inode) -> bool:
        return directory.opaque  # type: ignore[attr-defined]

    def set_opaque(self, directory: Inode) -> None:
        directory.opaque = True  # type: ignore[attr-defined]

    def copy_up(self, directory: Inode, name: bytes, lower: Inode) -> Inode:
        st = lower.stat()
        kind = st.mode & abi.S_IFMT
        if kind == abi.S_IFDIR:
            up = directory.mkdir(name, st.mode, st.uid, st.gid)
        elif kind == abi.S_IFLNK:
            up = directory.symlink(name, lower.readlink(), st.uid, st.gid)
        elif kind == abi.S_IFREG:
            up = directory.create(name, st.mode, st.uid, st.gid)
            up.replace_data(read_all(lower))  # type: ignore[attr-defined]   (charged to writable_bytes)
        else:
            raise SyscallError(abi.EPERM)
        assert isinstance(up, MemInode)
        for attr in lower.listxattr():
            value = lower.getxattr(attr)
            self.fs.charge(len(attr) + len(value), force=True)
            up.xattrs[attr] = value
        up.times.atime_ns, up.times.mtime_ns, up.times.ctime_ns = st.atime_ns, st.mtime_ns, st.ctime_ns
        return up


class HostUpper(Upper):
    """A writable layer in a host directory (``--upper DIR``), kept after the run.

    Whiteouts are ``.wh.NAME`` files and an opaque directory holds ``.wh..wh..opq``, so
    the container cannot create names starting with ``.wh.`` here (EPERM).  Copy-up
    writes a temporary marker file, fsyncs it and renames it into place, so a crash
    never leaves a half-copied file hiding the lower one.
    """

    fs: HostFS

    def __init__(self, fs: HostFS) -> None:
        self.fs = fs
        self._temp = itertools.count()

    def _has(self, directory: Inode, name: bytes) -> bool:
        return super().child(directory, name) is not None

    def child(self, directory: Inode, name: bytes) -> Inode | None:
        if name.startswith(WHITEOUT_PREFIX):
            return None
        node = super().child(directory, name)
        if node is not None and is_whiteout_device(node):
            return None
        return node

    def listing(self, directory: Inode) -> list[tuple[bytes, int, int]]:
        out = []
        for name, ino, dtype in directory.entries():
            if name.startswith(WHITEOUT_PREFIX):
                continue
            if dtype == abi.DT_CHR and is_whiteout_device(directory.lookup(name)):
                continue
            out.append((name, ino, dtype))
        return out

    def is_whiteout(self, directory: Inode, name: bytes) -> bool:
        if len(WHITEOUT_PREFIX + name) <= 255 and self._has(directory, WHITEOUT_PREFIX + name):
            return True
        node = super().child(directory, name)
        return node is not None and is_whiteout_device(node)

    def whiteouts(self, directory: Inode) -> set[bytes]:
        out = set()
        for name, _, dtype in directory.entries():
            if name.startswith(WHITEOUT_PREFIX) and not name.startswith(SPECIAL_PREFIX):
                out.add(name[len(WHITEOUT_PREFIX):])
            elif dtype == abi.DT_CHR and is_whiteout_device(directory.lookup(name)):
                out.add(name)
        return out

    def _marker(self, directory: Inode, name: bytes) -> None:
        if not self._has(directory, name):
            directory.create(name, 0o600, 0, 0)

    def _drop(self, directory: Inode, name: bytes) -> None:
        try:
            directory.unlink(name)
        except SyscallError as exc:
            if exc.errno != abi.ENOENT:
                raise

    def add_whiteout(self, directory: Inode, name: bytes) -> None:
        # A name too long for its marker cannot be whited out: the removal fails instead.
        check_name(WHITEOUT_PREFIX + name)
        self._marker(directory, WHITEOUT_PREFIX + name)

    def drop_whiteout(self, directory: Inode, name: bytes) -> None:
        if len(WHITEOUT_PREFIX + name) <= 255:
            self._drop(directory, WHITEOUT_PREFIX + name)
        node = super().child(directory, name)
        if node is not None and is_whiteout_device(node):
            self._drop(directory, name)

    def is_opaque(self, directory: Inode) -> bool:
        return self._has(directory, OPAQUE_MARKER)

    def set_opaque(self, directory: Inode) -> None:
        self._marker(directory, OPAQUE_MARKER)

    def clear_marks(self, directory: Inode) -> None:
        for name, _, dtype in directory.entries():
            if name.startswith(WHITEOUT_PREFIX) or (dtype == abi.DT_CHR
                                                    and is_whiteout_device(directory.lookup(name))):
                self._drop(directory, name)

    def check_name(self, name: bytes) -> None:
        if name.startswith(WHITEOUT_PREFIX):
            raise SyscallError(abi.EPERM)

    def _settle(self, node: Inode, mode: int, uid: int, gid: int) -> None:
        """The host's umask and owner are not the guest's: set both as asked (the owner
        only where the host lets vkemu)."""
        node.setattr(mode=mode & 0o7777)
        try:
            node.setattr(uid=uid, gid=gid)
        except SyscallError as exc:
            if exc.errno != abi.EPERM:
                raise

    def create(self, directory: Inode, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        self.check_name(name)
        node = directory.create(name, mode, uid, gid)
        self._settle(node, mode, uid, gid)
        return node

    def mkdir(self, directory: Inode, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        self.check_name(name)
        node = directory.mkdir(name, mode, uid, gid)
        self._settle(node, mode, uid, gid)
        return node

    def copy_up(self, directory: Inode, name: bytes, lower: Inode) -> Inode:
        st = lower.stat()
        kind = st.mode & abi.S_IFMT
        if kind == abi.S_IFDIR:
            up = directory.mkdir(name, 0o700, st.uid, st.gid)
        elif kind == abi.S_IFLNK:
            up = directory.symlink(name, lower.readlink(), st.uid, st.gid)
        elif kind == abi.S_IFREG:
            temp = SPECIAL_PREFIX + b".copyup%d" % next(self._temp)
            self._drop(directory, temp)
            up = directory.create(temp, 0o600, st.uid, st.gid)
            self._write(up, read_all(lower))
        else:
            raise SyscallError(abi.EPERM)
        if kind != abi.S_IFLNK:
            self._copy_xattrs(lower, up)
            self._settle(up, st.mode, st.uid, st.gid)
        if kind == abi.S_IFREG:
            self._fsync(up)
        up.setattr(atime_ns=st.atime_ns, mtime_ns=st.mtime_ns)
        if kind == abi.S_IFREG:
            directory.rename(temp, directory, name, 0)
            up = directory.lookup(name)
        self._fsync(directory)
        return up

    @staticmethod
    def _copy_xattrs(lower: Inode, up: Inode) -> None:
        """The lower object's user.* attributes, the only ones a host directory takes
        from us; a host filesystem without them copies up without them (as overlayfs
        ignores EOPNOTSUPP)."""
        for attr in lower.listxattr():
            if not attr.startswith(xattr.USER):
                continue
            try:
                up.setxattr(attr, lower.getxattr(attr), 0)
            except SyscallError as exc:
                if exc.errno != abi.EOPNOTSUPP:
                    raise
                return

    def _write(self, node: Inode, data: bytes) -> None:
        assert isinstance(node, HostInode)
        self.fs.host("copyup", node.rel, _write_file, self.fs.root_fd, node.rel, data)

    def _fsync(self, node: Inode) -> None:
        assert isinstance(node, HostInode)
        self.fs.host("fsync", node.rel, _fsync_path, self.fs.root_fd, node.rel)

    def sync(self, inode: Inode) -> None:
        self._fsync(inode)

    def refresh(self, directory: Inode, name: bytes, old: Inode) -> Inode:
        # Host objects are known by path, which a rename changes.
        return directory.lookup(name)


def _write_file(root_fd: int, rel: bytes, data: bytes) -> None:
    fd = open_beneath(root_fd, rel, os.O_WRONLY)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _fsync_path(root_fd: int, rel: bytes) -> None:
    fd = open_beneath(root_fd, rel, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- the merged view --------------------------------------------------------------------------

Stack = list[tuple[LowerLayer, Inode]]    # the lower directories or file behind one path, top first


class OverlayFS(Filesystem):
    name = "overlay"
    magic = 0x794C7630

    def __init__(self, numbers: InodeNumbers, dev: int, lowers: Sequence[LowerLayer],
                 upper: Upper | None = None) -> None:
        """``lowers`` top first (the last is the container root)."""
        super().__init__(numbers, dev)
        self.lowers = list(lowers)
        self.writable = upper or MemUpper(MemFS(numbers, dev))
        self.upper = self.writable.fs          # the filesystem that takes the writes
        up_root = self.writable.root()
        if upper is None and self.lowers:
            # The in-memory upper root stands for the container root: it starts as a
            # copy-up of the top layer's root (mode, owner, times), not as a tmpfs root.
            st = self.lowers[0].root.stat()
            assert isinstance(up_root, MemInode)
            up_root.mode_bits, up_root.uid, up_root.gid = st.mode, st.uid, st.gid
            up_root.times.atime_ns, up_root.times.mtime_ns, up_root.times.ctime_ns = (
                st.atime_ns, st.mtime_ns, st.ctime_ns)
        stack: Stack = []
        if not self.writable.is_opaque(up_root):
            for layer in self.lowers:
                stack.append((layer, layer.root))
                if layer.marks(layer.root).opaque:
                    break
        self._root = OverlayInode(self, None, b"", up_root, stack)

    def root(self) -> OverlayInode:
        return self._root

    def statfs(self) -> StatFs:
        """The figures of the host directory that takes the writes (``--upper``), else
        of the container root's host directory; the overlay's own type."""
        writes_to_host = isinstance(self.writable, HostUpper)
        roots = [layer.root.fs for layer in self.lowers if isinstance(layer.root.fs, HostFS)]
        st = self.writable.statfs() if writes_to_host or not roots else roots[-1].statfs()
        st.magic, st.flags = self.magic, 0
        return st


def _below(stack: Stack, name: bytes, dirs_only: bool) -> Stack:
    """The lower objects behind ``name`` in the directories ``stack``: the topmost entry,
    and under a directory the same-named directories down to a whiteout or opaque one."""
    out: Stack = []
    for layer, directory in stack:
        marks = layer.marks(directory)
        node: Inode | None = None
        if name not in marks.markers:
            try:
                node = directory.lookup(name)
            except SyscallError as exc:
                if exc.errno not in (abi.ENOENT, abi.ENOTDIR):
                    raise
        if node is not None:
            if not node.is_dir:
                if not out and not dirs_only:
                    out.append((layer, node))
                break
            out.append((layer, node))
            dirs_only = True
            if layer.marks(node).opaque:
                break
        if name in marks.whiteouts or marks.opaque:
            break
    return out


class OverlayInode(Inode):
    def __init__(self, fs: OverlayFS, parent: OverlayInode | None, name: bytes,
                 upper: Inode | None, lowers: Stack) -> None:
        self.fs = fs
        self.parent = parent
        self.name = name
        self.upper = upper
        self.lowers = lowers
        self.ino = lowers[0][1].ino if lowers else upper.ino  # type: ignore[union-attr]
        self._children: dict[bytes, OverlayInode] = {}
        self.removed = False          # this name was unlinked or rmdir'ed

    @property
    def top(self) -> Inode:
        return self.upper if self.upper is not None else self.lowers[0][1]

    @property
    def immutable(self) -> bool:  # type: ignore[override]
        return self.upper is None and self.lowers[0][1].immutable

    @property
    def mode(self) -> int:
        return self.top.mode

    def stat(self) -> Stat:
        st = self.top.stat()
        st.dev, st.ino = self.fs.dev, self.ino
        if self.upper is not None and self.lowers and self.is_dir:
            # A merged directory's subdirectories are mostly below: count their links
            # (Linux's overlayfs says 1; the lower count keeps `ls -la` as on the host).
            st.nlink = max(st.nlink, self.lowers[0][1].stat().nlink)
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
        upper_layer = self.fs.writable
        up = upper_layer.child(self.upper, name) if self.upper is not None else None
        lowers: Stack = []
        if up is None or up.is_dir:
            hidden = self.upper is not None and upper_layer.is_whiteout(self.upper, name)
            if not hidden and not (up is not None and upper_layer.is_opaque(up)):
                lowers = _below(self.lowers, name, dirs_only=up is not None)
        if up is None and not lowers:
            raise SyscallError(abi.ENOENT)
        child = OverlayInode(self.fs, self, name, up, lowers)
        self._children[name] = child
        return child

    def entries(self) -> list[tuple[bytes, int, int]]:
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)
        out: list[tuple[bytes, int, int]] = []
        seen: set[bytes] = set()
        hidden: set[bytes] = set()
        upper_layer = self.fs.writable
        if self.upper is not None:
            for name, _, dtype in upper_layer.listing(self.upper):
                out.append((name, self.lookup(name).ino, dtype))
                seen.add(name)
            hidden = set(upper_layer.whiteouts(self.upper))
        for layer, directory in self.lowers:
            marks = layer.marks(directory)
            for name, ino, dtype in directory.entries():
                if name in seen or name in hidden or name in marks.markers:
                    continue
                cached = self._children.get(name)
                out.append((name, cached.ino if cached is not None else ino, dtype))
                seen.add(name)
            hidden |= marks.whiteouts
        return out

    def _has_entries(self) -> bool:
        return bool(self.entries())

    # -- copy-up --
    def copy_up(self) -> Inode:
        if self.upper is not None:
            return self.upper
        assert self.parent is not None and self.lowers
        parent_upper = self.parent.copy_up()
        self.upper = self.fs.writable.copy_up(parent_upper, self.name, self.lowers[0][1])
        if not self.upper.is_dir:
            self.lowers = []
        return self.upper

    # -- mutations, all in the upper layer --
    def _exists(self, name: bytes) -> OverlayInode | None:
        try:
            return self.lookup(name)  # type: ignore[return-value]
        except SyscallError as exc:
            if exc.errno == abi.ENOENT:
                return None
            raise

    def _lower_has(self, name: bytes) -> bool:
        return bool(_below(self.lowers, name, dirs_only=False))

    def _new_child(self, name: bytes, make: Callable[[Inode], Inode]) -> Inode:
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)
        if self.removed:
            raise SyscallError(abi.ENOENT)
        check_name(name)
        if self._exists(name) is not None:
            raise SyscallError(abi.EEXIST)
        upper_layer = self.fs.writable
        upper_layer.check_name(name)
        upper = self.copy_up()
        child_upper = make(upper)
        # A directory where a lower one was (whited out) must not show its old entries.
        if child_upper.is_dir and self._lower_has(name):
            upper_layer.set_opaque(child_upper)
        upper_layer.drop_whiteout(upper, name)
        child = OverlayInode(self.fs, self, name, child_upper, [])
        self._children[name] = child
        return child

    def create(self, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        return self._new_child(name, lambda up: self.fs.writable.create(up, name, mode, uid, gid))

    def mkdir(self, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        return self._new_child(name, lambda up: self.fs.writable.mkdir(up, name, mode, uid, gid))

    def symlink(self, name: bytes, target: bytes, uid: int, gid: int) -> Inode:
        return self._new_child(name, lambda up: up.symlink(name, target, uid, gid))

    def mknod(self, name: bytes, mode: int, uid: int, gid: int, rdev: int = 0) -> Inode:
        # A host-backed upper layer holds no special files: EPERM from it.
        return self._new_child(name, lambda up: up.mknod(name, mode, uid, gid, rdev))

    def link(self, name: bytes, target: Inode) -> None:
        if not isinstance(target, OverlayInode) or target.fs is not self.fs:
            raise SyscallError(abi.EXDEV)
        if target.is_dir:
            raise SyscallError(abi.EPERM)
        if self._exists(name) is not None:
            raise SyscallError(abi.EEXIST)
        self.fs.writable.check_name(name)
        target_upper = target.copy_up()
        upper = self.copy_up()
        upper.link(name, target_upper)
        self.fs.writable.drop_whiteout(upper, name)
        child = OverlayInode(self.fs, self, name, target_upper, [])
        child.ino = target.ino
        self._children[name] = child

    def _remove(self, name: bytes, want_dir: bool) -> None:
        child = self.lookup(name)
        assert isinstance(child, OverlayInode)
        if want_dir and not child.is_dir:
            raise SyscallError(abi.ENOTDIR)
        if not want_dir and child.is_dir:
            raise SyscallError(abi.EISDIR)
        if want_dir and child._has_entries():
            raise SyscallError(abi.ENOTEMPTY)
        upper_layer = self.fs.writable
        upper = self.copy_up()
        if child.lowers or self._lower_has(name):
            upper_layer.add_whiteout(upper, name)
        if child.upper is not None:
            if want_dir:
                upper_layer.clear_marks(child.upper)
                upper.rmdir(name)
            else:
                upper.unlink(name)
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
        check_name(new_name)
        child = self.lookup(name)
        assert isinstance(child, OverlayInode)
        if child.is_dir and child.lowers:
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
        upper_layer = self.fs.writable
        upper_layer.check_name(new_name)
        source_below = self._lower_has(name)
        moved = child.copy_up()
        src_upper = self.copy_up()
        dst_upper = new_dir.copy_up()
        if target is not None and target.upper is not None and target.is_dir:
            upper_layer.clear_marks(target.upper)
        if source_below:
            upper_layer.add_whiteout(src_upper, name)
        src_upper.rename(name, dst_upper, new_name, flags & abi.RENAME_NOREPLACE)
        del self._children[name]
        if target is not None:
            target.removed = True
        new_dir._children.pop(new_name, None)
        child.parent, child.name, child.lowers = new_dir, new_name, []
        new_dir._children[new_name] = child
        child._rebase(dst_upper)
        if moved.is_dir and new_dir._lower_has(new_name):
            upper_layer.set_opaque(child.upper)  # type: ignore[arg-type]
        upper_layer.drop_whiteout(dst_upper, new_name)

    def _rebase(self, parent_upper: Inode) -> None:
        """After a rename: this subtree's upper objects as found at their new place."""
        if self.upper is None:
            return
        self.upper = self.fs.writable.refresh(parent_upper, self.name, self.upper)
        for child in self._children.values():
            child._rebase(self.upper)

    def setattr(self, **changes) -> None:  # type: ignore[override]
        self.copy_up().setattr(**changes)

    def readlink(self) -> bytes:
        return self.top.readlink()

    # -- extended attributes: read from the top object, written after a copy-up --
    def getxattr(self, name: bytes) -> bytes:
        return self.top.getxattr(name)

    def listxattr(self) -> list[bytes]:
        return self.top.listxattr()

    def setxattr(self, name: bytes, value: bytes, flags: int) -> None:
        self.copy_up().setxattr(name, value, flags)

    def removexattr(self, name: bytes) -> None:
        self.top.getxattr(name)             # ENODATA without a pointless copy-up
        self.copy_up().removexattr(name)

    def open(self, flags: int) -> FileDescription:
        writing = flags & abi.O_ACCMODE != abi.O_RDONLY or flags & abi.O_TRUNC
        if writing and not self.is_dir:
            self.copy_up()
        if self.is_dir or flags & abi.O_PATH:
            if writing and not flags & abi.O_PATH:
                raise SyscallError(abi.EISDIR)
            return OverlayDirectory(self, flags)
        desc = self.top.open(flags)
        desc.inode = self
        return desc


class OverlayDirectory(FileDescription):
    """An open overlay directory (or O_PATH object): fsync reaches a host upper layer."""

    def sync(self) -> None:
        inode = self.inode
        assert isinstance(inode, OverlayInode)
        if inode.upper is not None and inode.is_dir:
            inode.fs.writable.sync(inode.upper)

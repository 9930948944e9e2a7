"""Read-only lower layers of the root overlay: host directories and image tarballs.

A layer is a tree plus, for image layers, the OCI whiteout convention: in a directory,
``.wh.NAME`` hides NAME of the layers below and ``.wh..wh..opq`` hides everything below
the directory itself.  Overlayfs's own whiteout, a character device 0/0, counts as well.
Markers are never entries of the merged view.  The container root (``--root`` or the
host root) is a plain tree: its ``.wh.*`` files are ordinary files.

A tarball is read once into memory (no file of it is ever written to the host);
entries that could name anything outside the layer, device nodes and links to nothing
are refused with a warning and the rest loads.  A tarball past the limits (TarLimits:
its uncompressed bytes, one entry's size, its entry count) is refused whole, read no
further than the limit: a decompression bomb costs at most the limit in time and one
entry's worth of memory at a time.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import os
import tarfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Callable

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs.file import FileDescription
from vkernel.vfs.inode import NAME_MAX, Inode, InodeNumbers
from vkernel.vfs.memfs import MemFS, MemFile, MemInode
from vkernel.vfs.xattr import SECURITY, TRUSTED, USER

WHITEOUT_PREFIX = b".wh."
OPAQUE_MARKER = b".wh..wh..opq"
# `.wh..wh.*` names are the convention's own markers (opaque, and our copy-up temporaries).
SPECIAL_PREFIX = b".wh..wh."


class LayerError(Exception):
    """A layer cannot be used at all (not a directory, not a tar file); the message says why."""


@dataclass(frozen=True)
class DirMarks:
    """What one directory of a layer says about the layers below it."""
    whiteouts: frozenset[bytes]       # names hidden below
    opaque: bool                      # everything below is hidden
    markers: frozenset[bytes]         # names in this directory that are not entries


NO_MARKS = DirMarks(frozenset(), False, frozenset())


def is_whiteout_device(inode: Inode) -> bool:
    """Overlayfs's whiteout: a character device with device number 0/0."""
    if inode.mode & abi.S_IFMT != abi.S_IFCHR:
        return False
    return inode.stat().rdev == 0


def read_marks(directory: Inode) -> DirMarks:
    """The whiteouts, opaque flag and marker names of one directory."""
    whiteouts: set[bytes] = set()
    markers: set[bytes] = set()
    opaque = False
    for name, _, dtype in directory.entries():
        if name == OPAQUE_MARKER:
            opaque = True
            markers.add(name)
        elif name.startswith(SPECIAL_PREFIX):
            markers.add(name)
        elif name.startswith(WHITEOUT_PREFIX):
            whiteouts.add(name[len(WHITEOUT_PREFIX):])
            markers.add(name)
        elif dtype == abi.DT_CHR and is_whiteout_device(directory.lookup(name)):
            whiteouts.add(name)
            markers.add(name)
    return DirMarks(frozenset(whiteouts), opaque, frozenset(markers))


class LowerLayer:
    """One read-only layer under the overlay.

    Invariant: a layer never changes while the kernel runs, so each directory's marks
    are read once and kept by inode number.
    """

    def __init__(self, root: Inode, source: str, marked: bool) -> None:
        self.root = root
        self.source = source
        self.marked = marked          # OCI whiteouts and opaque markers count here
        self._marks: dict[int, DirMarks] = {}

    def marks(self, directory: Inode) -> DirMarks:
        if not self.marked:
            return NO_MARKS
        marks = self._marks.get(directory.ino)
        if marks is None:
            marks = self._marks[directory.ino] = read_marks(directory)
        return marks


# -- tarball layers --------------------------------------------------------------------------

@dataclass(frozen=True)
class TarLimits:
    """How much of a layer tarball is read into memory at most."""
    total_bytes: int = 4 << 30          # the uncompressed tar stream, headers included
    entry_bytes: int = 1 << 30          # one entry (a file's size, a pax or long-name header)
    entries: int = 500_000

    @classmethod
    def for_quota(cls, layer_bytes: int | None) -> TarLimits:
        """The limits under the policy's [quotas] layer_bytes; "unlimited" (None) lifts
        the total, never the bound on one entry or the entry count."""
        if layer_bytes is None:
            return cls(total_bytes=1 << 62)
        return cls(total_bytes=layer_bytes, entry_bytes=min(cls.entry_bytes, layer_bytes))


def _human(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n} bytes"


class _Bounded:
    """The uncompressed stream of a tarball, for tarfile: nothing past
    ``limits.total_bytes`` is ever produced, and no single read asks for more than one
    entry may hold (tarfile reads a pax or long-name header, and we read a file, in one
    call)."""

    def __init__(self, raw: BinaryIO, limits: TarLimits, path: str) -> None:
        self.raw = raw
        self.limits = limits
        self.path = path
        self.pos = 0

    def _past(self, what: str, limit: int) -> LayerError:
        return LayerError(f"{self.path}: refused: {what} is over the limit of {_human(limit)}")

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > self.limits.entry_bytes + tarfile.BLOCKSIZE:
            raise self._past("an entry", self.limits.entry_bytes)
        left = self.limits.total_bytes - self.pos
        data = self.raw.read(min(size, left + 1))
        self.pos += len(data)
        if self.pos > self.limits.total_bytes:
            raise self._past("the uncompressed tarball", self.limits.total_bytes)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        target = {os.SEEK_SET: offset, os.SEEK_CUR: self.pos + offset}.get(whence)
        if target is None:
            raise OSError("a layer tarball is read forward only")
        if target > self.limits.total_bytes:
            raise self._past("the uncompressed tarball", self.limits.total_bytes)
        self.pos = self.raw.seek(target)
        return self.pos

    def tell(self) -> int:
        return self.pos


def _decompressed(path: str) -> BinaryIO:
    """The tar stream of ``path``: plain, gzip, bzip2 or xz, told by its magic bytes."""
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(path, "rb")
    if magic.startswith(b"BZh"):
        return bz2.open(path, "rb")
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.open(path, "rb")
    return open(path, "rb")


class TarLayerFS(MemFS):
    """A layer tarball's tree, held in memory and never written."""

    name = "tarlayer"

    def __init__(self, numbers: InodeNumbers, dev: int) -> None:
        super().__init__(numbers, dev, readonly=True, root_mode=0o755)
        self._root = TarInode(self, abi.S_IFDIR | 0o755, 0, 0)
        self._root.nlink = 2

    def root(self) -> TarInode:
        return self._root  # type: ignore[return-value]


class TarInode(MemInode):
    """A file of an image layer: immutable storage, so its code may be attested."""

    immutable = True

    def open(self, flags: int) -> FileDescription:
        if flags & abi.O_ACCMODE != abi.O_RDONLY or flags & abi.O_TRUNC:
            raise SyscallError(abi.EROFS)
        return MemFile(self, flags)


def _components(name: str) -> list[bytes] | str:
    """The path components of a member name, or why it is refused."""
    if name.startswith("/"):
        return "absolute path"
    parts = [p for p in os.fsencode(name).split(b"/") if p and p != b"."]
    if b".." in parts:
        return "'..' in the path"
    if any(len(p) > NAME_MAX for p in parts):
        return "name too long"
    return parts


class _TarLoader:
    def __init__(self, fs: TarLayerFS, source: str, warn: Callable[[str], None], limits: TarLimits) -> None:
        self.fs = fs
        self.source = source
        self.warn = warn
        self.limits = limits
        self.count = 0

    def refuse(self, member: tarfile.TarInfo, reason: str) -> None:
        self.warn(f"layer {self.source}: entry {member.name!r} refused: {reason}")

    def parent_of(self, parts: list[bytes]) -> TarInode | str:
        """The directory that holds ``parts[-1]``, made as needed (0755, like tar)."""
        node = self.fs.root()
        for part in parts[:-1]:
            child = node.children.get(part)
            if child is None:
                child = self._link_in(node, part, TarInode(self.fs, abi.S_IFDIR | 0o755, 0, 0))
            if not child.is_dir:
                return f"{os.fsdecode(part)} is not a directory"
            node = child  # type: ignore[assignment]
        return node

    @staticmethod
    def _link_in(parent: MemInode, name: bytes, node: MemInode) -> MemInode:
        old = parent.children.get(name)
        if old is not None:
            old.nlink -= 1 if not old.is_dir else old.nlink
            if old.is_dir:
                parent.nlink -= 1
        parent.children[name] = node
        if node.is_dir:
            node.nlink = max(node.nlink, 2)
            parent.nlink += 1
        return node

    def add(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        self.count += 1
        if self.count > self.limits.entries:
            raise LayerError(f"{self.source}: refused: more than {self.limits.entries} entries")
        if member.size > self.limits.entry_bytes:
            raise LayerError(f"{self.source}: refused: entry {member.name!r} of {member.size} bytes "
                             f"is over the limit of {_human(self.limits.entry_bytes)}")
        parts = _components(member.name)
        if isinstance(parts, str):
            return self.refuse(member, parts)
        if not parts:                                   # "./": the root's own metadata
            if member.isdir():
                self._meta(self.fs.root(), member)
            return None
        parent = self.parent_of(parts)
        if isinstance(parent, str):
            return self.refuse(member, parent)
        name = parts[-1]
        existing = parent.children.get(name)
        perm = member.mode & 0o7777
        if member.isdir():
            if existing is not None and existing.is_dir:
                node = existing
            else:
                node = self._link_in(parent, name, TarInode(self.fs, abi.S_IFDIR | perm, 0, 0))
        elif member.isreg():
            node = TarInode(self.fs, abi.S_IFREG | perm, 0, 0)
            f = tar.extractfile(member)
            node.data = bytearray(f.read() if f is not None else b"")
            self._link_in(parent, name, node)
        elif member.issym():
            node = TarInode(self.fs, abi.S_IFLNK | 0o777, 0, 0, os.fsencode(member.linkname))
            self._link_in(parent, name, node)
        elif member.islnk():
            target = self.lookup(member.linkname)
            if isinstance(target, str):
                return self.refuse(member, target)
            if target is existing:
                return None
            self._link_in(parent, name, target)
            target.nlink += 1
            return None
        elif member.ischr() or member.isblk():
            return self.refuse(member, "device node")
        else:
            return self.refuse(member, "file type not supported in a layer")
        self._meta(node, member)
        self._xattrs(node, member)
        return None

    def _xattrs(self, node: MemInode, member: tarfile.TarInfo) -> None:
        """The entry's extended attributes, as GNU tar and docker record them (PAX
        ``SCHILY.xattr.NAME`` records; tarfile keeps their bytes as surrogates)."""
        node.xattrs.clear()
        for key, text in member.pax_headers.items():
            if not key.startswith("SCHILY.xattr."):
                continue
            name = key[len("SCHILY.xattr."):].encode("utf-8", "surrogateescape")
            value = text.encode("utf-8", "surrogateescape")
            if not name.startswith((USER, TRUSTED, SECURITY)) or name in (USER, TRUSTED, SECURITY):
                self.refuse(member, f"extended attribute {name!r}: namespace not supported")
            elif len(name) > abi.XATTR_NAME_MAX or len(value) > abi.XATTR_SIZE_MAX:
                self.refuse(member, f"extended attribute {name!r}: too long")
            else:
                node.xattrs[name] = value

    def lookup(self, linkname: str) -> MemInode | str:
        """A hard link's target: an entry loaded earlier from this same tarball."""
        parts = _components(linkname)
        if isinstance(parts, str):
            return f"link target: {parts}"
        node: MemInode = self.fs.root()
        for part in parts:
            child = node.children.get(part) if node.is_dir else None
            if child is None:
                return "link target is not in the layer"
            node = child
        if node.is_dir or not parts:
            return "hard link to a directory"
        return node

    @staticmethod
    def _meta(node: MemInode, member: tarfile.TarInfo) -> None:
        node.mode_bits = (node.mode_bits & abi.S_IFMT) | (member.mode & 0o7777 if not member.issym() else 0o777)
        node.uid, node.gid = member.uid, member.gid
        mtime = int(member.mtime * 1_000_000_000)
        node.times.atime_ns = node.times.mtime_ns = node.times.ctime_ns = mtime


_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError)


def load_tar(numbers: InodeNumbers, dev: int, path: str, warn: Callable[[str], None],
             limits: TarLimits = TarLimits()) -> TarLayerFS:
    """A layer tarball (plain, gzip, bzip2 or xz) as a read-only in-memory tree.

    Raises LayerError when ``path`` is not a tar file at all or goes past ``limits``; a
    tarball that breaks off part-way keeps the entries read so far, with a warning.
    """
    fs = TarLayerFS(numbers, dev)
    loader = _TarLoader(fs, path, warn, limits)
    try:
        stream = _decompressed(path)
    except OSError as exc:
        raise LayerError(f"{path}: not a readable tar file ({exc})") from None
    with stream:
        try:
            tar = tarfile.open(fileobj=_Bounded(stream, limits, path), mode="r:")  # type: ignore[arg-type]
        except _READ_ERRORS as exc:
            raise LayerError(f"{path}: not a readable tar file ({exc})") from None
        with tar:
            try:
                while (member := tar.next()) is not None:
                    loader.add(tar, member)
                    tar.members.clear()     # tarfile would keep every header
            except _READ_ERRORS as exc:
                warn(f"layer {path}: the tarball breaks off ({exc}); later entries are not loaded")
    return fs

"""A host directory mounted into the container, read-only or read-write.

Invariant 2: a host path is only ever opened below the mount's host directory, relative
to the mount's directory fd, without following host symlinks.  ``openat2`` with
RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS enforces that in the host
kernel itself; symlinks are read and followed by our own resolver, in the guest's
namespace.  Mutations use a parent directory fd obtained the same way and one name.

Invariant 4: every host operation goes through the kernel's Sources (``HostFS.host``),
one call per guest-visible answer, so a replay gets the same answers after the host
directory is gone.
"""
from __future__ import annotations

import ctypes
import errno
import os
import stat as host_stat
import struct

from vkernel import abi
from vkernel.errors import SyscallError, from_os_error
from vkernel.sources import Sources
from vkernel.vfs import xattr
from vkernel.vfs.file import FileDescription, HostFileDescription
from vkernel.vfs.inode import ST_RDONLY, Filesystem, Inode, InodeNumbers, Stat, StatFs, check_name, dtype_of

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_SYS_OPENAT2 = 437
_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_NO_SYMLINKS = 0x04
_RESOLVE_BENEATH = 0x08
_RESOLVE = _RESOLVE_BENEATH | _RESOLVE_NO_SYMLINKS | _RESOLVE_NO_MAGICLINKS
# The host's struct statfs (x86-64): type, bsize, blocks, bfree, bavail, files, ffree,
# fsid, namelen, frsize, flags, spare.
_STATFS_FORMAT = "<qqQQQQQQqqq"
_STATFS_SIZE = 120


def open_beneath(root_fd: int, rel: bytes, flags: int, mode: int = 0) -> int:
    """openat2 confined below ``root_fd``; raises OSError like os.open."""
    how = struct.pack("<QQQ", flags | os.O_CLOEXEC, mode, _RESOLVE)
    fd = _libc.syscall(_SYS_OPENAT2, root_fd, rel or b".", how, len(how))
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return fd


def _open_root(hostdir: str) -> tuple[int, os.stat_result]:
    fd = os.open(hostdir, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    return fd, os.fstat(fd)


def _statfs(root_fd: int) -> tuple[int, ...]:
    raw = ctypes.create_string_buffer(_STATFS_SIZE)
    if _libc.fstatfs(root_fd, raw) < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return struct.unpack_from(_STATFS_FORMAT, raw)


def _lstat(root_fd: int, rel: bytes) -> os.stat_result:
    fd = open_beneath(root_fd, rel, os.O_PATH | os.O_NOFOLLOW)
    try:
        return os.fstat(fd)
    finally:
        os.close(fd)


def _in_dir(root_fd: int, rel: bytes, fn, *args):
    """``fn(dir_fd, *args)`` with directory ``rel`` opened O_PATH."""
    dfd = open_beneath(root_fd, rel, os.O_PATH | os.O_DIRECTORY)
    try:
        return fn(dfd, *args)
    finally:
        os.close(dfd)


def _at_parent(root_fd: int, rel: bytes, fn, *args):
    """``fn(parent_fd, name, *args)`` for the entry ``rel``."""
    head, _, name = rel.rpartition(b"/")
    return _in_dir(root_fd, head, fn, name, *args)


def _truncate(root_fd: int, rel: bytes, size: int) -> None:
    fd = open_beneath(root_fd, rel, os.O_WRONLY)
    try:
        os.ftruncate(fd, size)
    finally:
        os.close(fd)


def _entries(root_fd: int, rel: bytes) -> list[tuple[bytes, int, int, int]]:
    """(name, st_dev, st_ino, S_IFMT kind) of each entry of directory ``rel``."""
    fd = open_beneath(root_fd, rel, os.O_RDONLY | os.O_DIRECTORY)
    try:
        dev = os.fstat(fd).st_dev
        with os.scandir(fd) as it:
            return [(os.fsencode(entry.name), dev, entry.inode(), _scandir_mode(entry)) for entry in it]
    finally:
        os.close(fd)


def _by_proc_path(root_fd: int, rel: bytes, fn, *args):
    """``fn(path, *args)`` with ``path`` naming the object ``rel`` through an O_PATH fd's
    /proc/self/fd link: the host's xattr calls take no directory fd and refuse an O_PATH
    fd itself, and the link is the host kernel's own, never a path of the mount."""
    fd = open_beneath(root_fd, rel, os.O_PATH | os.O_NOFOLLOW)
    try:
        return fn(f"/proc/self/fd/{fd}", *args)
    finally:
        os.close(fd)


def _user_xattrs(path: str | int) -> list[bytes]:
    """The user.* names; none on a filesystem without extended attributes (as Linux
    lists none there), so a copy-up from it still works."""
    try:
        names = os.listxattr(path)
    except OSError as exc:
        if exc.errno == errno.ENOTSUP:
            return []
        raise
    return [os.fsencode(name) for name in names if name.startswith("user.")]


def _host_xattr_flags(flags: int) -> int:
    return ((os.XATTR_CREATE if flags & abi.XATTR_CREATE else 0)
            | (os.XATTR_REPLACE if flags & abi.XATTR_REPLACE else 0))


def _readlink(root_fd: int, rel: bytes) -> bytes:
    fd = open_beneath(root_fd, rel, os.O_PATH | os.O_NOFOLLOW)
    try:
        return os.readlink(b"", dir_fd=fd)
    finally:
        os.close(fd)


def _create(dir_fd: int, name: bytes, mode: int) -> None:
    os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd))


def _link(root_fd: int, target_rel: bytes, dir_rel: bytes, name: bytes) -> None:
    def link(tfd: int, tname: bytes) -> None:
        _in_dir(root_fd, dir_rel, lambda d: os.link(tname, name, src_dir_fd=tfd, dst_dir_fd=d,
                                                      follow_symlinks=False))
    _at_parent(root_fd, target_rel, link)


def _rename(root_fd: int, dir_rel: bytes, name: bytes, new_dir_rel: bytes, new_name: bytes) -> None:
    def rename(ndfd: int) -> None:
        _in_dir(root_fd, dir_rel, lambda d: os.rename(name, new_name, src_dir_fd=d, dst_dir_fd=ndfd))
    _in_dir(root_fd, new_dir_rel, rename)


class HostFS(Filesystem):
    """``hostdir`` as seen from the container."""

    name = "hostfs"

    def __init__(self, numbers: InodeNumbers, dev: int, hostdir: str, readonly: bool = True,
                 noexec: bool = False, sources: Sources | None = None) -> None:
        super().__init__(numbers, dev, readonly)
        self.hostdir = hostdir
        self.noexec = noexec         # a policy mount's noexec: nothing here is ever attested
        self.sources = sources or Sources()
        self.root_fd, st = self.sources.host_call("mount", hostdir, _open_root, hostdir)
        self._root = HostInode(self, b"", st)

    def host(self, kind: str, rel: bytes, fn, *args):
        """``fn(*args)`` through the Sources, keyed by ``rel``; OSError becomes the errno."""
        try:
            return self.sources.host_call(kind, os.fsdecode(rel), fn, *args)
        except OSError as exc:
            raise from_os_error(exc) from None

    def root(self) -> HostInode:
        return self._root

    def statfs(self) -> StatFs:
        """The host filesystem's own figures (its type, sizes, mount flags), with the
        mount's read-only bit added and the host's fsid left out."""
        magic, bsize, blocks, bfree, bavail, files, ffree, _fsid, namelen, frsize, flags = \
            self.host("statfs", b"", _statfs, self.root_fd)
        return StatFs(magic, bsize=bsize, blocks=blocks, bfree=bfree, bavail=bavail, files=files,
                      ffree=ffree, namelen=namelen, frsize=frsize,
                      flags=flags | ST_RDONLY if self.readonly else flags)

    def lstat(self, rel: bytes) -> os.stat_result:
        return self.host("lstat", rel, _lstat, self.root_fd, rel)


class HostInode(Inode):
    def __init__(self, fs: HostFS, rel: bytes, st: os.stat_result) -> None:
        self.fs = fs
        self.rel = rel
        self._st = st
        self.ino = fs.numbers.for_host(st.st_dev, st.st_ino)

    @property
    def immutable(self) -> bool:  # type: ignore[override]
        return self.fs.readonly and not self.fs.noexec

    @property
    def mode(self) -> int:
        return self._st.st_mode

    def _refresh(self) -> os.stat_result:
        self._st = self.fs.lstat(self.rel)
        return self._st

    def stat(self) -> Stat:
        return _stat(self.fs.dev, self.ino, self._refresh())

    def _child_rel(self, name: bytes) -> bytes:
        return self.rel + b"/" + name if self.rel else name

    def _with_parent(self, kind: str, fn, *args):
        """Run ``fn(parent_fd, name, *args)`` for this inode's own entry."""
        self.fs.check_writable()
        return self.fs.host(kind, self.rel, _at_parent, self.fs.root_fd, self.rel, fn, *args)

    def _with_self_dir(self, kind: str, name: bytes, fn, *args):
        """Run ``fn(dir_fd, *args)`` with this directory opened O_PATH, acting on ``name``."""
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)
        self.fs.check_writable()
        return self.fs.host(kind, self._child_rel(name), _in_dir, self.fs.root_fd, self.rel, fn, *args)

    def setattr(self, *, mode: int | None = None, uid: int | None = None, gid: int | None = None,
                size: int | None = None, atime_ns: int | None = None, mtime_ns: int | None = None) -> None:
        self.fs.check_writable()
        if mode is not None:
            self._with_parent("chmod", lambda d, n: os.chmod(n, mode & 0o7777, dir_fd=d))
        if uid is not None or gid is not None:
            self._with_parent("chown", lambda d, n: os.chown(n, -1 if uid is None else uid,
                                                             -1 if gid is None else gid,
                                                             dir_fd=d, follow_symlinks=False))
        if size is not None:
            if self.is_dir:
                raise SyscallError(abi.EISDIR)
            cache = self.fs.numbers.page_caches.get(self.ino)
            old_size = self.stat().size if cache is not None else 0
            self.fs.host("truncate", self.rel, _truncate, self.fs.root_fd, self.rel, size)
            if cache is not None:
                cache.resized(old_size, size)
        if atime_ns is not None or mtime_ns is not None:
            st = self._refresh()
            times = (st.st_atime_ns if atime_ns is None else atime_ns,
                     st.st_mtime_ns if mtime_ns is None else mtime_ns)
            self._with_parent("utime", lambda d, n: os.utime(n, ns=times, dir_fd=d, follow_symlinks=False))

    # -- directories --
    def lookup(self, name: bytes) -> Inode:
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)
        check_name(name)
        rel = self._child_rel(name)
        return HostInode(self.fs, rel, self.fs.lstat(rel))

    def entries(self) -> list[tuple[bytes, int, int]]:
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)
        raw = self.fs.host("entries", self.rel, _entries, self.fs.root_fd, self.rel)
        return [(name, self.fs.numbers.for_host(dev, ino), dtype_of(kind)) for name, dev, ino, kind in raw]

    def create(self, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        check_name(name)
        self._with_self_dir("create", name, _create, name, mode & 0o7777)
        return self.lookup(name)

    def mknod(self, name: bytes, mode: int, uid: int, gid: int, rdev: int = 0) -> Inode:
        """Sockets only (a bound AF_UNIX path): a socket file on the host, which no
        host process can connect to; other special files stay EPERM."""
        if mode & abi.S_IFMT != abi.S_IFSOCK:
            raise SyscallError(abi.EPERM)
        check_name(name)
        self._with_self_dir("mknod", name, lambda d: os.mknod(name, host_stat.S_IFSOCK | mode & 0o7777, dir_fd=d))
        return self.lookup(name)

    def mkdir(self, name: bytes, mode: int, uid: int, gid: int) -> Inode:
        check_name(name)
        self._with_self_dir("mkdir", name, lambda d: os.mkdir(name, mode & 0o7777, dir_fd=d))
        return self.lookup(name)

    def symlink(self, name: bytes, target: bytes, uid: int, gid: int) -> Inode:
        check_name(name)
        self._with_self_dir("symlink", name, lambda d: os.symlink(target, name, dir_fd=d))
        return self.lookup(name)

    def link(self, name: bytes, target: Inode) -> None:
        if not isinstance(target, HostInode) or target.fs is not self.fs:
            raise SyscallError(abi.EXDEV)
        check_name(name)
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)
        self.fs.check_writable()
        self.fs.host("link", self._child_rel(name), _link, self.fs.root_fd, target.rel, self.rel, name)

    def unlink(self, name: bytes) -> None:
        self._with_self_dir("unlink", name, lambda d: os.unlink(name, dir_fd=d))

    def rmdir(self, name: bytes) -> None:
        self._with_self_dir("rmdir", name, lambda d: os.rmdir(name, dir_fd=d))

    def rename(self, name: bytes, new_dir: Inode, new_name: bytes, flags: int) -> None:
        if not isinstance(new_dir, HostInode) or new_dir.fs is not self.fs:
            raise SyscallError(abi.EXDEV)
        check_name(new_name)
        if flags & ~abi.RENAME_NOREPLACE:
            raise SyscallError(abi.EINVAL)
        if flags & abi.RENAME_NOREPLACE:
            try:
                new_dir.lookup(new_name)
                raise SyscallError(abi.EEXIST)
            except SyscallError as exc:
                if exc.errno != abi.ENOENT:
                    raise
        if not self.is_dir:
            raise SyscallError(abi.ENOTDIR)
        self.fs.check_writable()
        self.fs.host("rename", self._child_rel(name), _rename, self.fs.root_fd, self.rel, name, new_dir.rel, new_name)

    def readlink(self) -> bytes:
        if not self.is_symlink:
            raise SyscallError(abi.EINVAL)
        return self.fs.host("readlink", self.rel, _readlink, self.fs.root_fd, self.rel)

    # -- extended attributes: the host's user.* namespace, and nothing else of the host's --
    def _has_user_xattrs(self) -> bool:
        return self.mode & abi.S_IFMT in (abi.S_IFREG, abi.S_IFDIR)

    def getxattr(self, name: bytes) -> bytes:
        if not name.startswith(xattr.USER) or not self._has_user_xattrs():
            raise SyscallError(abi.ENODATA)
        return self.fs.host("getxattr", self.rel, _by_proc_path, self.fs.root_fd, self.rel, os.getxattr, name)

    def listxattr(self) -> list[bytes]:
        if not self._has_user_xattrs():
            return []
        return self.fs.host("listxattr", self.rel, _by_proc_path, self.fs.root_fd, self.rel, _user_xattrs)

    def setxattr(self, name: bytes, value: bytes, flags: int) -> None:
        self.fs.check_writable()
        if not name.startswith(xattr.USER):
            raise SyscallError(abi.EOPNOTSUPP)
        if not self._has_user_xattrs():
            raise SyscallError(abi.EPERM)
        self.fs.host("setxattr", self.rel, _by_proc_path, self.fs.root_fd, self.rel, os.setxattr,
                     name, value, _host_xattr_flags(flags))

    def removexattr(self, name: bytes) -> None:
        self.fs.check_writable()
        if not name.startswith(xattr.USER):
            raise SyscallError(abi.ENODATA)
        if not self._has_user_xattrs():
            raise SyscallError(abi.EPERM)
        self.fs.host("removexattr", self.rel, _by_proc_path, self.fs.root_fd, self.rel, os.removexattr, name)

    def open(self, flags: int) -> FileDescription:
        kind = self.mode & abi.S_IFMT
        if flags & abi.O_PATH:
            return FileDescription(self, flags)
        accmode = flags & abi.O_ACCMODE
        if kind == abi.S_IFDIR:
            if accmode != abi.O_RDONLY:
                raise SyscallError(abi.EISDIR)
            return FileDescription(self, flags)
        if kind != abi.S_IFREG:
            raise SyscallError(abi.ENXIO)
        if accmode != abi.O_RDONLY:
            self.fs.check_writable()
        host_flags = {abi.O_RDONLY: os.O_RDONLY, abi.O_WRONLY: os.O_WRONLY, abi.O_RDWR: os.O_RDWR}.get(accmode)
        if host_flags is None:
            raise SyscallError(abi.EINVAL)
        if flags & abi.O_TRUNC and accmode != abi.O_RDONLY:
            host_flags |= os.O_TRUNC
        cache = self.fs.numbers.page_caches.get(self.ino) if host_flags & os.O_TRUNC else None
        old_size = self.stat().size if cache is not None else 0
        fd = self.fs.host("open", self.rel, open_beneath, self.fs.root_fd, self.rel, host_flags)
        if cache is not None:
            cache.resized(old_size, 0)
        return HostFile(self, flags, fd)


class HostFile(HostFileDescription):
    """An open regular file of a host directory.

    Once open, a file of a writable directory is the host fd's, not the path's: fstat,
    ftruncate, fchmod, fchown, futimens and the f*xattr calls reach it through the fd,
    so they keep working after an unlink (st_nlink 0) or a rename and never touch
    another file that took its name.  A
    file of a read-only directory (a lower layer) goes through ``inode``, which an
    overlay copies up first.
    """

    def __init__(self, node: HostInode, flags: int, host_fd: int) -> None:
        super().__init__(node, flags, host_fd, sources=node.fs.sources)
        self.node = node        # the storage; ``inode`` is what fstat names (an overlay's own)
        self.cache_inode = node

    @property
    def _by_fd(self) -> bool:
        return not self.node.fs.readonly and self.inode is not None

    def stat(self) -> Stat:
        if not self._by_fd:
            return super().stat()
        assert self.inode is not None
        return _stat(self.inode.fs.dev, self.inode.ino, self._host("fstat", os.fstat, self.host_fd))

    def truncate(self, length: int) -> None:
        if not self._by_fd:
            return super().truncate(length)
        if not self.writable:
            raise SyscallError(abi.EINVAL)
        cache = self.page_cache()
        old_size = self.size() if cache is not None else 0
        self._host("ftruncate", os.ftruncate, self.host_fd, length)
        if cache is not None:
            cache.resized(old_size, length)
        return None

    def setattr(self, *, mode: int | None = None, uid: int | None = None, gid: int | None = None,
                atime_ns: int | None = None, mtime_ns: int | None = None) -> None:
        if not self._by_fd:
            return super().setattr(mode=mode, uid=uid, gid=gid, atime_ns=atime_ns, mtime_ns=mtime_ns)
        if mode is not None:
            self._host("fchmod", os.fchmod, self.host_fd, mode & 0o7777)
        if uid is not None or gid is not None:
            self._host("fchown", os.fchown, self.host_fd, -1 if uid is None else uid, -1 if gid is None else gid)
        if atime_ns is not None or mtime_ns is not None:
            st = self._host("fstat", os.fstat, self.host_fd)
            times = (st.st_atime_ns if atime_ns is None else atime_ns,
                     st.st_mtime_ns if mtime_ns is None else mtime_ns)
            self._host("futimens", _futimens, self.host_fd, times)
        return None

    # -- extended attributes: the host's user.* namespace, through the fd --
    def xattr_store(self) -> xattr.Store | None:
        return self if self._by_fd else super().xattr_store()

    def getxattr(self, name: bytes) -> bytes:
        if not name.startswith(xattr.USER):
            raise SyscallError(abi.ENODATA)
        return self._host("fgetxattr", os.getxattr, self.host_fd, name)

    def listxattr(self) -> list[bytes]:
        return self._host("flistxattr", _user_xattrs, self.host_fd)

    def setxattr(self, name: bytes, value: bytes, flags: int) -> None:
        if not name.startswith(xattr.USER):
            raise SyscallError(abi.EOPNOTSUPP)
        self._host("fsetxattr", os.setxattr, self.host_fd, name, value, _host_xattr_flags(flags))

    def removexattr(self, name: bytes) -> None:
        if not name.startswith(xattr.USER):
            raise SyscallError(abi.ENODATA)
        self._host("fremovexattr", os.removexattr, self.host_fd, name)


def _futimens(fd: int, times: tuple[int, int]) -> None:
    os.utime(fd, ns=times)


def _stat(dev: int, ino: int, st: os.stat_result) -> Stat:
    """A host stat result under the kernel's own device and inode numbers."""
    return Stat(dev, ino, st.st_mode, st.st_nlink, st.st_uid, st.st_gid, st.st_size,
                rdev=st.st_rdev, blksize=st.st_blksize, blocks=st.st_blocks,
                atime_ns=st.st_atime_ns, mtime_ns=st.st_mtime_ns, ctime_ns=st.st_ctime_ns)


def _scandir_mode(entry: os.DirEntry) -> int:
    if entry.is_symlink():
        return abi.S_IFLNK
    if entry.is_dir(follow_symlinks=False):
        return abi.S_IFDIR
    if entry.is_file(follow_symlinks=False):
        return abi.S_IFREG
    try:
        return host_stat.S_IFMT(entry.stat(follow_symlinks=False).st_mode)
    except OSError:
        return 0

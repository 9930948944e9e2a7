"""Path-based file syscalls: open, stat, directories, links, attributes."""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Callable

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.syscalls.common import lookup_at, parent_at, read_path, start_location
from vkernel.task import Thread
from vkernel.vfs import xattr
from vkernel.vfs.inode import Inode, Stat
from vkernel.vfs.namespace import Location, join

_VALID_OPEN = (abi.O_ACCMODE | abi.O_CREAT | abi.O_EXCL | abi.O_NOCTTY | abi.O_TRUNC | abi.O_APPEND
               | abi.O_NONBLOCK | abi.O_SYNC | abi.O_DSYNC | abi.O_ASYNC | abi.O_DIRECT | abi.O_LARGEFILE
               | abi.O_DIRECTORY | abi.O_NOFOLLOW | abi.O_NOATIME | abi.O_CLOEXEC | abi.O_PATH | abi.O_TMPFILE)


def do_open(t: Thread, dirfd: int, path: bytes, flags: int, mode: int) -> int:
    """The common part of open, openat and creat."""
    p = t.process
    ns = p.kernel.ns
    if flags & abi.O_TMPFILE == abi.O_TMPFILE:
        raise SyscallError(abi.EOPNOTSUPP)
    if flags & abi.O_PATH:
        flags &= abi.O_PATH | abi.O_DIRECTORY | abi.O_NOFOLLOW | abi.O_CLOEXEC
    start = start_location(t, dirfd, path)
    loc: Location | None
    if flags & abi.O_CREAT:
        directory, name, trailing = ns.resolve_parent(start, path)
        if trailing or name in (b".", b".."):
            raise SyscallError(abi.EISDIR)
        if flags & (abi.O_EXCL | abi.O_NOFOLLOW):
            loc = _try_step(t, directory, name)
            if loc is not None and flags & abi.O_EXCL:
                raise SyscallError(abi.EEXIST)
        else:
            loc, directory, name = ns.follow_last(directory, name)
        if loc is None:
            if flags & abi.O_DIRECTORY:
                raise SyscallError(abi.EINVAL)
            inode = directory.inode.create(name, mode & ~p.umask & 0o7777, p.creds.euid, p.creds.egid)
            loc = Location(join(directory.path, name), inode, directory)
            flags &= ~abi.O_TRUNC
    else:
        loc = ns.resolve(start, path, follow=not flags & abi.O_NOFOLLOW)
    inode = loc.inode
    if inode.is_symlink and not flags & abi.O_PATH:
        raise SyscallError(abi.ELOOP)
    if flags & abi.O_DIRECTORY and not inode.is_dir:
        raise SyscallError(abi.ENOTDIR)
    if inode.is_dir and (flags & abi.O_ACCMODE != abi.O_RDONLY or flags & abi.O_CREAT) and not flags & abi.O_PATH:
        raise SyscallError(abi.EISDIR)
    desc = inode.open(flags)
    desc.location = loc
    desc.path = loc.path
    return p.fds.install(desc, cloexec=bool(flags & abi.O_CLOEXEC))


def _try_step(t: Thread, directory: Location, name: bytes) -> Location | None:
    try:
        return t.process.kernel.ns.step(directory, name)
    except SyscallError as exc:
        if exc.errno == abi.ENOENT:
            return None
        raise


def sys_open(t: Thread, path: int, flags: int, mode: int) -> int:
    """open(2)."""
    return sys_openat(t, abi.AT_FDCWD, path, flags, mode)


def sys_openat(t: Thread, dirfd: int, path: int, flags: int, mode: int) -> int:
    """openat(2)."""
    if flags & ~_VALID_OPEN:
        flags &= _VALID_OPEN          # Linux ignores unknown open flags
    return do_open(t, dirfd, read_path(t, path), flags, mode)


def sys_creat(t: Thread, path: int, mode: int) -> int:
    """creat(2)."""
    return do_open(t, abi.AT_FDCWD, read_path(t, path), abi.O_CREAT | abi.O_WRONLY | abi.O_TRUNC, mode)


# -- stat ------------------------------------------------------------------------------

def sys_stat(t: Thread, path: int, buf: int) -> int:
    """stat(2)."""
    return sys_newfstatat(t, abi.AT_FDCWD, path, buf, 0)


def sys_lstat(t: Thread, path: int, buf: int) -> int:
    """lstat(2)."""
    return sys_newfstatat(t, abi.AT_FDCWD, path, buf, abi.AT_SYMLINK_NOFOLLOW)


def sys_fstat(t: Thread, fd: int, buf: int) -> int:
    """fstat(2)."""
    t.process.mm.write(buf, t.process.fds.get(fd).stat().pack())
    return 0


def sys_newfstatat(t: Thread, dirfd: int, path: int, buf: int, flags: int) -> int:
    """newfstatat(2)."""
    if flags & ~(abi.AT_SYMLINK_NOFOLLOW | abi.AT_EMPTY_PATH | abi.AT_NO_AUTOMOUNT):
        raise SyscallError(abi.EINVAL)
    st = _stat_at(t, dirfd, path, flags)
    t.process.mm.write(buf, st.pack())
    return 0


def _stat_at(t: Thread, dirfd: int, path: int, flags: int):
    if flags & abi.AT_EMPTY_PATH and dirfd != abi.AT_FDCWD and read_path(t, path) == b"":
        return t.process.fds.get(dirfd).stat()
    return lookup_at(t, dirfd, path, flags).inode.stat()


def sys_statx(t: Thread, dirfd: int, path: int, flags: int, mask: int, buf: int) -> int:
    """statx(2)."""
    if flags & ~(abi.AT_SYMLINK_NOFOLLOW | abi.AT_EMPTY_PATH | abi.AT_NO_AUTOMOUNT | abi.AT_STATX_SYNC_TYPE):
        raise SyscallError(abi.EINVAL)
    if flags & abi.AT_STATX_SYNC_TYPE == abi.AT_STATX_SYNC_TYPE or mask & 0x80000000:
        raise SyscallError(abi.EINVAL)
    st = _stat_at(t, dirfd, path, flags)
    t.process.mm.write(buf, st.pack_statx(mask))
    return 0


def sys_statfs(t: Thread, path: int, buf: int) -> int:
    """statfs(2)."""
    loc = lookup_at(t, abi.AT_FDCWD, path)
    t.process.mm.write(buf, loc.inode.fs.statfs().pack())
    return 0


def sys_fstatfs(t: Thread, fd: int, buf: int) -> int:
    """fstatfs(2)."""
    desc = t.process.fds.get(fd)
    if desc.inode is None:
        raise SyscallError(abi.ENOSYS)
    t.process.mm.write(buf, desc.inode.fs.statfs().pack())
    return 0


# -- access ------------------------------------------------------------------------------

def sys_access(t: Thread, path: int, mode: int) -> int:
    """access(2)."""
    return sys_faccessat2(t, abi.AT_FDCWD, path, mode, 0)


def sys_faccessat(t: Thread, dirfd: int, path: int, mode: int) -> int:
    """faccessat(2)."""
    return sys_faccessat2(t, dirfd, path, mode, 0)


def sys_faccessat2(t: Thread, dirfd: int, path: int, mode: int, flags: int) -> int:
    """faccessat2(2)."""
    if mode & ~7 or flags & ~(abi.AT_EACCESS | abi.AT_SYMLINK_NOFOLLOW | abi.AT_EMPTY_PATH):
        raise SyscallError(abi.EINVAL)
    loc = lookup_at(t, dirfd, path, flags)
    check_permission(t, loc.inode, mode)
    if mode & abi.W_OK:
        t.process.kernel.ns.mount_of(loc).fs.check_writable() if loc.inode.fs.readonly else None
    return 0


def check_permission(t: Thread, inode: Inode, mask: int) -> None:
    """DAC check of R/W/X bits for the caller; root passes except X without any x bit."""
    check_mode(t, inode.stat(), mask)


def check_mode(t: Thread, st: Stat, mask: int) -> None:
    """check_permission against attributes in hand (an open file's, say)."""
    creds = t.process.creds
    if creds.euid == 0:
        if mask & abi.X_OK and not st.mode & 0o111 and st.mode & abi.S_IFMT != abi.S_IFDIR:
            raise SyscallError(abi.EACCES)
        return
    if creds.euid == st.uid:
        bits = (st.mode >> 6) & 7
    elif creds.egid == st.gid or st.gid in creds.groups:
        bits = (st.mode >> 3) & 7
    else:
        bits = st.mode & 7
    if mask & ~bits:
        raise SyscallError(abi.EACCES)


# -- directories ---------------------------------------------------------------------------

def sys_getcwd(t: Thread, buf: int, size: int) -> int:
    """getcwd(2): ENOENT once the working directory has been removed."""
    if t.process.cwd.inode.unlinked:
        raise SyscallError(abi.ENOENT)
    path = t.process.cwd.path + b"\0"
    if size < len(path):
        raise SyscallError(abi.ERANGE)
    t.process.mm.write(buf, path)
    return len(path)


def sys_chdir(t: Thread, path: int) -> int:
    """chdir(2)."""
    loc = lookup_at(t, abi.AT_FDCWD, path)
    if not loc.inode.is_dir:
        raise SyscallError(abi.ENOTDIR)
    check_permission(t, loc.inode, abi.X_OK)
    t.process.cwd = loc
    return 0


def sys_fchdir(t: Thread, fd: int) -> int:
    """fchdir(2)."""
    desc = t.process.fds.get(fd)
    if desc.location is None or not desc.location.inode.is_dir:
        raise SyscallError(abi.ENOTDIR)
    t.process.cwd = desc.location
    return 0


def sys_mkdir(t: Thread, path: int, mode: int) -> int:
    """mkdir(2)."""
    return sys_mkdirat(t, abi.AT_FDCWD, path, mode)


def sys_mkdirat(t: Thread, dirfd: int, path: int, mode: int) -> int:
    """mkdirat(2)."""
    directory, name, _ = parent_at(t, dirfd, path)
    if name in (b".", b".."):
        raise SyscallError(abi.EEXIST)
    p = t.process
    directory.inode.mkdir(name, mode & ~p.umask & 0o7777, p.creds.euid, p.creds.egid)
    return 0


def sys_mknodat(t: Thread, dirfd: int, path: int, mode: int, dev: int) -> int:
    """mknodat(2): regular files only; FIFOs and devices come later."""
    kind = mode & abi.S_IFMT
    if kind not in (0, abi.S_IFREG):
        raise SyscallError(abi.EPERM)
    directory, name, _ = parent_at(t, dirfd, path)
    if _try_step(t, directory, name) is not None:
        raise SyscallError(abi.EEXIST)
    p = t.process
    directory.inode.create(name, mode & ~p.umask & 0o7777, p.creds.euid, p.creds.egid)
    return 0


def sys_mknod(t: Thread, path: int, mode: int, dev: int) -> int:
    """mknod(2)."""
    return sys_mknodat(t, abi.AT_FDCWD, path, mode, dev)


def sys_rmdir(t: Thread, path: int) -> int:
    """rmdir(2)."""
    return sys_unlinkat(t, abi.AT_FDCWD, path, abi.AT_REMOVEDIR)


def sys_unlink(t: Thread, path: int) -> int:
    """unlink(2)."""
    return sys_unlinkat(t, abi.AT_FDCWD, path, 0)


def sys_unlinkat(t: Thread, dirfd: int, path: int, flags: int) -> int:
    """unlinkat(2)."""
    if flags & ~abi.AT_REMOVEDIR:
        raise SyscallError(abi.EINVAL)
    directory, name, trailing = parent_at(t, dirfd, path)
    if flags & abi.AT_REMOVEDIR:
        if name == b".":
            raise SyscallError(abi.EINVAL)
        if name == b"..":
            raise SyscallError(abi.ENOTEMPTY)
        _refuse_mountpoint(t, directory, name)
        directory.inode.rmdir(name)
    else:
        if trailing:
            target = t.process.kernel.ns.step(directory, name)
            raise SyscallError(abi.EISDIR if target.inode.is_dir else abi.ENOTDIR)
        if name in (b".", b".."):
            raise SyscallError(abi.EISDIR)
        directory.inode.unlink(name)
    return 0


def _refuse_mountpoint(t: Thread, directory: Location, name: bytes) -> None:
    if join(directory.path, name) in t.process.kernel.ns.mounts:
        raise SyscallError(abi.EBUSY)


def sys_rename(t: Thread, old: int, new: int) -> int:
    """rename(2)."""
    return sys_renameat2(t, abi.AT_FDCWD, old, abi.AT_FDCWD, new, 0)


def sys_renameat(t: Thread, olddirfd: int, old: int, newdirfd: int, new: int) -> int:
    """renameat(2)."""
    return sys_renameat2(t, olddirfd, old, newdirfd, new, 0)


def sys_renameat2(t: Thread, olddirfd: int, old: int, newdirfd: int, new: int, flags: int) -> int:
    """renameat2(2): RENAME_NOREPLACE and RENAME_EXCHANGE where the filesystem has them."""
    if flags & ~(abi.RENAME_NOREPLACE | abi.RENAME_EXCHANGE | abi.RENAME_WHITEOUT):
        raise SyscallError(abi.EINVAL)
    if flags & abi.RENAME_EXCHANGE and flags & (abi.RENAME_NOREPLACE | abi.RENAME_WHITEOUT):
        raise SyscallError(abi.EINVAL)
    src_dir, src_name, _ = parent_at(t, olddirfd, old)
    dst_dir, dst_name, _ = parent_at(t, newdirfd, new)
    if src_name in (b".", b"..") or dst_name in (b".", b".."):
        raise SyscallError(abi.EBUSY if src_name == b"." or dst_name == b"." else abi.EINVAL)
    if src_dir.inode.fs is not dst_dir.inode.fs:
        raise SyscallError(abi.EXDEV)
    source = t.process.kernel.ns.step(src_dir, src_name)
    dest_path = join(dst_dir.path, dst_name)
    if source.inode.is_dir and (dest_path + b"/").startswith(source.path + b"/") and dest_path != source.path:
        raise SyscallError(abi.EINVAL)
    _refuse_mountpoint(t, src_dir, src_name)
    src_dir.inode.rename(src_name, dst_dir.inode, dst_name, flags)
    return 0


def sys_link(t: Thread, old: int, new: int) -> int:
    """link(2)."""
    return sys_linkat(t, abi.AT_FDCWD, old, abi.AT_FDCWD, new, 0)


def sys_linkat(t: Thread, olddirfd: int, old: int, newdirfd: int, new: int, flags: int) -> int:
    """linkat(2)."""
    if flags & ~(abi.AT_SYMLINK_FOLLOW | abi.AT_EMPTY_PATH):
        raise SyscallError(abi.EINVAL)
    source = lookup_at(t, olddirfd, old, flags & abi.AT_EMPTY_PATH, follow=bool(flags & abi.AT_SYMLINK_FOLLOW))
    directory, name, trailing = parent_at(t, newdirfd, new)
    if source.inode.is_dir:
        raise SyscallError(abi.EPERM)
    if _try_step(t, directory, name) is not None:
        raise SyscallError(abi.EEXIST)
    if trailing:
        raise SyscallError(abi.ENOENT)
    if source.inode.fs is not directory.inode.fs:
        raise SyscallError(abi.EXDEV)
    directory.inode.link(name, source.inode)
    return 0


def sys_symlink(t: Thread, target: int, path: int) -> int:
    """symlink(2)."""
    return sys_symlinkat(t, target, abi.AT_FDCWD, path)


def sys_symlinkat(t: Thread, target: int, dirfd: int, path: int) -> int:
    """symlinkat(2)."""
    text = read_path(t, target)
    if not text:
        raise SyscallError(abi.ENOENT)
    directory, name, _ = parent_at(t, dirfd, path)
    if _try_step(t, directory, name) is not None or name in (b".", b".."):
        raise SyscallError(abi.EEXIST)
    p = t.process
    directory.inode.symlink(name, text, p.creds.euid, p.creds.egid)
    return 0


def sys_readlink(t: Thread, path: int, buf: int, size: int) -> int:
    """readlink(2)."""
    return sys_readlinkat(t, abi.AT_FDCWD, path, buf, size)


def sys_readlinkat(t: Thread, dirfd: int, path: int, buf: int, size: int) -> int:
    """readlinkat(2)."""
    if size <= 0 or size > 0x7FFFFFFF:
        raise SyscallError(abi.EINVAL)
    loc = lookup_at(t, dirfd, path, abi.AT_EMPTY_PATH, follow=False)
    text = loc.inode.readlink()[:size]
    t.process.mm.write(buf, text)
    return len(text)


# -- attributes ------------------------------------------------------------------------------

def sys_chmod(t: Thread, path: int, mode: int) -> int:
    """chmod(2)."""
    return sys_fchmodat(t, abi.AT_FDCWD, path, mode)


def sys_fchmod(t: Thread, fd: int, mode: int) -> int:
    """fchmod(2)."""
    desc = t.process.fds.get(fd)
    if desc.inode is None or desc.flags & abi.O_PATH:
        raise SyscallError(abi.EBADF)
    desc.setattr(mode=mode)
    return 0


def sys_fchmodat(t: Thread, dirfd: int, path: int, mode: int) -> int:
    """fchmodat(2)."""
    lookup_at(t, dirfd, path).inode.setattr(mode=mode)
    return 0


def sys_chown(t: Thread, path: int, uid: int, gid: int) -> int:
    """chown(2)."""
    return sys_fchownat(t, abi.AT_FDCWD, path, uid, gid, 0)


def sys_lchown(t: Thread, path: int, uid: int, gid: int) -> int:
    """lchown(2)."""
    return sys_fchownat(t, abi.AT_FDCWD, path, uid, gid, abi.AT_SYMLINK_NOFOLLOW)


def sys_fchown(t: Thread, fd: int, uid: int, gid: int) -> int:
    """fchown(2)."""
    desc = t.process.fds.get(fd)
    if desc.inode is None:
        raise SyscallError(abi.EBADF)
    desc.setattr(uid=_id_arg(uid), gid=_id_arg(gid))
    return 0


def sys_fchownat(t: Thread, dirfd: int, path: int, uid: int, gid: int, flags: int) -> int:
    """fchownat(2)."""
    if flags & ~(abi.AT_SYMLINK_NOFOLLOW | abi.AT_EMPTY_PATH):
        raise SyscallError(abi.EINVAL)
    lookup_at(t, dirfd, path, flags).inode.setattr(uid=_id_arg(uid), gid=_id_arg(gid))
    return 0


def _id_arg(value: int) -> int | None:
    """A uid_t/gid_t argument: -1 leaves the id unchanged, others are unsigned 32-bit."""
    return None if value in (-1, 0xFFFFFFFF) else value & 0xFFFFFFFF


def sys_truncate(t: Thread, path: int, length: int) -> int:
    """truncate(2)."""
    if length < 0:
        raise SyscallError(abi.EINVAL)
    loc = lookup_at(t, abi.AT_FDCWD, path)
    if loc.inode.is_dir:
        raise SyscallError(abi.EISDIR)
    if loc.inode.mode & abi.S_IFMT != abi.S_IFREG:
        raise SyscallError(abi.EINVAL)          # as Linux's vfs_truncate: regular files only
    t.process.kernel.quota.check_size(t, None, length, loc.inode.stat().size)
    loc.inode.setattr(size=length)
    return 0


def sys_ftruncate(t: Thread, fd: int, length: int) -> int:
    """ftruncate(2)."""
    if length < 0:
        raise SyscallError(abi.EINVAL)
    desc = t.process.fds.get(fd)
    if desc.inode is not None and desc.inode.mode & abi.S_IFMT != abi.S_IFREG:
        raise SyscallError(abi.EINVAL)          # directories, devices: regular files only
    if not desc.writable:
        raise SyscallError(abi.EBADF if desc.flags & abi.O_PATH else abi.EINVAL)
    t.process.kernel.quota.check_size(t, desc, length, desc.size())
    desc.truncate(length)
    return 0


def sys_utimensat(t: Thread, dirfd: int, path: int, times: int, flags: int) -> int:
    """utimensat(2), including the futimens form (path NULL)."""
    if flags & ~(abi.AT_SYMLINK_NOFOLLOW | abi.AT_EMPTY_PATH):
        raise SyscallError(abi.EINVAL)
    if path == 0:
        if dirfd == abi.AT_FDCWD:
            raise SyscallError(abi.EFAULT)
        desc = t.process.fds.get(dirfd)
        if desc.inode is None:
            raise SyscallError(abi.EBADF)
        setattr_ = desc.setattr            # the open file, even once unlinked
    else:
        setattr_ = lookup_at(t, dirfd, path, flags).inode.setattr
    now = t.process.kernel.numbers.now_ns()
    if times == 0:
        atime = mtime = now
    else:
        raw = struct.unpack("<qqqq", t.process.mm.read(times, 32))
        atime = _utime_field(raw[0], raw[1], now)
        mtime = _utime_field(raw[2], raw[3], now)
    if atime is not None or mtime is not None:
        setattr_(atime_ns=atime, mtime_ns=mtime)
    return 0


def _utime_field(sec: int, nsec: int, now: int) -> int | None:
    if nsec == abi.UTIME_NOW:
        return now
    if nsec == abi.UTIME_OMIT:
        return None
    if not 0 <= nsec < 1_000_000_000:
        raise SyscallError(abi.EINVAL)
    return sec * 1_000_000_000 + nsec


def sys_utimes(t: Thread, path: int, times: int) -> int:
    """utimes(2)."""
    return sys_futimesat(t, abi.AT_FDCWD, path, times)


def sys_futimesat(t: Thread, dirfd: int, path: int, times: int) -> int:
    """futimesat(2): timevals in microseconds."""
    inode = lookup_at(t, dirfd, path).inode
    if times == 0:
        now = t.process.kernel.numbers.now_ns()
        inode.setattr(atime_ns=now, mtime_ns=now)
        return 0
    a_sec, a_usec, m_sec, m_usec = struct.unpack("<qqqq", t.process.mm.read(times, 32))
    if not (0 <= a_usec < 1_000_000 and 0 <= m_usec < 1_000_000):
        raise SyscallError(abi.EINVAL)
    inode.setattr(atime_ns=a_sec * 10**9 + a_usec * 1000, mtime_ns=m_sec * 10**9 + m_usec * 1000)
    return 0


def sys_utime(t: Thread, path: int, times: int) -> int:
    """utime(2)."""
    inode = lookup_at(t, abi.AT_FDCWD, path).inode
    if times == 0:
        now = t.process.kernel.numbers.now_ns()
        inode.setattr(atime_ns=now, mtime_ns=now)
    else:
        atime, mtime = struct.unpack("<qq", t.process.mm.read(times, 16))
        inode.setattr(atime_ns=atime * 10**9, mtime_ns=mtime * 10**9)
    return 0


def sys_umask(t: Thread, mask: int) -> int:
    """umask(2)."""
    old = t.process.umask
    t.process.umask = mask & 0o777
    return old


def sys_sync(t: Thread) -> int:
    """sync(2): host-backed layers are written through already."""
    return 0



# -- extended attributes --------------------------------------------------------------------
# The rules live in vfs/xattr.py and the storage in each filesystem; these handlers read
# the arguments in Linux's order (the name and value before the path or fd) and answer
# in Linux's sizes: size 0 asks for the length, a smaller buffer is ERANGE.

def _xattr_name(t: Thread, address: int) -> bytes:
    if address == 0:
        raise SyscallError(abi.EFAULT)
    try:
        name = t.process.mm.read_cstring(address, abi.XATTR_NAME_MAX)
    except SyscallError as exc:
        raise SyscallError(abi.ERANGE if exc.errno == abi.ENAMETOOLONG else exc.errno) from None
    xattr.check_name(name)
    return name


@dataclass(frozen=True)
class _Target:
    """What an xattr call acts on: the inode (the namespace rules), where its attributes
    live (None: in the inode), and its attributes for the caller's permission check (an
    open file's own, which outlive its name)."""
    inode: Inode
    store: xattr.Store | None
    stat: Callable[[], Stat]

    def may(self, t: Thread) -> Callable[[int], None]:
        return lambda mask: check_mode(t, self.stat(), mask)


def _xattr_path(t: Thread, path: int, follow: bool) -> _Target:
    inode = lookup_at(t, abi.AT_FDCWD, path, follow=follow).inode
    return _Target(inode, None, inode.stat)


def _xattr_fd(t: Thread, fd: int, write: bool) -> _Target:
    """A pipe, socket or terminal has no inode of ours: as a special file it holds no
    user.* attribute (ENODATA) and takes none (EPERM)."""
    desc = t.process.fds.get(fd)
    if desc.inode is None:
        raise SyscallError(abi.EPERM if write else abi.ENODATA)
    return _Target(desc.inode, desc.xattr_store(), desc.stat)


def _answer(t: Thread, data: bytes, buf: int, size: int, limit: int) -> int:
    """Copy ``data`` out as getxattr/listxattr do."""
    size &= 0xFFFFFFFFFFFFFFFF
    if size == 0:
        return len(data)
    if len(data) > min(size, limit):
        raise SyscallError(abi.E2BIG if size >= limit else abi.ERANGE)
    t.process.mm.write(buf, data)
    return len(data)


def _set(t: Thread, target: Callable[[], _Target], name: int, value: int, size: int, flags: int) -> int:
    if flags & ~(abi.XATTR_CREATE | abi.XATTR_REPLACE):
        raise SyscallError(abi.EINVAL)
    key = _xattr_name(t, name)
    size &= 0xFFFFFFFFFFFFFFFF
    if size > abi.XATTR_SIZE_MAX:
        raise SyscallError(abi.E2BIG)
    data = bytes(t.process.mm.read(value, size)) if size else b""
    it = target()
    xattr.write(it.inode, key, data, flags, t.process.creds.euid, it.may(t), it.store)
    return 0


def _get(t: Thread, target: Callable[[], _Target], name: int, value: int, size: int) -> int:
    key = _xattr_name(t, name)
    it = target()
    data = xattr.read(it.inode, key, t.process.creds.euid, it.may(t), it.store)
    return _answer(t, data, value, size, abi.XATTR_SIZE_MAX)


def _list(t: Thread, it: _Target, listp: int, size: int) -> int:
    return _answer(t, xattr.pack_names(xattr.visible(it.inode, it.store)), listp, size, abi.XATTR_LIST_MAX)


def _remove(t: Thread, target: Callable[[], _Target], name: int) -> int:
    key = _xattr_name(t, name)
    it = target()
    xattr.remove(it.inode, key, t.process.creds.euid, it.may(t), it.store)
    return 0


def sys_setxattr(t: Thread, path: int, name: int, value: int, size: int, flags: int) -> int:
    """setxattr(2)."""
    return _set(t, lambda: _xattr_path(t, path, True), name, value, size, flags)


def sys_lsetxattr(t: Thread, path: int, name: int, value: int, size: int, flags: int) -> int:
    """lsetxattr(2)."""
    return _set(t, lambda: _xattr_path(t, path, False), name, value, size, flags)


def sys_fsetxattr(t: Thread, fd: int, name: int, value: int, size: int, flags: int) -> int:
    """fsetxattr(2)."""
    return _set(t, lambda: _xattr_fd(t, fd, True), name, value, size, flags)


def sys_getxattr(t: Thread, path: int, name: int, value: int, size: int) -> int:
    """getxattr(2)."""
    return _get(t, lambda: _xattr_path(t, path, True), name, value, size)


def sys_lgetxattr(t: Thread, path: int, name: int, value: int, size: int) -> int:
    """lgetxattr(2)."""
    return _get(t, lambda: _xattr_path(t, path, False), name, value, size)


def sys_fgetxattr(t: Thread, fd: int, name: int, value: int, size: int) -> int:
    """fgetxattr(2)."""
    return _get(t, lambda: _xattr_fd(t, fd, False), name, value, size)


def sys_listxattr(t: Thread, path: int, listp: int, size: int) -> int:
    """listxattr(2)."""
    return _list(t, _xattr_path(t, path, True), listp, size)


def sys_llistxattr(t: Thread, path: int, listp: int, size: int) -> int:
    """llistxattr(2)."""
    return _list(t, _xattr_path(t, path, False), listp, size)


def sys_flistxattr(t: Thread, fd: int, listp: int, size: int) -> int:
    """flistxattr(2)."""
    if t.process.fds.get(fd).inode is None:
        return 0
    return _list(t, _xattr_fd(t, fd, False), listp, size)


def sys_removexattr(t: Thread, path: int, name: int) -> int:
    """removexattr(2)."""
    return _remove(t, lambda: _xattr_path(t, path, True), name)


def sys_lremovexattr(t: Thread, path: int, name: int) -> int:
    """lremovexattr(2)."""
    return _remove(t, lambda: _xattr_path(t, path, False), name)


def sys_fremovexattr(t: Thread, fd: int, name: int) -> int:
    """fremovexattr(2)."""
    return _remove(t, lambda: _xattr_fd(t, fd, True), name)

"""Extended attributes: the rules Linux's VFS applies above every filesystem.

A name carries its namespace as a prefix (``user.``, ``trusted.``, ``security.``,
``system.``).  The checks here are fs/xattr.c's, in its order: the name's length, the
namespace's permission (xattr_permission), the capability hook for ``security.``,
then the handler lookup; each filesystem then only stores (``Inode.getxattr`` and
friends, see inode.py).

Credentials: root in a container holds CAP_DAC_OVERRIDE and CAP_FOWNER but not
CAP_SYS_ADMIN (Docker's default set, as clock_settime's EPERM assumes), so
``trusted.*`` is out of reach (EPERM to write, invisible to read and list) and
``security.*`` read-only.  ``system.*`` holds POSIX ACLs, which no filesystem here
supports: EOPNOTSUPP.
"""
from __future__ import annotations

from typing import Callable, Protocol

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs.inode import Inode

USER = b"user."
TRUSTED = b"trusted."
SECURITY = b"security."
SYSTEM = b"system."
_KNOWN = (USER, TRUSTED, SECURITY, SYSTEM)


class Store(Protocol):
    """Where attributes are kept: an inode, or an open file that holds its own
    (a host file, reached through its fd: see hostfs.HostFile)."""

    def getxattr(self, name: bytes) -> bytes: ...

    def listxattr(self) -> list[bytes]: ...

    def setxattr(self, name: bytes, value: bytes, flags: int) -> None: ...

    def removexattr(self, name: bytes) -> None: ...


def check_name(name: bytes) -> None:
    """import_xattr_name: an empty name or one of 256 bytes or more is ERANGE."""
    if not name or len(name) > abi.XATTR_NAME_MAX:
        raise SyscallError(abi.ERANGE)


def _permission(inode: Inode, name: bytes, write: bool, euid: int) -> bool:
    """xattr_permission: raises for the namespace's own rules; returns whether the
    caller's read (or write) permission on the file applies as well."""
    if name.startswith((SECURITY, SYSTEM)):
        return False
    if name.startswith(TRUSTED):
        raise SyscallError(abi.EPERM if write else abi.ENODATA)
    if name.startswith(USER):
        kind = inode.mode & abi.S_IFMT
        if kind not in (abi.S_IFREG, abi.S_IFDIR):
            raise SyscallError(abi.EPERM if write else abi.ENODATA)
        # A sticky directory's attributes are its owner's (root passes: CAP_FOWNER).
        if write and kind == abi.S_IFDIR and inode.mode & abi.S_ISVTX and euid not in (0, inode.stat().uid):
            raise SyscallError(abi.EPERM)
    return True


def _resolve(name: bytes) -> None:
    """The handler lookup: an unknown namespace is EOPNOTSUPP, a bare prefix EINVAL."""
    for prefix in _KNOWN:
        if name.startswith(prefix):
            if prefix == SYSTEM:
                raise SyscallError(abi.EOPNOTSUPP)
            if name == prefix:
                raise SyscallError(abi.EINVAL)
            return
    raise SyscallError(abi.EOPNOTSUPP)


# In each operation ``may(R_OK or W_OK)`` is the caller's DAC check on ``inode``, and
# ``store`` where the attributes live (``inode`` itself unless an open file says otherwise).

def read(inode: Inode, name: bytes, euid: int, may: Callable[[int], None], store: Store | None = None) -> bytes:
    """The value of ``name`` (getxattr)."""
    if _permission(inode, name, False, euid):
        may(abi.R_OK)
    _resolve(name)
    return (store or inode).getxattr(name)


def visible(inode: Inode, store: Store | None = None) -> list[bytes]:
    """listxattr: what the filesystem holds, less what the caller may not see."""
    return [name for name in (store or inode).listxattr() if not name.startswith(TRUSTED)]


def write(inode: Inode, name: bytes, value: bytes, flags: int, euid: int,
          may: Callable[[int], None], store: Store | None = None) -> None:
    """setxattr with XATTR_CREATE / XATTR_REPLACE (checked by the caller)."""
    inode.fs.check_writable()
    if _permission(inode, name, True, euid):
        may(abi.W_OK)
    if name.startswith(SECURITY):
        raise SyscallError(abi.EPERM)       # cap_inode_setxattr: CAP_SYS_ADMIN
    _resolve(name)
    (store or inode).setxattr(name, value, flags)


def remove(inode: Inode, name: bytes, euid: int, may: Callable[[int], None], store: Store | None = None) -> None:
    """removexattr."""
    inode.fs.check_writable()
    if _permission(inode, name, True, euid):
        may(abi.W_OK)
    if name.startswith(SECURITY):
        raise SyscallError(abi.EPERM)
    _resolve(name)
    (store or inode).removexattr(name)


def growth(store: dict[bytes, bytes], name: bytes, value: bytes, flags: int) -> int:
    """The bytes a filesystem's own table grows by when ``name`` is set to ``value``,
    after XATTR_CREATE / XATTR_REPLACE are checked against it."""
    old = store.get(name)
    if old is not None and flags & abi.XATTR_CREATE:
        raise SyscallError(abi.EEXIST)
    if old is None and flags & abi.XATTR_REPLACE:
        raise SyscallError(abi.ENODATA)
    return len(value) - len(old) if old is not None else len(name) + len(value)


def pack_names(found: list[bytes]) -> bytes:
    """listxattr's answer: the names, each NUL-terminated."""
    return b"".join(name + b"\0" for name in found)

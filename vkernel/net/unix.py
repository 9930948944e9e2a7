"""AF_UNIX sockets, entirely inside the kernel (the machinery is local.py): names and
credentials.

Names: a socket bound to a path is a socket inode in the VFS, found again through
(st_dev, st_ino); abstract names (a leading NUL) live in a table of the kernel, one
namespace per socket type as in Linux (a stream and a datagram socket may share a name,
and a lookup finds only a socket of the caller's type).
Credentials: SO_PEERCRED reports the process at the other end when the connection was
made (the listener's at listen time); SCM_CREDENTIALS travel with every message and
reach receivers that set SO_PASSCRED.
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.net.local import CONNECTED, LocalSocket

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.task import Thread

FAMILY = struct.pack("<H", abi.AF_UNIX)


class UnixNames:
    """The kernel's table of bound names: abstract ones, and path-bound sockets by the
    (st_dev, st_ino) of their socket inode."""

    def __init__(self) -> None:
        self.abstract: dict[tuple[int, bytes], UnixSocket] = {}     # by (type, name)
        self.paths: dict[tuple[int, int], UnixSocket] = {}
        self.next_auto = 0

    def autobind_name(self, kind: int) -> bytes:
        """Linux's autobind: a NUL and five hex digits not in use for the type."""
        while True:
            name = b"\0%05x" % (self.next_auto & 0xFFFFF)
            self.next_auto += 1
            if (kind, name) not in self.abstract:
                return name


def _check_type(kind: int, protocol: int) -> int:
    """unix_create's checks, the protocol first."""
    if protocol not in (0, abi.AF_UNIX):
        raise SyscallError(abi.EPROTONOSUPPORT)
    if kind == abi.SOCK_RAW:
        kind = abi.SOCK_DGRAM
    if kind not in (abi.SOCK_STREAM, abi.SOCK_DGRAM, abi.SOCK_SEQPACKET):
        raise SyscallError(abi.ESOCKTNOSUPPORT)
    return kind


def create(t: Thread, family: int, kind: int, protocol: int, flags: int) -> UnixSocket:
    """socket(AF_UNIX, ...)."""
    return UnixSocket(t.process.kernel, _check_type(kind, protocol), flags)


def pair(t: Thread, kind: int, protocol: int, flags: int) -> tuple[UnixSocket, UnixSocket]:
    """socketpair(AF_UNIX, ...): two sockets connected to each other."""
    kind = _check_type(kind, protocol)
    kernel = t.process.kernel
    a, b = UnixSocket(kernel, kind, flags), UnixSocket(kernel, kind, flags)
    a.peer, b.peer = b, a
    a.state = b.state = CONNECTED
    a.peercred = b.peercred = _creds_of(t)
    return a, b


def _creds_of(t: Thread) -> tuple[int, int, int]:
    """What SO_PEERCRED reports of ``t``'s process: its pid and effective ids."""
    c = t.process.creds
    return (t.process.pid, c.euid, c.egid)


def _parse_name(raw: bytes) -> bytes:
    """The key of a sockaddr_un: the abstract name with its leading NUL, or the path."""
    if len(raw) <= 2 or len(raw) > 2 + abi.UNIX_PATH_MAX or struct.unpack_from("<H", raw)[0] != abi.AF_UNIX:
        raise SyscallError(abi.EINVAL)
    name = raw[2:]
    return name if name[0] == 0 else name.split(b"\0", 1)[0]


class UnixSocket(LocalSocket):
    family = abi.AF_UNIX
    has_protocol_levels = False

    def __init__(self, kernel: Kernel, kind: int, flags: int) -> None:
        super().__init__(kernel, kind, 0, flags)
        self.names: UnixNames = kernel.unix_names
        self.name_key: tuple[str, object] | None = None   # its key in UnixNames
        self.peercred: tuple[int, int, int] | None = None

    def unnamed(self) -> bytes:
        return FAMILY

    def peer_creds(self) -> tuple[int, int, int]:
        return self.peercred or super().peer_creds()

    def check_sendmsg(self) -> None:
        if self.kind == abi.SOCK_SEQPACKET and self.state != CONNECTED:
            raise SyscallError(abi.ENOTCONN)     # unix_seqpacket_sendmsg, before scm_send

    def proto_getsockopt(self, level: int, name: int) -> bytes:
        raise SyscallError(abi.EOPNOTSUPP)       # sock_no_getsockopt: AF_UNIX has no level of its own

    def proto_setsockopt(self, level: int, name: int, value: bytes) -> None:
        raise SyscallError(abi.EOPNOTSUPP)

    def bind(self, t: Thread, raw: bytes) -> None:
        """unix_bind's order: a family-only address autobinds (a no-op on a bound
        socket); an abstract name checks "already bound" before "in use"; a path is
        created first (EADDRINUSE if it exists), and removed again if the socket turns
        out to be bound already."""
        if len(raw) < 2 or struct.unpack_from("<H", raw)[0] != abi.AF_UNIX:
            raise SyscallError(abi.EINVAL)
        names = self.names
        if len(raw) == 2:
            if self.addr is None:
                self._bind_abstract(names.autobind_name(self.kind))
            return
        name = _parse_name(raw)
        if name[0] == 0:
            if self.addr is not None:
                raise SyscallError(abi.EINVAL)
            if (self.kind, name) in names.abstract:
                raise SyscallError(abi.EADDRINUSE)
            self._bind_abstract(name)
            return
        proc = t.process
        directory, last, _ = self.kernel.ns.resolve_parent(proc.cwd, name)
        try:
            node = directory.inode.mknod(last, abi.S_IFSOCK | (0o777 & ~proc.umask), proc.creds.euid, proc.creds.egid)
        except SyscallError as exc:
            raise SyscallError(abi.EADDRINUSE) if exc.errno == abi.EEXIST else exc
        if self.addr is not None:
            directory.inode.unlink(last)
            raise SyscallError(abi.EINVAL)
        st = node.stat()
        self.name_key = ("path", (st.dev, st.ino))
        names.paths[(st.dev, st.ino)] = self
        self.addr = FAMILY + name + b"\0"

    def _bind_abstract(self, name: bytes) -> None:
        self.names.abstract[(self.kind, name)] = self
        self.name_key = ("abstract", (self.kind, name))
        self.addr = FAMILY + name

    def autobind(self) -> None:
        """Linux autobinds only sockets that pass credentials (unix_autobind callers)."""
        if self.addr is None and self.passcred():
            self._bind_abstract(self.names.autobind_name(self.kind))

    def release_name(self) -> None:
        if self.name_key is None:
            return
        kind, key = self.name_key
        table: dict = self.names.abstract if kind == "abstract" else self.names.paths
        if table.get(key) is self:
            del table[key]

    def lookup(self, t: Thread, raw: bytes) -> UnixSocket | None:
        """The socket a sockaddr_un names, or the errno Linux's unix_find_other gives."""
        name = _parse_name(raw)
        if name[0] == 0:
            return self.names.abstract.get((self.kind, name))
        st = self.kernel.ns.resolve(t.process.cwd, name).inode.stat()
        if st.mode & abi.S_IFMT != abi.S_IFSOCK:
            raise SyscallError(abi.ECONNREFUSED)
        return self.names.paths.get((st.dev, st.ino))

    def listen(self, t: Thread, backlog: int) -> None:
        if self.connection and self.addr is None:
            raise SyscallError(abi.EINVAL)          # no listens on an unbound socket
        super().listen(t, backlog)
        self.peercred = _creds_of(t)

    def new_server(self, t: Thread, listener: LocalSocket) -> LocalSocket:
        assert isinstance(listener, UnixSocket)
        server = UnixSocket(self.kernel, self.kind, 0)
        server.addr = listener.addr
        server.peercred = _creds_of(t)
        self.peercred = listener.peercred
        return server

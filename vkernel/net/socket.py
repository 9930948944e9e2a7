"""The socket description every address family builds on.

A family implements the operations its sockets support (bind, listen, accept,
connect, shutdown, send, recv, the options of its own levels); what is left here
fails as Linux's sock_no_* functions do.  Options of SOL_SOCKET that mean the same
for every family (buffer sizes, timeouts, SO_TYPE...) are kept here once.

Blocking follows the rest of the kernel (vkernel/waitq.py): an operation that must
wait raises WouldBlock and the handler parks the thread; a blocking call re-runs from
the start when woken, so an operation raises WouldBlock only before it changed anything.
SO_RCVTIMEO/SO_SNDTIMEO bound such a wait: it then ends with EAGAIN, and a signal
gives EINTR instead of a restart (Linux's sock_intr_errno).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.fdtable import release
from vkernel.sched import Wait
from vkernel.vfs.file import FileDescription
from vkernel.vfs.inode import Stat, encode_dev
from vkernel.waitq import WaitQueue, WouldBlock

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.task import Thread

# Sockets live on sockfs, an anonymous device of its own (Linux's is 0:8 or nearby).
SOCKFS_DEV = encode_dev(0, 8)
# net.core.{w,r}mem_default and _max: the buffer sizes a socket starts with and the
# most SO_SNDBUF/SO_RCVBUF grant (the kernel doubles the value it is given).
WMEM_DEFAULT = RMEM_DEFAULT = 212992
WMEM_MAX = RMEM_MAX = 212992
SNDBUF_MIN, RCVBUF_MIN = 4608, 2304
TIMEVAL = struct.Struct("<qq")
LINGER = struct.Struct("<ii")


@dataclass(eq=False)
class Ancillary:
    """What travels beside the bytes of one message: descriptions passed with
    SCM_RIGHTS (each holds a reference while in flight) and the sender's credentials."""
    fds: list[FileDescription] = field(default_factory=list)
    creds: tuple[int, int, int] | None = None     # (pid, uid, gid)


@dataclass(eq=False)
class Received:
    """A completed receive: ``count`` bytes landed in the guest's buffers; ``length`` is
    the message's real length (MSG_TRUNC); ``addr`` the sender's packed sockaddr."""
    count: int
    length: int = -1
    addr: bytes | None = None
    anc: Ancillary | None = None
    flags: int = 0                  # MSG_TRUNC, MSG_EOR... as recvmsg reports them


def not_supported() -> SyscallError:
    return SyscallError(abi.EOPNOTSUPP)


class Socket(FileDescription):
    """One socket.  ``kind`` is SOCK_STREAM/DGRAM/SEQPACKET; the description's flags
    hold O_RDWR and O_NONBLOCK as Linux's socket files do."""

    seekable = False
    pollable = True
    family = abi.AF_UNSPEC

    def __init__(self, kernel: Kernel, kind: int, protocol: int, flags: int) -> None:
        ino = kernel.numbers.new()
        super().__init__(None, abi.O_RDWR | flags & abi.O_NONBLOCK, b"socket:[%d]" % ino)
        self.kernel = kernel
        self.ino = ino
        self.kind = kind
        self.protocol = protocol
        self.created_ns = kernel.numbers.now_ns()
        creds = kernel.current.creds if kernel.current is not None else None
        self.uid, self.gid = (creds.euid, creds.egid) if creds is not None else (0, 0)
        self.sndbuf = WMEM_DEFAULT
        self.rcvbuf = RMEM_DEFAULT
        self.rcvtimeo_ns = 0            # 0: wait forever
        self.sndtimeo_ns = 0
        # SOL_SOCKET options that only need remembering (SO_REUSEADDR, SO_KEEPALIVE...).
        self.flags_opts: dict[int, int] = {}
        self.linger = (0, 0)
        self.error = 0                  # SO_ERROR, cleared when read
        # Told of every change poll(2) can see; blocked operations park here too.
        self.changed = WaitQueue(kernel.sched, f"socket:[{ino}] to change")

    # -- operations (families override what they support) --
    def bind(self, t: Thread, addr: bytes) -> None:
        raise not_supported()

    def listen(self, t: Thread, backlog: int) -> None:
        raise not_supported()

    def accept(self, t: Thread, flags: int) -> Socket:
        """A connected socket from the queue; its flags are O_NONBLOCK from accept4."""
        raise not_supported()

    def connect(self, t: Thread, addr: bytes) -> None:
        raise not_supported()

    def shutdown(self, how: int) -> None:
        raise not_supported()

    def send(self, t: Thread | None, data: list[memoryview] | list[bytes], addr: bytes | None,
             anc: Ancillary | None, flags: int) -> int:
        raise not_supported()

    def recv(self, t: Thread | None, views: list[memoryview], flags: int) -> Received:
        raise not_supported()

    def sockname(self) -> bytes:
        raise not_supported()

    def peername(self) -> bytes:
        raise SyscallError(abi.ENOTCONN)

    def proto_getsockopt(self, level: int, name: int) -> bytes:
        """Options of the family's own levels (IPPROTO_TCP...)."""
        raise SyscallError(abi.ENOPROTOOPT)

    def proto_setsockopt(self, level: int, name: int, value: bytes) -> None:
        raise SyscallError(abi.ENOPROTOOPT)

    # Whether the family has option levels besides SOL_SOCKET (AF_UNIX has none).
    has_protocol_levels = True

    def check_sendmsg(self) -> None:
        """What a family checks of a sendmsg before its control messages are read."""

    def proto_control(self, level: int, kind: int, data: bytes) -> None:
        """A sendmsg control message at a level other than SOL_SOCKET (IP_PKTINFO...):
        ignored unless the family knows it, as Linux's __scm_send."""

    def accepted_from(self) -> bytes:
        """For accept's address: the peer of a socket accept just returned."""
        return self.peername()

    @property
    def listening(self) -> bool:
        return False

    def peer_creds(self) -> tuple[int, int, int]:
        """SO_PEERCRED: (pid, uid, gid); families without one report the invalid triple."""
        return (0, 0xFFFFFFFF, 0xFFFFFFFF)

    # -- SOL_SOCKET, the same for every family --
    def getsockopt(self, level: int, name: int) -> bytes:
        if level != abi.SOL_SOCKET:
            return self.proto_getsockopt(level, name)
        int_value = {
            abi.SO_TYPE: self.kind, abi.SO_DOMAIN: self.family, abi.SO_PROTOCOL: self.protocol,
            abi.SO_SNDBUF: self.sndbuf, abi.SO_RCVBUF: self.rcvbuf, abi.SO_ACCEPTCONN: int(self.listening),
            abi.SO_RCVLOWAT: 1, abi.SO_SNDLOWAT: 1,
        }
        if name in int_value:
            return struct.pack("<i", int_value[name])
        if name == abi.SO_ERROR:
            error, self.error = self.error, 0
            return struct.pack("<i", error)
        if name in (abi.SO_RCVTIMEO, abi.SO_SNDTIMEO):
            ns = self.rcvtimeo_ns if name == abi.SO_RCVTIMEO else self.sndtimeo_ns
            return TIMEVAL.pack(ns // 1_000_000_000, ns % 1_000_000_000 // 1000)
        if name == abi.SO_LINGER:
            return LINGER.pack(*self.linger)
        if name == abi.SO_PEERCRED:
            return struct.pack("<iII", *self.peer_creds())
        if name in _FLAG_OPTIONS:
            return struct.pack("<i", self.flags_opts.get(name, 0))
        raise SyscallError(abi.ENOPROTOOPT)

    def setsockopt(self, level: int, name: int, value: bytes) -> None:
        if level != abi.SOL_SOCKET:
            self.proto_setsockopt(level, name, value)
            return
        if name in (abi.SO_RCVTIMEO, abi.SO_SNDTIMEO):
            if len(value) < TIMEVAL.size:
                raise SyscallError(abi.EINVAL)
            sec, usec = TIMEVAL.unpack_from(value)
            if not 0 <= usec < 1_000_000:
                raise SyscallError(abi.EDOM)
            ns = 0 if sec < 0 else sec * 1_000_000_000 + usec * 1000
            if name == abi.SO_RCVTIMEO:
                self.rcvtimeo_ns = ns
            else:
                self.sndtimeo_ns = ns
            return
        if name == abi.SO_LINGER:
            if len(value) < LINGER.size:
                raise SyscallError(abi.EINVAL)
            onoff, seconds = LINGER.unpack_from(value)
            self.linger = (int(bool(onoff)), seconds)
            return
        if len(value) < 4:
            raise SyscallError(abi.EINVAL)
        number = struct.unpack_from("<i", value)[0]
        if name in (abi.SO_SNDBUF, abi.SO_SNDBUFFORCE):
            self.sndbuf = max(min(number & 0x7FFFFFFF, WMEM_MAX) * 2, SNDBUF_MIN)
        elif name in (abi.SO_RCVBUF, abi.SO_RCVBUFFORCE):
            self.rcvbuf = max(min(number & 0x7FFFFFFF, RMEM_MAX) * 2, RCVBUF_MIN)
        elif name in _FLAG_OPTIONS:
            self.flags_opts[name] = int(bool(number)) if name != abi.SO_PRIORITY else number
            self.option_changed(name)
        elif name in (abi.SO_TYPE, abi.SO_PROTOCOL, abi.SO_DOMAIN, abi.SO_ERROR, abi.SO_PEERCRED,
                      abi.SO_ACCEPTCONN):
            raise SyscallError(abi.ENOPROTOOPT)
        elif name in (abi.SO_RCVLOWAT, abi.SO_SNDLOWAT):
            pass                            # readiness ignores low-water marks (as SO_SNDLOWAT on Linux)
        else:
            raise SyscallError(abi.ENOPROTOOPT)

    def level_applies(self, level: int) -> bool:
        """Whether ``level`` is one of an inet socket's protocols (TCP for streams, UDP
        for datagrams, IPv6 for AF_INET6 sockets, IP for both)."""
        if level == abi.IPPROTO_TCP:
            return self.kind == abi.SOCK_STREAM
        if level == abi.IPPROTO_UDP:
            return self.kind == abi.SOCK_DGRAM
        if level == abi.IPPROTO_IPV6:
            return self.family == abi.AF_INET6
        return level == abi.IPPROTO_IP

    def option_changed(self, name: int) -> None:
        """A remembered SOL_SOCKET flag was set (host sockets pass it on)."""

    def passcred(self) -> bool:
        return bool(self.flags_opts.get(abi.SO_PASSCRED))

    # -- blocking --
    def park_on(self, queue: WaitQueue, timeout_ns: int, describe: str) -> WouldBlock:
        """The WouldBlock of an operation waiting for ``queue`` to change, bounded by a
        socket timeout (0: none)."""
        def park(t: Thread) -> Block:
            sched = self.kernel.sched
            wait = Wait(t, describe, restart="never" if timeout_ns else "sys")
            wait.cancel = lambda: queue.remove(wait)
            queue.waits.append(wait)
            sched.block(wait, sched.now() + timeout_ns if timeout_ns else None, -abi.EAGAIN)
            return Block()
        return WouldBlock(park)

    def call_flags(self, flags: int) -> int:
        """A call's MSG_* flags with MSG_DONTWAIT added on an O_NONBLOCK socket, as
        families see them (send and recv never look at the description's flags)."""
        return flags | abi.MSG_DONTWAIT if self.nonblocking else flags

    # -- the file view: read/write are recv/send without flags --
    def read(self, views: list[memoryview]) -> int:
        got = self.recv(None, views, self.call_flags(0))
        if got.anc is not None:
            for desc in got.anc.fds:
                release(desc)           # read(2) discards passed descriptors
        return got.count

    def write(self, data: list[memoryview] | list[bytes]) -> int:
        return self.send(None, data, None, None, self.call_flags(0))

    def read_at(self, views: list[memoryview], offset: int) -> int:
        raise SyscallError(abi.ESPIPE)

    def write_at(self, data: list[memoryview] | list[bytes], offset: int) -> int:
        raise SyscallError(abi.ESPIPE)

    def seek(self, offset: int, whence: int) -> int:
        raise SyscallError(abi.ESPIPE)

    def size(self) -> int:
        return 0

    def sync(self) -> None:
        raise SyscallError(abi.EINVAL)

    def stat(self) -> Stat:
        return Stat(SOCKFS_DEV, self.ino, abi.S_IFSOCK | 0o777, 1, self.uid, self.gid, 0,
                    atime_ns=self.created_ns, mtime_ns=self.created_ns, ctime_ns=self.created_ns)

    def poll_queue(self) -> WaitQueue | None:
        return self.changed


_FLAG_OPTIONS = frozenset({abi.SO_DEBUG, abi.SO_REUSEADDR, abi.SO_DONTROUTE, abi.SO_BROADCAST,
                           abi.SO_KEEPALIVE, abi.SO_OOBINLINE, abi.SO_NO_CHECK, abi.SO_PRIORITY,
                           abi.SO_BSDCOMPAT, abi.SO_REUSEPORT, abi.SO_PASSCRED})

"""AF_INET and AF_INET6 sockets over host sockets (the `host` backend).

Each guest socket owns one host socket of the same family and type, opened by the
kernel and always non-blocking at the host; the guest's blocking is emulated through
the scheduler.

Invariants:
- Every host operation goes through ``kernel.sources`` (DESIGN.md invariant 4): the
  closures handed to host_call/host_readinto/host_write are the only code that touches
  the host socket, and the Python socket object over the host fd is created inside
  them, lazily, so a replay (which never runs them) never touches a host fd.
- Readiness is the host fd's: poll() asks the host with a zero timeout, and waiters
  (poll, select, epoll, a blocked call) watch the fd through Scheduler.watch_host;
  nothing in the kernel announces changes (poll_queue() is None).
- A blocked accept, recv or connect retry changed nothing before it parked: it waits
  for the host fd and runs again.  A blocking stream send that moved some bytes does
  not return a short count: the rest is kept in ``pending`` and pushed as the host
  socket drains (first sender first, as vkernel/pipe.py), and its thread wakes with
  the full count (or with what went, when a signal or SO_SNDTIMEO cuts it short).
  Likewise a blocking MSG_WAITALL receive keeps filling the guest's buffers.
- Every address the guest names (bind, connect, a datagram's destination, and the
  wildcard that listen() binds implicitly) passes the network policy first; a refusal
  is audited.
- Guest values (sockaddr layout, AF_*, errnos) are never the host's: sockaddrs are
  encoded here in the guest's Linux layout and host errors go through from_os_error.
  MSG_*, SOL_*/option numbers and POLL* bits are passed through unchanged: the host is
  x86-64 Linux, whose values these are.
"""
from __future__ import annotations

import ctypes
import fcntl
import functools
import os
import resource
import socket
import struct
import termios
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, TypeVar

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError, from_os_error
from vkernel.net.socket import Ancillary, Received, Socket
from vkernel.sched import HostWatch, Wait
from vkernel.vfs.file import copy_out
from vkernel.waitq import WouldBlock

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.policy.net import NetPolicy
    from vkernel.task import Thread

T = TypeVar("T")

_HOST_FAMILY = {abi.AF_INET: socket.AF_INET, abi.AF_INET6: socket.AF_INET6}
_HOST_TYPE = {abi.SOCK_STREAM: socket.SOCK_STREAM, abi.SOCK_DGRAM: socket.SOCK_DGRAM}
_PROTOCOL = {abi.SOCK_STREAM: abi.IPPROTO_TCP, abi.SOCK_DGRAM: abi.IPPROTO_UDP}
SOCKADDR_IN_LEN = 16
SOCKADDR_IN6_LEN = 28
SIN6_LEN_RFC2133 = 24               # a sockaddr_in6 without sin6_scope_id, still accepted
SOCKADDR_IN = struct.Struct("<H2s4s8x")      # family (host order), port (network order), address
SOCKADDR_IN6 = struct.Struct("<H2s4s16sI")   # family, port, flowinfo (network order), address, scope id
# Host fds kept free for vkemu itself (its files, pipes, Unicorn): past this many
# below RLIMIT_NOFILE, new host sockets fail with ENFILE instead of starving the kernel.
HOST_FD_RESERVE = 64
READABLE = abi.POLLIN | abi.POLLRDNORM
WRITABLE = abi.POLLOUT | abi.POLLWRNORM | abi.POLLWRBAND
ALL_EVENTS = READABLE | WRITABLE | abi.POLLPRI | abi.POLLRDBAND | abi.POLLRDHUP
# Send flags the host sees as given; MSG_DONTWAIT and MSG_NOSIGNAL are always added
# (the host socket never blocks, and SIGPIPE is the guest's, raised by the handler).
_SEND_FLAGS = abi.MSG_OOB | abi.MSG_DONTROUTE | abi.MSG_EOR | abi.MSG_MORE | abi.MSG_CONFIRM | abi.MSG_FASTOPEN
# The host's flags as plain ints (the socket module's are enum members, slow to combine).
_HOST_DONTWAIT = int(socket.MSG_DONTWAIT)
_HOST_NOWAIT_NOSIGNAL = int(socket.MSG_DONTWAIT | socket.MSG_NOSIGNAL)
_RECV_FLAGS = abi.MSG_OOB | abi.MSG_PEEK | abi.MSG_TRUNC | abi.MSG_WAITALL | abi.MSG_ERRQUEUE
# Options of the protocol levels passed to the host socket (what it answers is what
# Linux answers).  Others get ENOPROTOOPT: the ones that would bypass the network
# policy (IP_TRANSPARENT, source routes in IP_OPTIONS, routing headers) and the ones
# whose effect would be ancillary data the kernel does not deliver (IP_PKTINFO...).
_HOST_OPTIONS: dict[int, frozenset[int]] = {
    abi.IPPROTO_TCP: frozenset({abi.TCP_NODELAY, abi.TCP_MAXSEG, abi.TCP_CORK, abi.TCP_KEEPIDLE, abi.TCP_KEEPINTVL,
                                abi.TCP_KEEPCNT, abi.TCP_SYNCNT, abi.TCP_LINGER2, abi.TCP_DEFER_ACCEPT,
                                abi.TCP_WINDOW_CLAMP, abi.TCP_INFO, abi.TCP_QUICKACK, abi.TCP_CONGESTION,
                                abi.TCP_USER_TIMEOUT, abi.TCP_FASTOPEN, abi.TCP_NOTSENT_LOWAT}),
    abi.IPPROTO_IP: frozenset({abi.IP_TOS, abi.IP_TTL, abi.IP_MTU_DISCOVER, abi.IP_MTU, abi.IP_FREEBIND,
                               abi.IP_BIND_ADDRESS_NO_PORT, abi.IP_MULTICAST_TTL, abi.IP_MULTICAST_LOOP}),
    abi.IPPROTO_IPV6: frozenset({abi.IPV6_UNICAST_HOPS, abi.IPV6_MULTICAST_HOPS, abi.IPV6_MULTICAST_LOOP,
                                 abi.IPV6_MTU_DISCOVER, abi.IPV6_MTU, abi.IPV6_V6ONLY, abi.IPV6_TCLASS}),
    abi.IPPROTO_UDP: frozenset(),
}
# SOL_SOCKET options whose value lives in the host socket (the base class remembers
# them too, for its own checks).
_HOST_SOL_SOCKET = frozenset({abi.SO_SNDBUF, abi.SO_RCVBUF, abi.SO_SNDBUFFORCE, abi.SO_RCVBUFFORCE, abi.SO_LINGER})
_OPTION_BUFSIZE = 256               # the largest option value asked of the host (TCP_INFO fits)


@dataclass(frozen=True)
class Address:
    """A guest sockaddr_in/sockaddr_in6, decoded."""
    family: int
    ip: str
    port: int
    flowinfo: int = 0
    scope_id: int = 0

    def host(self) -> tuple:
        """Python's socket address tuple."""
        if self.family == abi.AF_INET:
            return (self.ip, self.port)
        return (self.ip, self.port, self.flowinfo & 0xFFFFF, self.scope_id)

    def __str__(self) -> str:
        return f"{self.ip}:{self.port}" if self.family == abi.AF_INET else f"[{self.ip}]:{self.port}"


def encode_sockaddr(family: int, host: tuple) -> bytes:
    """A host socket address tuple as the guest's sockaddr_in / sockaddr_in6."""
    if family == abi.AF_INET:
        return SOCKADDR_IN.pack(abi.AF_INET, struct.pack(">H", host[1]), socket.inet_pton(socket.AF_INET, host[0]))
    ip = host[0].split("%", 1)[0]
    return SOCKADDR_IN6.pack(abi.AF_INET6, struct.pack(">H", host[1]), struct.pack(">I", host[2]),
                             socket.inet_pton(socket.AF_INET6, ip), host[3])


def _decode_in(raw: bytes) -> Address:
    _, port, addr = SOCKADDR_IN.unpack_from(raw)
    return Address(abi.AF_INET, socket.inet_ntop(socket.AF_INET, addr), struct.unpack(">H", port)[0])


def _decode_in6(raw: bytes) -> Address:
    raw = raw[:SOCKADDR_IN6_LEN].ljust(SOCKADDR_IN6_LEN, b"\0")
    _, port, flow, addr, scope = SOCKADDR_IN6.unpack(raw)
    return Address(abi.AF_INET6, socket.inet_ntop(socket.AF_INET6, addr), struct.unpack(">H", port)[0],
                   struct.unpack(">I", flow)[0], scope)


def _mapped(v4: Address) -> Address:
    """An IPv4 destination given to an IPv6 socket: its IPv4-mapped form."""
    return Address(abi.AF_INET6, "::ffff:" + v4.ip, v4.port)


def _sa_family(raw: bytes) -> int:
    if len(raw) < 2:
        raise SyscallError(abi.EINVAL)
    return struct.unpack_from("<H", raw)[0]


def _advance(views: list[memoryview], n: int) -> list[memoryview]:
    """``views`` without their first ``n`` bytes."""
    out = []
    for view in views:
        if n >= len(view):
            n -= len(view)
            continue
        out.append(view[n:])
        n = 0
    return out


def discard_views(sock: Socket, flags: int, length: int) -> list[memoryview] | None:
    """Buffers standing for a guest buffer that TCP's MSG_TRUNC never copies into (it
    drops the bytes, so Linux accepts even a NULL buffer): one scratch page repeated,
    at most UIO_MAXIOV times.  None when ``sock`` and ``flags`` are not that case."""
    if not (flags & abi.MSG_TRUNC and sock.family in (abi.AF_INET, abi.AF_INET6) and sock.kind == abi.SOCK_STREAM):
        return None
    page = memoryview(bytearray(min(length, abi.PAGE_SIZE)))
    count = min(length // len(page), 1024) if len(page) else 0
    return [page] * count + ([page[:length % len(page)]] if count < 1024 and length % len(page) else [])


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _host_disconnect(fd: int) -> int:
    """connect(fd, {AF_UNSPEC}) on the host, which Python's socket API cannot express."""
    unspec = struct.pack("<H14x", socket.AF_UNSPEC)
    if _libc().connect(fd, unspec, len(unspec)) < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return 0


def create(t: Thread, family: int, kind: int, protocol: int, flags: int) -> Socket:
    """socket(2) for AF_INET/AF_INET6 (inet_create's checks, then a host socket).

    SOCK_RAW is EPERM, as for a process without CAP_NET_RAW: the container never has
    it, since raw packets would go around the network policy."""
    from vkernel.policy.net import NetPolicy     # here: the policy package imports the syscall table
    kernel = t.process.kernel
    if not 0 <= kind < abi.SOCK_MAX or not 0 <= protocol < abi.IPPROTO_MAX:
        raise SyscallError(abi.EINVAL)
    policy = NetPolicy(kernel.policy.network)
    refused = policy.check_socket(family)
    if refused:
        kernel.audit.record(t, "socket", "deny", f"{abi.AF_NAMES[family]} sockets refused by the network backend "
                            f"{policy.backend!r}", {"family": family}, rule="network.backend")
        raise SyscallError(refused)
    if kind == abi.SOCK_RAW:
        kernel.audit.record(t, "socket", "deny", "raw sockets need CAP_NET_RAW, which containers do not have",
                            {"family": family, "protocol": protocol}, rule="network.raw")
        raise SyscallError(abi.EPERM)
    expected = _PROTOCOL.get(kind)
    if expected is None:
        raise SyscallError(abi.ESOCKTNOSUPPORT)
    if protocol not in (0, expected):
        raise SyscallError(abi.EPROTONOSUPPORT)
    try:
        fd = kernel.sources.host_call("socket", abi.AF_NAMES[family], _open_host, _HOST_FAMILY[family],
                                      _HOST_TYPE[kind])
    except OSError as exc:
        raise from_os_error(exc) from None
    _check_host_budget(kernel, fd)
    return InetSocket(kernel, family, kind, expected, flags, fd, policy)


def _open_host(family: int, kind: int) -> int:
    return socket.socket(family, kind | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC).detach()


def _check_host_budget(kernel: Kernel, fd: int) -> None:
    """Refuse a new host socket that would leave vkemu too few host fds (ENFILE: the
    host's table, not the guest's, is what ran out); the soft limit is raised to the
    hard one first."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if fd < soft - HOST_FD_RESERVE:
        return
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            if fd < hard - HOST_FD_RESERVE:
                return
        except (ValueError, OSError):
            pass
    try:
        kernel.sources.host_call("close", fd, os.close, fd)
    except OSError:
        pass
    raise SyscallError(abi.ENFILE)


@dataclass(eq=False)
class _PendingSend:
    """A blocked stream send's bytes the host socket has not taken yet."""
    wait: Wait
    data: bytes
    before: int                 # bytes of this send that went before it blocked
    pos: int = 0                # bytes of ``data`` sent since

    @property
    def count(self) -> int:
        return self.before + self.pos


class InetSocket(Socket):
    def __init__(self, kernel: Kernel, family: int, kind: int, protocol: int, flags: int, fd: int,
                 policy: NetPolicy) -> None:
        super().__init__(kernel, kind, protocol, flags)
        self.family = family
        self.fd = fd
        self.policy = policy
        self._sock: socket.socket | None = None      # created inside host calls only
        self.bound = False
        self.local_peers_only = False               # see bind()
        self.connected = False                      # a stream connected (or accepted)
        self.peer: bytes | None = None              # the address accept reported
        self.pending: deque[_PendingSend] = deque()
        self._drain_watch: HostWatch | None = None   # on the host fd while sends are pending

    # -- the host socket --
    def _host(self) -> socket.socket:
        """The Python socket over the host fd: only ever called inside a host call."""
        if self._sock is None:
            self._sock = socket.socket(_HOST_FAMILY[self.family], _HOST_TYPE[self.kind], self.protocol, self.fd)
        return self._sock

    def _call(self, kind: str, fn: Callable[..., T], *args: object) -> T:
        try:
            return self.kernel.sources.host_call(kind, self.fd, fn, *args)
        except OSError as exc:
            raise from_os_error(exc) from None

    def _describe(self, what: str) -> str:
        return f"{self.path.decode()} {what}"

    # -- addresses and policy --
    def _parse(self, raw: bytes, op: str) -> Address | None:
        """The guest's sockaddr for ``op`` ("bind", "connect", "sendto") with Linux's
        checks (inet_bind, tcp_v4_connect, udp_sendmsg and their IPv6 twins); None for
        an AF_UNSPEC destination that means none."""
        family = _sa_family(raw)
        if self.family == abi.AF_INET:
            if len(raw) < SOCKADDR_IN_LEN:
                raise SyscallError(abi.EINVAL)
            addr = _decode_in(raw)
            if family == abi.AF_INET:
                return addr
            # Compatibility kept by Linux: AF_UNSPEC for the wildcard in bind, for any
            # destination in a datagram's sendto.
            if family == abi.AF_UNSPEC and (op == "sendto" or op == "bind" and addr.ip == "0.0.0.0"):
                return addr
            raise SyscallError(abi.EAFNOSUPPORT)
        if self.kind == abi.SOCK_DGRAM and op != "bind":
            if family == abi.AF_INET:
                if len(raw) < SOCKADDR_IN_LEN:
                    raise SyscallError(abi.EINVAL)
                return _mapped(_decode_in(raw))
            if family == abi.AF_UNSPEC and op == "sendto":
                return None
        if len(raw) < SIN6_LEN_RFC2133:
            raise SyscallError(abi.EINVAL)
        if family != abi.AF_INET6:
            raise SyscallError(abi.EINVAL if op == "sendto" else abi.EAFNOSUPPORT)
        return _decode_in6(raw)

    def _allow(self, t: Thread | None, syscall: str, addr: Address, binding: bool = False) -> None:
        """The network policy's word on ``addr``; a refusal is audited."""
        if binding:
            err = self.policy.check_bind(self.family, addr.ip, addr.port)
        else:
            err = self.policy.check_connect(self.family, addr.ip, addr.port)
        if err:
            what = "bind to" if binding else "connection to"
            self.kernel.audit.record(t, syscall, "deny", f"network {what} {addr} refused by policy",
                                     {"family": abi.AF_NAMES[self.family], "address": addr.ip, "port": addr.port},
                                     rule="network.bind" if binding else "network.egress")
            raise SyscallError(err)

    # -- connections --
    def bind(self, t: Thread, raw: bytes) -> None:
        addr = self._parse(raw, "bind")
        assert addr is not None
        self._allow(t, "bind", addr, binding=True)
        host = self.policy.bind_host(self.family, addr.ip)
        if host != addr.ip and self._dual_stack_listener():
            # Narrowed to ::1, a dual-stack wildcard would lose IPv4 loopback
            # (::ffff:127.0.0.1): keep the wildcard and accept only local peers.
            self.local_peers_only = True
        elif host != addr.ip:
            addr = Address(addr.family, host, addr.port, addr.flowinfo, addr.scope_id)
        self._call("bind", lambda: self._host().bind(addr.host()))
        self.bound = True

    def _dual_stack_listener(self) -> bool:
        if self.family != abi.AF_INET6 or self.kind != abi.SOCK_STREAM:
            return False
        return not self._call("getsockopt", lambda: self._host().getsockopt(socket.IPPROTO_IPV6,
                                                                            socket.IPV6_V6ONLY))

    def listen(self, t: Thread, backlog: int) -> None:
        if self.kind != abi.SOCK_STREAM:
            raise SyscallError(abi.EOPNOTSUPP)
        if not self.bound and not self.connected:
            # listen() on an unbound socket binds the wildcard: the policy decides,
            # and narrows it as it would an explicit bind.
            self.bind(t, self._wildcard_raw())
        self._call("listen", lambda: self._host().listen(backlog))

    def _wildcard_raw(self) -> bytes:
        if self.family == abi.AF_INET:
            return SOCKADDR_IN.pack(abi.AF_INET, b"\0\0", bytes(4))
        return SOCKADDR_IN6.pack(abi.AF_INET6, b"\0\0", bytes(4), bytes(16), 0)

    @property
    def listening(self) -> bool:
        if self.kind != abi.SOCK_STREAM:
            return False
        try:
            return bool(self._call("getsockopt", lambda: self._host().getsockopt(socket.SOL_SOCKET,
                                                                                 socket.SO_ACCEPTCONN)))
        except SyscallError:
            return False

    def accept(self, t: Thread, flags: int) -> Socket:
        if self.kind != abi.SOCK_STREAM:
            raise SyscallError(abi.EOPNOTSUPP)
        while True:
            try:
                fd, peer = self._call("accept", self._host_accept)
            except SyscallError as exc:
                if exc.errno == abi.EAGAIN and not self.nonblocking:
                    raise self._wait_host(READABLE, self.rcvtimeo_ns, "to have a connection") from None
                raise
            if not self.local_peers_only or not self.policy.check_bind(self.family, peer[0], 0):
                break
            self.kernel.audit.record(t, "accept", "deny", f"connection from [{peer[0]}]:{peer[1]} to a wildcard "
                                     "the policy narrows to loopback refused", {"address": peer[0], "port": peer[1]},
                                     rule="network.bind")
            try:
                self.kernel.sources.host_call("close", fd, os.close, fd)
            except OSError:
                pass
        _check_host_budget(self.kernel, fd)
        new = InetSocket(self.kernel, self.family, self.kind, self.protocol, flags, fd, self.policy)
        # What sk_clone copies from the listener that lives in the kernel, not the host.
        new.rcvtimeo_ns, new.sndtimeo_ns = self.rcvtimeo_ns, self.sndtimeo_ns
        new.flags_opts = dict(self.flags_opts)
        new.linger = self.linger
        new.bound = new.connected = True
        new.peer = encode_sockaddr(self.family, peer)
        return new

    def _host_accept(self) -> tuple[int, tuple]:
        conn, peer = self._host().accept()
        conn.setblocking(False)
        return conn.detach(), peer

    def accepted_from(self) -> bytes:
        return self.peer if self.peer is not None else self.peername()

    def connect(self, t: Thread, raw: bytes) -> None:
        if _sa_family(raw) == abi.AF_UNSPEC:
            self._call("connect", _host_disconnect, self.fd)
            self.connected = False
            return
        addr = self._parse(raw, "connect")
        assert addr is not None
        if self.connected and self.kind == abi.SOCK_STREAM:
            raise SyscallError(abi.EISCONN)
        self._allow(t, "connect", addr)
        err = self._call("connect", lambda: self._host().connect_ex(addr.host()))
        if err:
            errno = from_os_error(OSError(err, "")).errno
            # EALREADY: a connect already in progress, which a blocking call waits
            # for as Linux's __inet_stream_connect does.
            if errno not in (abi.EINPROGRESS, abi.EALREADY) or self.nonblocking:
                raise SyscallError(errno)
            raise WouldBlock(self._park_connect)
        self.bound = True
        self.connected = self.kind == abi.SOCK_STREAM

    def _park_connect(self, t: Thread) -> Block:
        """A blocking connect in progress: it ends when the host socket becomes
        writable, with SO_ERROR's verdict; SO_SNDTIMEO gives EINPROGRESS, as Linux."""
        sched = self.kernel.sched
        timeout = self.sndtimeo_ns
        wait = Wait(t, self._describe("to connect"), restart="never" if timeout else "sys")

        def ready(_: int) -> None:
            watch.cancel()
            if t.wait is not wait:
                return
            try:
                err = self._call("getsockopt", lambda: self._host().getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
            except SyscallError as exc:
                sched.wake(t, -exc.errno)
                return
            if err:
                sched.wake(t, -from_os_error(OSError(err, "")).errno)
                return
            self.bound = True
            self.connected = True
            sched.wake(t, 0)
        watch = sched.watch_host(self.fd, WRITABLE | abi.POLLERR | abi.POLLHUP, ready)
        wait.cancel = watch.cancel
        sched.block(wait, sched.now() + timeout if timeout else None, -abi.EINPROGRESS)
        return Block()

    def shutdown(self, how: int) -> None:
        self._call("shutdown", lambda: self._host().shutdown(how))

    def sockname(self) -> bytes:
        return encode_sockaddr(self.family, self._call("getsockname", lambda: self._host().getsockname()))

    def peername(self) -> bytes:
        return encode_sockaddr(self.family, self._call("getpeername", lambda: self._host().getpeername()))

    # -- blocking on the host fd --
    def _wait_host(self, events: int, timeout_ns: int, what: str) -> WouldBlock:
        """The WouldBlock of an operation that changed nothing: it runs again once the
        host fd reports ``events`` (or an error or hang-up), or fails with EAGAIN at
        the socket timeout."""
        def park(t: Thread) -> Block:
            sched = self.kernel.sched
            wait = Wait(t, self._describe(what), restart="never" if timeout_ns else "sys")

            def ready(_: int) -> None:
                watch.cancel()
                if t.wait is wait:
                    sched.wake(t, None)
            watch = sched.watch_host(self.fd, events | abi.POLLERR | abi.POLLHUP, ready)
            wait.cancel = watch.cancel
            sched.block(wait, sched.now() + timeout_ns if timeout_ns else None, -abi.EAGAIN)
            return Block()
        return WouldBlock(park)

    # -- sending --
    def send(self, t: Thread | None, data: list[memoryview] | list[bytes], addr: bytes | None,
             anc: Ancillary | None, flags: int) -> int:
        dest: Address | None = None
        if addr is not None and (self.kind == abi.SOCK_DGRAM or flags & abi.MSG_FASTOPEN):
            dest = self._parse(addr, "sendto")
            if dest is not None:
                self._allow(t, "sendto", dest)
        nonblock = bool(flags & abi.MSG_DONTWAIT) or self.nonblocking
        if self.pending:
            # Earlier blocked sends go first; this one waits behind them.
            if nonblock:
                raise SyscallError(abi.EAGAIN)
            payload = b"".join(data)
            raise WouldBlock(lambda t: self._park_sender(t, payload, 0))
        host_flags = flags & _SEND_FLAGS | _HOST_NOWAIT_NOSIGNAL
        try:
            sent = self.kernel.sources.host_write("send", self.fd, self._host_send, data, host_flags,
                                                  dest.host() if dest is not None else None)
        except OSError as exc:
            err = from_os_error(exc)
            if err.errno == abi.EAGAIN and not nonblock:
                raise self._wait_host(WRITABLE, self.sndtimeo_ns, "to have room") from None
            raise err from None
        if self.kind != abi.SOCK_STREAM or nonblock:
            return sent
        total = sum(len(d) for d in data)
        if sent == total:
            return sent
        rest = b"".join(data)[sent:]
        raise WouldBlock(lambda t: self._park_sender(t, rest, sent), sent)

    def _host_send(self, fd: int, data: list[memoryview] | list[bytes], flags: int, dest: tuple | None) -> int:
        if dest is None:
            return self._host().sendmsg(data, (), flags)
        return self._host().sendmsg(data, (), flags, dest)

    def _park_sender(self, t: Thread, data: bytes, before: int) -> Block:
        sched = self.kernel.sched
        wait = Wait(t, self._describe("to drain"))
        pending = _PendingSend(wait, data, before)
        wait.partial_result = lambda: pending.count
        wait.cancel = lambda: self._drop_pending(pending)
        self.pending.append(pending)
        self._arm_drain()
        sched.block(wait)
        if self.sndtimeo_ns:
            # SO_SNDTIMEO: what went so far, or EAGAIN when nothing did.
            wait.timer = sched.add_timer(sched.now() + self.sndtimeo_ns,
                                         lambda: self._finish_pending(pending, pending.count or -abi.EAGAIN))
        return Block()

    def _arm_drain(self) -> None:
        if self._drain_watch is None and self.pending:
            self._drain_watch = self.kernel.sched.watch_host(self.fd, WRITABLE | abi.POLLERR | abi.POLLHUP,
                                                             lambda _: self._pump())

    def _disarm_drain(self) -> None:
        if self._drain_watch is not None and not self.pending:
            self._drain_watch.cancel()
            self._drain_watch = None

    def _pump(self) -> None:
        """The host socket has room: push pending bytes, completing sends in order."""
        while self.pending:
            pending = self.pending[0]
            chunk = memoryview(pending.data)[pending.pos:]
            try:
                n = self.kernel.sources.host_write("send", self.fd, self._host_send, [chunk],
                                                   _HOST_NOWAIT_NOSIGNAL, None)
            except OSError as exc:
                err = from_os_error(exc).errno
                if err == abi.EAGAIN:
                    break
                # The connection failed: a send that moved bytes returns their count
                # (its EPIPE or reset shows at the next call); one that moved none runs
                # again and meets the error itself.
                self._finish_pending(pending, pending.count or None)
                continue
            pending.pos += n
            if pending.pos == len(pending.data):
                self._finish_pending(pending, pending.count)
        self._disarm_drain()

    def _finish_pending(self, pending: _PendingSend, result: int | None) -> None:
        self._drop_pending(pending)
        if pending.wait.thread.wait is pending.wait:
            self.kernel.sched.wake(pending.wait.thread, result)

    def _drop_pending(self, pending: _PendingSend) -> None:
        if pending in self.pending:
            self.pending.remove(pending)
        self._disarm_drain()

    # -- receiving --
    def recv(self, t: Thread | None, views: list[memoryview], flags: int) -> Received:
        nonblock = bool(flags & abi.MSG_DONTWAIT) or self.nonblocking
        host_flags = flags & _RECV_FLAGS | _HOST_DONTWAIT
        try:
            if self.kind == abi.SOCK_STREAM:
                got = self._recv_stream(views, host_flags)
            else:
                got = self._recv_datagram(views, host_flags)
        except SyscallError as exc:
            if exc.errno == abi.EAGAIN and not nonblock and not flags & abi.MSG_ERRQUEUE:
                raise self._wait_host(READABLE, self.rcvtimeo_ns, "to have data") from None
            raise
        if (self.kind == abi.SOCK_STREAM and flags & abi.MSG_WAITALL and not nonblock
                and not flags & (abi.MSG_PEEK | abi.MSG_TRUNC) and got.count):
            want = sum(len(v) for v in views)
            if got.count < want:
                done = got.count
                raise WouldBlock(lambda t: self._park_receiver(t, views, done), done)
        return got

    def _recv_stream(self, views: list[memoryview], host_flags: int) -> Received:
        try:
            n = self.kernel.sources.host_readinto("recv", self.fd, self._host_recv_into, views, host_flags)
        except OSError as exc:
            raise from_os_error(exc) from None
        return Received(n, n)

    def _host_recv_into(self, fd: int, views: list[memoryview], flags: int) -> int:
        if not views:
            views = [memoryview(bytearray(0))]
        return self._host().recvmsg_into(views, 0, flags)[0]

    def _recv_datagram(self, views: list[memoryview], host_flags: int) -> Received:
        room = sum(len(v) for v in views)
        data, length, msg_flags, peer = self._call("recvfrom", self._host_recvfrom, room, host_flags)
        count = copy_out(data, views, 0) if data else 0
        addr = encode_sockaddr(self.family, peer) if peer else None
        return Received(count, length, addr, flags=msg_flags & (abi.MSG_TRUNC | abi.MSG_OOB | abi.MSG_CTRUNC))

    def _host_recvfrom(self, room: int, flags: int) -> tuple[bytes, int, int, tuple | None]:
        buf = bytearray(room)
        length, _, msg_flags, peer = self._host().recvmsg_into([buf], 0, flags)
        return bytes(buf[:min(length, room)]), length, msg_flags, peer

    def _park_receiver(self, t: Thread, views: list[memoryview], done: int) -> Block:
        """MSG_WAITALL on a blocking stream: fill the rest of the buffers as data
        comes, until they are full, the peer closes, an error, a signal (the count so
        far) or SO_RCVTIMEO."""
        sched = self.kernel.sched
        wait = Wait(t, self._describe("to have data (MSG_WAITALL)"))
        state = {"done": done}
        wait.partial_result = lambda: state["done"]
        want = sum(len(v) for v in views)

        def finish(result: int) -> None:
            watch.cancel()
            if t.wait is wait:
                sched.wake(t, result)

        def ready(_: int) -> None:
            if t.wait is not wait:
                watch.cancel()
                return
            try:
                n = self._recv_stream(_advance(views, state["done"]), _HOST_DONTWAIT).count
            except SyscallError as exc:
                if exc.errno != abi.EAGAIN:
                    finish(state["done"])
                return
            state["done"] += n
            if not n or state["done"] == want:
                finish(state["done"])
        watch = sched.watch_host(self.fd, READABLE | abi.POLLERR | abi.POLLHUP, ready)
        wait.cancel = watch.cancel
        sched.block(wait)
        if self.rcvtimeo_ns:
            wait.timer = sched.add_timer(sched.now() + self.rcvtimeo_ns, lambda: finish(state["done"]))
        return Block()

    # -- options --
    def getsockopt(self, level: int, name: int) -> bytes:
        if level == abi.SOL_SOCKET and name in (abi.SO_SNDBUF, abi.SO_RCVBUF, abi.SO_ERROR):
            return self._host_getsockopt(level, name)
        return super().getsockopt(level, name)

    def setsockopt(self, level: int, name: int, value: bytes) -> None:
        super().setsockopt(level, name, value)
        if level == abi.SOL_SOCKET and name in _HOST_SOL_SOCKET:
            self._host_setsockopt(level, name, value)

    def option_changed(self, name: int) -> None:
        value = struct.pack("<i", self.flags_opts[name])
        if name != abi.SO_PASSCRED:
            self._host_setsockopt(abi.SOL_SOCKET, name, value)

    def proto_getsockopt(self, level: int, name: int) -> bytes:
        if not self.level_applies(level):
            # ip_getsockopt's answer to a level it does not know; ipv6_getsockopt's differs.
            raise SyscallError(abi.EOPNOTSUPP if self.family == abi.AF_INET and level != abi.SOL_SOCKET
                               else abi.ENOPROTOOPT)
        if name not in _HOST_OPTIONS[level]:
            raise SyscallError(abi.ENOPROTOOPT)
        return self._host_getsockopt(level, name)

    def proto_setsockopt(self, level: int, name: int, value: bytes) -> None:
        if not self.level_applies(level) or name not in _HOST_OPTIONS[level]:
            raise SyscallError(abi.ENOPROTOOPT)
        self._host_setsockopt(level, name, value)


    def _host_getsockopt(self, level: int, name: int) -> bytes:
        return self._call("getsockopt", lambda: self._host().getsockopt(level, name, _OPTION_BUFSIZE))

    def _host_setsockopt(self, level: int, name: int, value: bytes) -> None:
        self._call("setsockopt", lambda: self._host().setsockopt(level, name, value))

    # -- readiness and the file view --
    def poll(self) -> int:
        ready = self.kernel.sources.host_poll(self.fd, ALL_EVENTS)
        if self.pending:
            ready &= ~WRITABLE                      # the room is the blocked senders'
        return ready

    def poll_queue(self) -> None:
        return None

    @property
    def host_readiness(self) -> bool:
        return True

    def fileno(self) -> int | None:
        return self.fd

    def readable_bytes(self) -> int:
        return self._call("ioctl", self._host_fionread)

    def _host_fionread(self) -> int:
        buf = bytearray(4)
        fcntl.ioctl(self.fd, termios.FIONREAD, buf)
        return struct.unpack("<i", buf)[0]

    def close(self) -> None:
        for pending in list(self.pending):
            self._finish_pending(pending, pending.count or -abi.EBADF)
        try:
            self.kernel.sources.host_call("close", self.fd, self._host_close)
        except OSError:
            pass

    def _host_close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        else:
            os.close(self.fd)

"""The `vnet` backend: AF_INET and AF_INET6 inside the kernel, with no host socket.

The container's network is its loopback: 127.0.0.0/8 and ::1 (and the unspecified
address, which Linux routes to the local host).  TCP connections and UDP datagrams
between the container's processes are segments between kernel objects (local.py), so
they are deterministic and replay with no host involved; any other destination is
unreachable.  Ports are the kernel's own: ephemeral ones come in order from
net.ipv4.ip_local_port_range, so a run's addresses repeat.

What differs from AF_UNIX is TCP's and UDP's visible behaviour, which follows Linux:
a send before connect is EPIPE, recv ENOTCONN; a close with unread data (or with
SO_LINGER {1, 0}) resets the peer (ECONNRESET) and an orderly close is a FIN, after
which the peer's first write is accepted and dropped and the next fails with EPIPE;
UDP drops datagrams nobody receives, and a connected UDP socket learns of that
(ECONNREFUSED) on its next call, as from the ICMP error.  Not modelled:
retransmission, windows, urgent data, SYN queues apart from the accept backlog.
"""
from __future__ import annotations

import ipaddress
import struct
from typing import TYPE_CHECKING

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.net.local import CONNECTED, LISTENING, SHUT_BOTH, SHUT_RCV, SHUT_SEND, UNCONNECTED, \
    LocalSocket, Segment
from vkernel.net.socket import Ancillary, Received

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.task import Thread

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
EPHEMERAL_FIRST, EPHEMERAL_LAST = 32768, 60999      # net.ipv4.ip_local_port_range
UDP_MAX_PAYLOAD = 65507
V4_ANY, V6_ANY = ipaddress.IPv4Address(0), ipaddress.IPv6Address(0)
LOOPBACK = {abi.AF_INET: ipaddress.IPv4Address("127.0.0.1"), abi.AF_INET6: ipaddress.IPv6Address("::1")}
# Defaults of the options a program may read back (Linux's).
TCP_OPTIONS = {abi.TCP_NODELAY: 0, abi.TCP_MAXSEG: 536, abi.TCP_CORK: 0, abi.TCP_KEEPIDLE: 7200,
               abi.TCP_KEEPINTVL: 75, abi.TCP_KEEPCNT: 9}
IP_TOS, IP_TTL, IP_RECVERR, IP_MTU_DISCOVER, IPV6_UNICAST_HOPS = 1, 2, 11, 10, 16
IP_OPTIONS = {IP_TOS: 0, IP_TTL: 64, IP_RECVERR: 0, IP_MTU_DISCOVER: 1}
IPV6_OPTIONS = {abi.IPV6_V6ONLY: 0, IPV6_UNICAST_HOPS: 64}


class VnetNames:
    """The kernel's port table: sockets bound to each (type, port)."""

    def __init__(self) -> None:
        self.bound: dict[tuple[int, int], list[VnetSocket]] = {}
        self.next_port = EPHEMERAL_FIRST

    def ephemeral(self, kind: int) -> int:
        for _ in range(EPHEMERAL_LAST - EPHEMERAL_FIRST + 1):
            port = self.next_port
            self.next_port = port + 1 if port < EPHEMERAL_LAST else EPHEMERAL_FIRST
            if not self.bound.get((kind, port)):
                return port
        raise SyscallError(abi.EADDRINUSE)


def create(t: Thread, family: int, kind: int, protocol: int, flags: int) -> VnetSocket:
    """socket(AF_INET/AF_INET6, SOCK_STREAM/SOCK_DGRAM) on the in-kernel network."""
    if not 0 <= kind < abi.SOCK_MAX or not 0 <= protocol < abi.IPPROTO_MAX:
        raise SyscallError(abi.EINVAL)
    if kind == abi.SOCK_STREAM and protocol in (0, abi.IPPROTO_TCP):
        protocol = abi.IPPROTO_TCP
    elif kind == abi.SOCK_DGRAM and protocol in (0, abi.IPPROTO_UDP):
        protocol = abi.IPPROTO_UDP
    elif kind == abi.SOCK_RAW:
        raise SyscallError(abi.EPERM)
    elif kind in (abi.SOCK_STREAM, abi.SOCK_DGRAM):
        raise SyscallError(abi.EPROTONOSUPPORT)
    else:
        raise SyscallError(abi.ESOCKTNOSUPPORT)
    return VnetSocket(t.process.kernel, family, kind, protocol, flags)


def _is_local(ip: Address) -> bool:
    return ip.is_loopback or ip.is_unspecified


def _covers(bound: Address, family: int, v6only: bool, ip: Address) -> bool:
    """Whether a socket of ``family`` bound to ``bound`` takes traffic for ``ip``: the
    IPv6 wildcard takes IPv4 too unless IPV6_V6ONLY."""
    if bound.is_unspecified:
        if family == abi.AF_INET6:
            return not v6only or ip.version == 6
        return ip.version == 4
    return bound == ip


def _source_for(dest: Address) -> Address:
    return LOOPBACK[abi.AF_INET if dest.version == 4 else abi.AF_INET6]


class VnetSocket(LocalSocket):
    recv_unconnected_errno = abi.ENOTCONN
    send_unconnected_errno = abi.EPIPE
    no_destination_errno = abi.EDESTADDRREQ

    def __init__(self, kernel: Kernel, family: int, kind: int, protocol: int, flags: int) -> None:
        super().__init__(kernel, kind, protocol, flags)
        self.family = family
        self.names: VnetNames = kernel.vnet_names
        self.ip: Address | None = None          # bound (or, once connected, the local) address
        self.port = 0
        self.dest: tuple[Address, int] | None = None   # a connected UDP socket's peer
        self.connecting_to: Address = V4_ANY            # the address a TCP connect asked for
        self.connect_unreported = False                 # a non-blocking connect's success
        self.options: dict[tuple[int, int], int] = {}
        if kind == abi.SOCK_STREAM:
            self.sndbuf, self.rcvbuf = 16384, 131072        # net.ipv4.tcp_wmem/rmem defaults

    # -- addresses --
    def _parse(self, raw: bytes) -> tuple[Address, int]:
        """(address, port) of a guest sockaddr; an IPv4-mapped address is IPv4."""
        if self.family == abi.AF_INET:
            if len(raw) < 16:
                raise SyscallError(abi.EINVAL)
            family, port = struct.unpack_from("<HH", raw)
            if family != abi.AF_INET:
                raise SyscallError(abi.EAFNOSUPPORT)
            return ipaddress.IPv4Address(raw[4:8]), int.from_bytes(raw[2:4], "big")
        if len(raw) < 24:
            raise SyscallError(abi.EINVAL)
        if struct.unpack_from("<H", raw)[0] != abi.AF_INET6:
            raise SyscallError(abi.EAFNOSUPPORT)
        ip = ipaddress.IPv6Address(raw[8:24])
        return (ip.ipv4_mapped or ip), int.from_bytes(raw[2:4], "big")

    def _pack(self, ip: Address, port: int) -> bytes:
        """A sockaddr of this socket's family (IPv4 in an AF_INET6 one is mapped)."""
        if self.family == abi.AF_INET:
            assert isinstance(ip, ipaddress.IPv4Address)
            return struct.pack("<H", abi.AF_INET) + port.to_bytes(2, "big") + ip.packed + bytes(8)
        if isinstance(ip, ipaddress.IPv4Address):
            ip = ipaddress.IPv6Address(b"\0" * 10 + b"\xff\xff" + ip.packed) if not ip.is_unspecified else V6_ANY
        return struct.pack("<H", abi.AF_INET6) + port.to_bytes(2, "big") + bytes(4) + ip.packed + bytes(4)

    def unnamed(self) -> bytes:
        return self._pack(V4_ANY if self.family == abi.AF_INET else V6_ANY, 0)

    def _convert(self, addr: bytes | None) -> bytes | None:
        """Another socket's sockaddr in this socket's family."""
        if addr is None or int.from_bytes(addr[:2], "little") == self.family:
            return addr
        port = int.from_bytes(addr[2:4], "big")
        if self.family == abi.AF_INET6:
            return self._pack(ipaddress.IPv4Address(addr[4:8]), port)
        mapped = ipaddress.IPv6Address(addr[8:24]).ipv4_mapped
        return self._pack(mapped or V4_ANY, port)

    def peername(self) -> bytes:
        if self.kind == abi.SOCK_DGRAM:
            if self.dest is None:
                raise SyscallError(abi.ENOTCONN)
            return self._pack(*self.dest)
        return self._convert(super().peername()) or b""

    def accepted_from(self) -> bytes:
        return self._convert(super().accepted_from()) or b""

    def _policy(self, t: Thread | None, ip: Address, port: int, bind: bool) -> None:
        """The container's network rules (vkernel/policy/net.py); refusals are audited."""
        from vkernel.policy.net import NetPolicy     # here: the policy package imports the syscall table
        policy = NetPolicy(self.kernel.policy.network)
        host = f"::ffff:{ip}" if self.family == abi.AF_INET6 and ip.version == 4 else str(ip)
        err = policy.check_bind(self.family, host, port) if bind else policy.check_connect(self.family, host, port)
        if err:
            what = "bind to" if bind else "connection to"
            syscall = "bind" if bind else "connect"
            self.kernel.audit.record(t, syscall, "deny", f"network {what} {ip}:{port} refused by policy",
                                     {"family": abi.AF_NAMES[self.family], "address": str(ip), "port": port},
                                     rule="network.bind" if bind else "network.egress")
            raise SyscallError(err)

    # -- binding --
    def bind(self, t: Thread, raw: bytes) -> None:
        ip, port = self._parse(raw)
        if self.port:
            raise SyscallError(abi.EINVAL)
        if self.family == abi.AF_INET6 and isinstance(ip, ipaddress.IPv4Address) and self._v6only():
            raise SyscallError(abi.EADDRNOTAVAIL)
        if not _is_local(ip):
            raise SyscallError(abi.EADDRNOTAVAIL)
        self._policy(t, ip, port, bind=True)
        self._take(ip, port)

    def _v6only(self) -> bool:
        return bool(self.options.get((abi.IPPROTO_IPV6, abi.IPV6_V6ONLY)))

    def _covers(self, ip: Address) -> bool:
        """Whether this socket's address takes traffic for ``ip``."""
        return self.ip is not None and _covers(self.ip, self.family, self._v6only(), ip)

    def _conflicts(self, other: VnetSocket, ip: Address) -> bool:
        """Whether binding ``ip`` (on this socket's port) collides with ``other``."""
        if other.closed or other.ip is None:
            return False
        if not (other._covers(ip) or _covers(ip, self.family, self._v6only(), other.ip)):
            return False
        reuse = abi.SO_REUSEADDR
        if self.flags_opts.get(reuse) and other.flags_opts.get(reuse) and other.state != LISTENING:
            return False
        return not (self.flags_opts.get(abi.SO_REUSEPORT) and other.flags_opts.get(abi.SO_REUSEPORT))

    def _take(self, ip: Address, port: int) -> None:
        names = self.names
        if port == 0:
            port = names.ephemeral(self.kind)
        elif any(self._conflicts(other, ip) for other in names.bound.get((self.kind, port), [])):
            raise SyscallError(abi.EADDRINUSE)
        if self.family == abi.AF_INET6 and ip.is_unspecified:
            ip = V6_ANY
        self.ip, self.port = ip, port
        names.bound.setdefault((self.kind, port), []).append(self)
        self.addr = self._pack(ip, port)

    def autobind(self) -> None:
        if not self.port:
            self._take(V4_ANY if self.family == abi.AF_INET else V6_ANY, 0)

    def release_name(self) -> None:
        sockets = self.names.bound.get((self.kind, self.port))
        if sockets and self in sockets:
            sockets.remove(self)
            if not sockets:
                del self.names.bound[(self.kind, self.port)]

    def _local_address(self, dest: Address) -> None:
        """Once connected, a wildcard-bound socket reports the address it talks from:
        the loopback route's source (127.0.0.1 or ::1)."""
        if self.ip is not None and self.ip.is_unspecified:
            self.ip = _source_for(dest)
            self.addr = self._pack(self.ip, self.port)

    def _find(self, ip: Address, port: int) -> VnetSocket | None:
        """The socket that receives traffic for (ip, port): an exact address before a
        wildcard, a listener before the rest."""
        if not _is_local(ip):
            raise SyscallError(abi.ENETUNREACH)
        candidates = [s for s in self.names.bound.get((self.kind, port), []) if not s.closed and s._covers(ip)]
        if self.kind == abi.SOCK_STREAM:
            candidates = [s for s in candidates if s.state == LISTENING]
        candidates.sort(key=lambda s: s.ip is not None and s.ip.is_unspecified)
        return candidates[0] if candidates else None

    def lookup(self, t: Thread, raw: bytes) -> VnetSocket | None:
        ip, port = self._parse(raw)
        return self._find(ip, port)

    # -- connections --
    def connect(self, t: Thread, raw: bytes) -> None:
        if len(raw) >= 2 and int.from_bytes(raw[:2], "little") == abi.AF_UNSPEC:
            if self.kind == abi.SOCK_DGRAM:
                self.dest = None
                return
            if self.state == UNCONNECTED:
                return                      # tcp_disconnect of a closed socket
            raise SyscallError(abi.EINVAL)  # disconnecting a live TCP connection: not modelled
        ip, port = self._parse(raw)
        if self.kind == abi.SOCK_DGRAM:
            if not _is_local(ip):
                raise SyscallError(abi.ENETUNREACH)
            self._policy(t, ip, port, bind=False)
            self.autobind()
            self._local_address(ip)
            self.dest = (ip, port)
            self.error = 0
            return
        if self.state == CONNECTED:
            if self.connect_unreported:
                self.connect_unreported = False     # the completion of a non-blocking connect
                return
            raise SyscallError(abi.EISCONN)
        if self.state == LISTENING:
            raise SyscallError(abi.EISCONN)     # __inet_stream_connect: not TCP_CLOSE
        if self.error == abi.ECONNREFUSED:
            # A non-blocking connect already failed: the next connect reports it.
            self.error = 0
            raise SyscallError(abi.ECONNREFUSED)
        self._policy(t, ip, port, bind=False)
        target = self._find(ip, port)
        if target is None:
            if self.nonblocking:
                # Refused after the fact, as the reset to the SYN: SO_ERROR and poll say so.
                self.error = abi.ECONNREFUSED
                self.shut = SHUT_BOTH
                self.changed.wake_all()
                raise SyscallError(abi.EINPROGRESS)
            raise SyscallError(abi.ECONNREFUSED)
        self.shut = 0
        self.connecting_to = ip
        super().connect(t, raw)
        self._local_address(ip)
        if self.nonblocking:
            self.connect_unreported = True
            raise SyscallError(abi.EINPROGRESS)      # Linux answers so even over loopback

    def new_server(self, t: Thread, listener: LocalSocket) -> LocalSocket:
        assert isinstance(listener, VnetSocket)
        server = VnetSocket(self.kernel, listener.family, self.kind, self.protocol, 0)
        # The accepted socket's address is the one the client asked for.
        dest = self.connecting_to
        server.ip = (_source_for(dest) if dest.is_unspecified else dest) if listener.ip is None or \
            listener.ip.is_unspecified else listener.ip
        server.port = listener.port
        server.addr = server._pack(server.ip, server.port)
        server.options = dict(listener.options)
        server.sndbuf, server.rcvbuf = listener.sndbuf, listener.rcvbuf
        return server

    def listen(self, t: Thread, backlog: int) -> None:
        if self.kind != abi.SOCK_STREAM:
            raise SyscallError(abi.EOPNOTSUPP)
        if self.state == CONNECTED:
            raise SyscallError(abi.EINVAL)
        if not self.port:
            self.autobind()
        elif any(o is not self and o.state == LISTENING and not (
                self.flags_opts.get(abi.SO_REUSEPORT) and o.flags_opts.get(abi.SO_REUSEPORT))
                and o._covers(self.ip) for o in self.names.bound.get((self.kind, self.port), [])):  # type: ignore[arg-type]
            raise SyscallError(abi.EADDRINUSE)
        super().listen(t, backlog)

    def shutdown(self, how: int) -> None:
        if self.kind == abi.SOCK_STREAM:
            if self.state == UNCONNECTED:
                # inet_shutdown: ENOTCONN, yet the shutdown bits are set all the same.
                self.shut |= {abi.SHUT_RD: SHUT_RCV, abi.SHUT_WR: SHUT_SEND, abi.SHUT_RDWR: SHUT_BOTH}[how]
                self.changed.wake_all()
                raise SyscallError(abi.ENOTCONN)
            if self.state == LISTENING:
                return
            # TCP tells the peer only of the write side (a FIN); SHUT_RD stays local.
            mode = {abi.SHUT_RD: SHUT_RCV, abi.SHUT_WR: SHUT_SEND, abi.SHUT_RDWR: SHUT_BOTH}[how]
            self.shut |= mode
            self.changed.wake_all()
            peer = self.peer
            if peer is not None and mode & SHUT_SEND:
                peer.shut |= SHUT_RCV
                peer.changed.wake_all()
            return
        if self.dest is None and self.state != CONNECTED:
            raise SyscallError(abi.ENOTCONN)
        super().shutdown(how)

    def _check_can_send(self, peer: LocalSocket | None) -> LocalSocket | None:
        if peer is not None and peer.closed and not self.shut & SHUT_SEND and not self.error:
            # After the peer's FIN the first write is taken and answered with a reset.
            self.shut = SHUT_BOTH
            self.error = abi.EPIPE
            self.changed.wake_all()
            return None
        return super()._check_can_send(peer)

    def _hang_up(self, peer: LocalSocket, unread: bool) -> None:
        if unread or self.linger == (1, 0):
            # A close with unread data, or with SO_LINGER {1, 0} (tcp_close's
            # disconnect), sends a reset.
            peer.shut = SHUT_BOTH
            peer.error = abi.ECONNRESET
        else:
            peer.shut |= SHUT_RCV           # an orderly close: a FIN

    # -- datagrams --
    def send(self, t: Thread | None, data: list[memoryview] | list[bytes], addr: bytes | None,
             anc: Ancillary | None, flags: int) -> int:
        if self.kind != abi.SOCK_DGRAM:
            return super().send(t, data, None, anc, flags)      # TCP ignores a destination
        if flags & abi.MSG_OOB:
            raise SyscallError(abi.EOPNOTSUPP)
        if addr:
            dest = self._parse(addr)
            if dest[1] == 0:
                raise SyscallError(abi.EINVAL)
            if not _is_local(dest[0]):
                raise SyscallError(abi.ENETUNREACH)
            self._policy(t, dest[0], dest[1], bind=False)
        elif self.dest is not None:
            dest = self.dest
        else:
            raise SyscallError(abi.EDESTADDRREQ)
        payload = bytes(data[0]) if len(data) == 1 else b"".join(data)
        if len(payload) > UDP_MAX_PAYLOAD:
            raise SyscallError(abi.EMSGSIZE)
        if self.shut & SHUT_SEND:
            raise SyscallError(abi.EPIPE)
        self.autobind()
        target = self._find(*dest)
        if target is None:
            if addr is None:
                self.error = abi.ECONNREFUSED         # the ICMP port unreachable
                self.changed.wake_all()
            return len(payload)
        source = self.ip if self.ip is not None and not self.ip.is_unspecified else _source_for(dest[0])
        if target.dest is not None and target.dest != (source, self.port) \
                or target.rx_bytes + len(payload) > target.rcvbuf or target.shut & SHUT_RCV:
            return len(payload)             # filtered by its connection, or dropped on a full queue
        target._deliver(Segment(payload, None, None, self._pack(source, self.port)))
        return len(payload)

    def recv(self, t: Thread | None, views: list[memoryview], flags: int) -> Received:
        if flags & abi.MSG_ERRQUEUE:
            raise SyscallError(abi.EAGAIN)  # ip_recv_error: no ICMP errors are ever queued
        if self.kind == abi.SOCK_STREAM:
            if self.state == LISTENING:
                raise SyscallError(abi.ENOTCONN)
            if flags & abi.MSG_OOB:
                raise SyscallError(abi.EINVAL)  # tcp_recv_urg with no urgent data (never modelled)
            if self.state == UNCONNECTED and self.shut & SHUT_RCV:
                return Received(0, 0)       # tcp_recvmsg checks RCV_SHUTDOWN before TCP_CLOSE
        if self.kind == abi.SOCK_STREAM and flags & abi.MSG_TRUNC:
            # TCP's MSG_TRUNC drops the bytes without copying them to the guest.
            views = [memoryview(bytearray(sum(len(v) for v in views)))]
        got = super().recv(t, views, flags)
        if got.addr is not None:
            got.addr = self._convert(got.addr)
        if self.kind == abi.SOCK_STREAM:
            got.anc = None
            got.addr = None
        return got

    # -- options --
    def _defaults(self, level: int) -> dict[int, int]:
        return {abi.IPPROTO_TCP: TCP_OPTIONS, abi.IPPROTO_IP: IP_OPTIONS, abi.IPPROTO_IPV6: IPV6_OPTIONS}.get(level, {})

    def proto_getsockopt(self, level: int, name: int) -> bytes:
        if not self.level_applies(level):
            # ip_getsockopt's answer to a level it does not know; ipv6_getsockopt's differs.
            raise SyscallError(abi.EOPNOTSUPP if self.family == abi.AF_INET else abi.ENOPROTOOPT)
        defaults = self._defaults(level)
        if name not in defaults:
            raise SyscallError(abi.ENOPROTOOPT)
        return struct.pack("<i", self.options.get((level, name), defaults[name]))

    def proto_setsockopt(self, level: int, name: int, value: bytes) -> None:
        if not self.level_applies(level) or name not in self._defaults(level):
            raise SyscallError(abi.ENOPROTOOPT)
        if len(value) < 4:
            raise SyscallError(abi.EINVAL)
        if level == abi.IPPROTO_IPV6 and name == abi.IPV6_V6ONLY and self.port:
            raise SyscallError(abi.EINVAL)
        self.options[(level, name)] = struct.unpack_from("<i", value)[0]

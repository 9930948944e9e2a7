"""Sockets whose both ends live in this kernel: AF_UNIX (unix.py) and the in-kernel
network's TCP and UDP (vnet.py) share this machinery; a family adds its names.

A message is a :class:`Segment` in its receiver's queue, charged to its sender's send
buffer until read (Linux's sk_wmem_alloc: a sender blocks, and stops polling
writable, on what its peers have not read yet).  Descriptions passed with SCM_RIGHTS
travel inside segments by reference, so they cross processes with no host round trip.

Invariants:
- ``wmem`` of a socket is the sum of the unread bytes of its segments in other
  sockets' queues; reading or discarding a segment credits its sender and wakes it.
- A blocked stream send that did not fit whole keeps its remaining bytes in
  ``pending`` (like vkernel/pipe.py) while its thread is parked; they move into the
  peer's queue as the peer reads, first sender first, and the thread wakes with the
  full count.  A socket has pending sends only while it is over its send buffer.
- An in-flight description holds one reference; whoever drops a segment (read,
  close, truncated control buffer) releases it.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.fdtable import release
from vkernel.net.socket import Ancillary, Received, Socket
from vkernel.sched import Wait
from vkernel.vfs.file import copy_out
from vkernel.waitq import WouldBlock

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.task import Thread

SHUT_RCV, SHUT_SEND = 1, 2          # Linux's RCV_SHUTDOWN and SEND_SHUTDOWN bits
SHUT_BOTH = SHUT_RCV | SHUT_SEND
MAX_DGRAM_QLEN = 512                # net.unix.max_dgram_qlen
READABLE = abi.POLLIN | abi.POLLRDNORM
WRITABLE = abi.POLLOUT | abi.POLLWRNORM | abi.POLLWRBAND
UNCONNECTED, LISTENING, CONNECTED = "unconnected", "listening", "connected"


@dataclass(eq=False)
class Segment:
    data: bytes
    sender: LocalSocket | None      # charged to its send buffer until read (None: not charged)
    anc: Ancillary | None
    addr: bytes | None              # the sender's name (datagrams)
    start: int = 0                  # bytes a stream reader already consumed

    @property
    def left(self) -> int:
        return len(self.data) - self.start


@dataclass(eq=False)
class _PendingSend:
    wait: Wait
    data: bytes
    before: int                     # bytes of this send queued before it blocked
    pos: int = 0

    @property
    def count(self) -> int:
        return self.before + self.pos


class LocalSocket(Socket):
    """A socket of this kernel.  Families supply names through the hooks at the end:
    ``lookup`` (the socket an address names), ``autobind``, ``new_server`` and
    ``release_name``, and the errors where Linux's families differ."""

    # Errors where AF_UNIX and TCP/UDP differ.
    recv_unconnected_errno = abi.EINVAL      # a stream recv before connect
    send_unconnected_errno = abi.ENOTCONN    # a stream send before connect
    no_destination_errno = abi.ENOTCONN      # a datagram send with no address or peer

    def __init__(self, kernel: Kernel, kind: int, protocol: int, flags: int) -> None:
        super().__init__(kernel, kind, protocol, flags)
        self.state = UNCONNECTED
        self.addr: bytes | None = None            # the packed sockaddr once bound
        self.peer: LocalSocket | None = None
        self.rx: deque[Segment] = deque()
        self.rx_bytes = 0
        self.wmem = 0
        self.pending: deque[_PendingSend] = deque()
        self.backlog: deque[LocalSocket] = deque()
        self.max_backlog = 0
        self.shut = 0
        self.closed = False
        self.reset_peer = False                   # an embryo its listener dropped: ECONNRESET

    @property
    def connection(self) -> bool:
        return self.kind != abi.SOCK_DGRAM

    @property
    def listening(self) -> bool:
        return self.state == LISTENING

    # -- family hooks --
    def lookup(self, t: Thread, raw: bytes) -> LocalSocket | None:
        """The socket ``raw`` names (None: nobody there), or the family's errno."""
        raise NotImplementedError

    def autobind(self) -> None:
        """Give an unbound socket a name of the family's choosing."""

    def new_server(self, t: Thread, listener: LocalSocket) -> LocalSocket:
        """The socket accept will return for a connection to ``listener``."""
        raise NotImplementedError

    def release_name(self) -> None:
        """The socket is closing: its name is free again."""

    def unnamed(self) -> bytes:
        """What getsockname and accept report for a socket with no name."""
        raise NotImplementedError

    # -- names --
    def sockname(self) -> bytes:
        return self.addr or self.unnamed()

    def peername(self) -> bytes:
        peer = self.peer
        if peer is None or self.connection and self.state != CONNECTED:
            raise SyscallError(abi.ENOTCONN)
        return peer.addr or peer.unnamed()

    def accepted_from(self) -> bytes:
        peer = self.peer
        return peer.addr or peer.unnamed() if peer is not None else self.unnamed()

    def _target(self, t: Thread, raw: bytes) -> LocalSocket:
        other = self.lookup(t, raw)
        if other is None or other.closed:
            raise SyscallError(abi.ECONNREFUSED)
        if other.kind != self.kind:
            raise SyscallError(abi.EPROTOTYPE)
        return other

    # -- connections --
    def listen(self, t: Thread, backlog: int) -> None:
        if not self.connection:
            raise SyscallError(abi.EOPNOTSUPP)
        if self.state == CONNECTED:
            raise SyscallError(abi.EINVAL)
        self.state = LISTENING
        self.max_backlog = backlog

    def connect(self, t: Thread, raw: bytes) -> None:
        if len(raw) >= 2 and int.from_bytes(raw[:2], "little") == abi.AF_UNSPEC and not self.connection:
            self.peer = None
            return
        if not self.connection:
            target = self._target(t, raw)
            self.peer = target
            self.autobind()
            return
        if self.state == CONNECTED:
            raise SyscallError(abi.EISCONN)
        if self.state == LISTENING:
            raise SyscallError(abi.EINVAL)
        target = self._target(t, raw)
        if target.state != LISTENING:
            raise SyscallError(abi.ECONNREFUSED)
        if len(target.backlog) > target.max_backlog:
            if self.nonblocking:
                raise SyscallError(abi.EAGAIN)
            raise self.park_on(target.changed, self.sndtimeo_ns, f"room in the backlog of {target.path.decode()}")
        self.autobind()
        server = self.new_server(t, target)
        server.peer, self.peer = self, server
        server.state = self.state = CONNECTED
        server.flags_opts = dict(target.flags_opts)
        target.backlog.append(server)
        target.changed.wake_all(READABLE)
        self.changed.wake_all(WRITABLE)

    def accept(self, t: Thread, flags: int) -> Socket:
        if not self.connection:
            raise SyscallError(abi.EOPNOTSUPP)
        if self.state != LISTENING:
            raise SyscallError(abi.EINVAL)
        if not self.backlog:
            if self.nonblocking:
                raise SyscallError(abi.EAGAIN)
            raise self.park_on(self.changed, self.rcvtimeo_ns, f"a connection to {self.path.decode()}")
        server = self.backlog.popleft()
        server.flags |= flags & abi.O_NONBLOCK
        self.changed.wake_all(WRITABLE)             # connectors waiting for backlog room
        return server

    def shutdown(self, how: int) -> None:
        mode = {abi.SHUT_RD: SHUT_RCV, abi.SHUT_WR: SHUT_SEND, abi.SHUT_RDWR: SHUT_BOTH}[how]
        self.shut |= mode
        self.changed.wake_all()
        peer = self.peer
        if peer is not None and self.connection:
            peer.shut |= (SHUT_SEND if mode & SHUT_RCV else 0) | (SHUT_RCV if mode & SHUT_SEND else 0)
            peer.changed.wake_all()
            if mode & SHUT_RCV:
                peer._fail_pending()

    # -- sending --
    def send(self, t: Thread | None, data: list[memoryview] | list[bytes], addr: bytes | None,
             anc: Ancillary | None, flags: int) -> int:
        if flags & abi.MSG_OOB:
            raise SyscallError(abi.EOPNOTSUPP)
        payload = bytes(data[0]) if len(data) == 1 else b"".join(data)
        nonblock = bool(flags & abi.MSG_DONTWAIT)
        if self.kind == abi.SOCK_STREAM:
            if addr:
                raise SyscallError(abi.EISCONN if self.state == CONNECTED else abi.EOPNOTSUPP)
            return self._send_stream(t, payload, anc, nonblock)
        if self.kind == abi.SOCK_SEQPACKET:
            if self.state != CONNECTED:
                raise SyscallError(abi.ENOTCONN)
            addr = None
        return self._send_message(t, payload, anc, addr, nonblock)

    def _with_creds(self, t: Thread | None, anc: Ancillary | None, target: LocalSocket) -> Ancillary | None:
        """The sender's credentials go with a message when either end passes them
        (SO_PASSCRED), as Linux's unix_maybe_add_creds; explicit ones always do."""
        if anc is not None and anc.creds is not None or not (self.passcred() or target.passcred()):
            return anc
        proc = t.process if t is not None else self.kernel.current
        if proc is None:
            return anc
        anc = anc or Ancillary()
        anc.creds = (proc.pid, proc.creds.uid, proc.creds.gid)
        return anc

    def _check_can_send(self, peer: LocalSocket | None) -> LocalSocket | None:
        """The peer a connected send goes to, None if the bytes are to be dropped
        (TCP's write into a closed connection, which only provokes the reset)."""
        if peer is None:
            raise SyscallError(abi.ENOTCONN)
        if self.error:
            error, self.error = self.error, 0
            raise SyscallError(error)
        if self.shut & SHUT_SEND or peer.closed or peer.shut & SHUT_RCV:
            raise SyscallError(abi.EPIPE)
        return peer

    def _hang_up(self, peer: LocalSocket, unread: bool) -> None:
        """This socket closes: what its connected ``peer`` sees (AF_UNIX: the end of
        both directions, ECONNRESET if this end left data unread)."""
        peer.shut = SHUT_BOTH
        if unread:
            peer.error = abi.ECONNRESET

    def _send_stream(self, t: Thread | None, payload: bytes, anc: Ancillary | None, nonblock: bool) -> int:
        if self.state != CONNECTED:
            raise SyscallError(self.send_unconnected_errno)
        peer = self._check_can_send(self.peer)
        if peer is None:
            return len(payload)
        room = self.sndbuf - self.wmem
        if room <= 0 and payload:
            if nonblock:
                raise SyscallError(abi.EAGAIN)
            raise self.park_on(self.changed, self.sndtimeo_ns, f"{self.path.decode()} to have room")
        first = payload[:room]
        peer._deliver(Segment(first, self, self._with_creds(t, anc, peer), None))
        if len(first) == len(payload) or nonblock:
            return len(first)
        rest = payload[len(first):]
        done = len(first)

        def park(t: Thread) -> Block:
            wait = Wait(t, f"{self.path.decode()} to have room")
            pending = _PendingSend(wait, rest, done)
            wait.cancel = lambda: self.pending.remove(pending) if pending in self.pending else None
            wait.partial_result = lambda: pending.count
            self.pending.append(pending)
            self.kernel.sched.block(wait)
            return Block()
        raise WouldBlock(park, done)

    def _send_message(self, t: Thread | None, payload: bytes, anc: Ancillary | None, addr: bytes | None,
                      nonblock: bool) -> int:
        if addr:
            if t is None:
                raise SyscallError(abi.EINVAL)
            target: LocalSocket | None = self.lookup(t, addr)
            if target is None or target.closed:
                return self.undeliverable(payload)
            if target.kind != self.kind:
                raise SyscallError(abi.EPROTOTYPE)
        else:
            target = self.peer
            if target is None:
                raise SyscallError(self.no_destination_errno if not self.connection else abi.ENOTCONN)
            if target.closed:
                if not self.connection:
                    self.peer = None
                raise SyscallError(abi.ECONNREFUSED if not self.connection else abi.EPIPE)
        if len(payload) > self.sndbuf - 32:
            raise SyscallError(abi.EMSGSIZE)
        if self.connection:
            self._check_can_send(target)
        else:
            if target.peer is not None and target.peer is not self and not target.accepts_any_sender():
                raise SyscallError(abi.EPERM)
            if self.shut & SHUT_SEND or target.shut & SHUT_RCV:
                raise SyscallError(abi.EPIPE)
        if len(target.rx) >= MAX_DGRAM_QLEN or self.wmem >= self.sndbuf:
            if nonblock:
                raise SyscallError(abi.EAGAIN)
            queue = target.changed if len(target.rx) >= MAX_DGRAM_QLEN else self.changed
            raise self.park_on(queue, self.sndtimeo_ns, f"room in {target.path.decode()}")
        if not self.connection:
            self.autobind()
        target._deliver(Segment(payload, self, self._with_creds(t, anc, target),
                                self.addr if not self.connection else None))
        return len(payload)

    def undeliverable(self, payload: bytes) -> int:
        """A datagram to an address nobody holds: AF_UNIX refuses it."""
        raise SyscallError(abi.ECONNREFUSED)

    def accepts_any_sender(self) -> bool:
        """Whether a connected datagram socket still takes datagrams from others."""
        return False

    def _deliver(self, segment: Segment) -> None:
        self.rx.append(segment)
        self.rx_bytes += len(segment.data)
        if segment.sender is not None:
            segment.sender.wmem += len(segment.data)
        self.changed.wake_all(READABLE)

    # -- receiving --
    def recv(self, t: Thread | None, views: list[memoryview], flags: int) -> Received:
        if flags & abi.MSG_OOB:
            raise SyscallError(abi.EOPNOTSUPP)
        if self.state == LISTENING:
            raise SyscallError(abi.EINVAL)
        if self.kind == abi.SOCK_SEQPACKET and self.state != CONNECTED:
            raise SyscallError(abi.ENOTCONN)
        if self.kind == abi.SOCK_STREAM and self.state == UNCONNECTED:
            raise SyscallError(self.recv_unconnected_errno)
        want = sum(len(v) for v in views)
        nonblock = bool(flags & abi.MSG_DONTWAIT)
        if not self.rx or self.kind == abi.SOCK_STREAM and flags & abi.MSG_WAITALL and self._short_of(want):
            if self.error and not self.rx:
                error, self.error = self.error, 0
                raise SyscallError(error)
            if self.shut & SHUT_RCV or self.rx and nonblock:
                return self._recv_stream(views, want, flags) if self.rx else Received(0, 0)
            if nonblock:
                raise SyscallError(abi.EAGAIN)
            raise self.park_on(self.changed, self.rcvtimeo_ns, f"{self.path.decode()} to have data")
        if self.kind == abi.SOCK_STREAM:
            return self._recv_stream(views, want, flags)
        return self._recv_message(views, flags)

    def _short_of(self, want: int) -> bool:
        """MSG_WAITALL: not yet enough queued.  A request larger than the peer can queue
        completes with what the send buffer holds (a shortcut: Linux keeps copying)."""
        peer = self.peer
        limit = peer.sndbuf if peer is not None else want
        return self.rx_bytes < min(want, limit) and not self.shut & SHUT_RCV

    def _recv_stream(self, views: list[memoryview], want: int, flags: int) -> Received:
        peek = bool(flags & abi.MSG_PEEK)
        out = bytearray()
        anc: Ancillary | None = None
        index = 0
        while len(out) < want and index < len(self.rx):
            seg = self.rx[index]
            if seg.anc is not None and anc is not None and (seg.anc.fds or anc.fds):
                break               # fds never merge with other messages' (unix_stream_read_generic)
            take = seg.data[seg.start:seg.start + want - len(out)]
            out += take
            if seg.anc is not None and seg.anc.fds and anc is None:
                anc = self._take_anc(seg, peek)
            elif seg.anc is not None and anc is None:
                anc = Ancillary(creds=seg.anc.creds)
            if peek:
                index += 1
            else:
                self._consume(seg, len(take))
            if anc is not None and anc.fds:
                break
        count = copy_out(out, views, 0)
        return Received(count, count, None, anc)

    def _take_anc(self, seg: Segment, peek: bool) -> Ancillary:
        assert seg.anc is not None
        if peek:
            for desc in seg.anc.fds:
                desc.refs += 1
            return Ancillary(list(seg.anc.fds), seg.anc.creds)
        anc, seg.anc = seg.anc, Ancillary(creds=seg.anc.creds)
        return anc

    def _recv_message(self, views: list[memoryview], flags: int) -> Received:
        seg = self.rx[0]
        peek = bool(flags & abi.MSG_PEEK)
        count = copy_out(seg.data, views, 0)
        anc = self._take_anc(seg, peek) if seg.anc is not None else None
        if not peek:
            self._consume(seg, seg.left)
        out_flags = abi.MSG_TRUNC if count < len(seg.data) else 0
        return Received(count, len(seg.data), seg.addr, anc, out_flags)

    def _consume(self, seg: Segment, n: int) -> None:
        """Mark ``n`` bytes of the head segment read, crediting its sender."""
        seg.start += n
        self.rx_bytes -= n
        if seg.left == 0 or self.kind != abi.SOCK_STREAM:
            self.rx_bytes -= seg.left
            n += seg.left
            self.rx.popleft()
            if seg.anc is not None:
                for desc in seg.anc.fds:
                    release(desc)
        if seg.sender is not None:
            seg.sender._credit(n)
        self.changed.wake_all(WRITABLE)         # datagram senders wait for queue room here

    def _credit(self, n: int) -> None:
        full_before = self.wmem * 4 > self.sndbuf
        self.wmem -= n
        self._pump()
        if full_before or self.wmem < self.sndbuf:
            self.changed.wake_all(WRITABLE)

    def _pump(self) -> None:
        """Move pending stream sends into the peer's queue while there is room."""
        peer = self.peer
        while self.pending and self.wmem < self.sndbuf:
            pending = self.pending[0]
            if peer is None or peer.closed or peer.shut & SHUT_RCV:
                self._fail_pending()
                return
            chunk = pending.data[pending.pos:pending.pos + self.sndbuf - self.wmem]
            peer._deliver(Segment(chunk, self, None, None))
            pending.pos += len(chunk)
            if pending.pos == len(pending.data):
                self.pending.popleft()
                self._wake(pending.wait, pending.count)

    def _fail_pending(self) -> None:
        """The peer can take no more: blocked senders return what they sent, or (none)
        re-run and meet EPIPE."""
        while self.pending:
            pending = self.pending.popleft()
            self._wake(pending.wait, pending.count or None)

    def _wake(self, wait: Wait, result: int | None) -> None:
        if wait.thread.wait is wait:
            self.kernel.sched.wake(wait.thread, result)

    # -- readiness --
    def poll(self) -> int:
        mask = abi.POLLERR if self.error else 0
        if self.shut == SHUT_BOTH:
            mask |= abi.POLLHUP
        if self.shut & SHUT_RCV:
            mask |= abi.POLLRDHUP | READABLE
        if self.rx or self.backlog:
            mask |= READABLE
        if self.connection and self.state == UNCONNECTED:
            mask |= abi.POLLHUP
        if self.state == LISTENING or self.wmem * 4 > self.sndbuf:
            return mask
        peer = self.peer
        if self.kind != abi.SOCK_STREAM and peer is not None and peer.peer is not self \
                and len(peer.rx) >= MAX_DGRAM_QLEN:
            return mask
        return mask | WRITABLE

    def readable_bytes(self) -> int:
        if self.state == LISTENING:
            raise SyscallError(abi.EINVAL)
        if self.kind == abi.SOCK_STREAM:
            return self.rx_bytes
        return self.rx[0].left if self.rx else 0

    # -- going away --
    def close(self) -> None:
        self.closed = True
        self.release_name()
        while self.backlog:
            embryo = self.backlog.popleft()
            embryo.reset_peer = True
            embryo.close()
        unread = bool(self.rx) or self.reset_peer
        while self.rx:
            seg = self.rx.popleft()
            if seg.anc is not None:
                for desc in seg.anc.fds:
                    release(desc)
            if seg.sender is not None:
                seg.sender._credit(seg.left)
        self.rx_bytes = 0
        self._fail_pending()
        peer = self.peer
        if peer is not None and self.connection:
            self._hang_up(peer, unread)
            peer._fail_pending()
        if peer is not None:
            peer.changed.wake_all()
        self.changed.wake_all()

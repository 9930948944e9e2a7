"""Socket syscalls: creation, addressing, connections, messages and options.

Handlers read and write the guest's structures (sockaddr with its value-result length,
msghdr, cmsghdr, mmsghdr) and hand the rest to the socket objects in vkernel/net/.
"""
from __future__ import annotations

import struct
from typing import Callable

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.fdtable import release
from vkernel.net import inet, unix, vnet
from vkernel.net.socket import Ancillary, Received, Socket
from vkernel.syscalls.common import iovec_views, read_iovec, timespec_ns
from vkernel.syscalls.signal import sigpipe_on_epipe
from vkernel.task import Thread
from vkernel.waitq import WouldBlock

SOCKADDR_STORAGE = 128
MSGHDR = struct.Struct("<QI4xQQQQi4x")      # name, namelen, iov, iovlen, control, controllen, flags
MMSGHDR_SIZE = MSGHDR.size + 8              # + msg_len and padding
CMSGHDR = struct.Struct("<QiI")             # cmsg_len, cmsg_level, cmsg_type
UCRED = struct.Struct("<iII")
UIO_MAXIOV = 1024
INT_MAX = 0x7FFFFFFF
MAX_RW = 0x7FFFF000
BOUNCE = 1 << 16                            # what a receive into an unmapped buffer takes at most



def _inet(t: Thread, family: int, kind: int, protocol: int, flags: int) -> Socket:
    """AF_INET/AF_INET6 on the container's network backend: host sockets, or the
    in-kernel network (vkernel/net/vnet.py)."""
    if t.process.kernel.policy.network.backend == "vnet":
        return vnet.create(t, family, kind, protocol, flags)
    return inet.create(t, family, kind, protocol, flags)


_FAMILIES: dict[int, Callable[..., Socket]] = {abi.AF_UNIX: unix.create, abi.AF_INET: _inet, abi.AF_INET6: _inet}
_SEND_FLAGS = (abi.MSG_OOB | abi.MSG_DONTROUTE | abi.MSG_DONTWAIT | abi.MSG_EOR | abi.MSG_NOSIGNAL | abi.MSG_MORE
               | abi.MSG_CONFIRM | abi.MSG_FASTOPEN)


def _cmsg_align(n: int) -> int:
    return (n + 7) & ~7


def _socket(t: Thread, fd: int) -> Socket:
    desc = t.process.fds.get(fd)
    if not isinstance(desc, Socket):
        raise SyscallError(abi.ENOTSOCK)
    return desc


def _split_type(kind: int) -> tuple[int, int]:
    flags = kind & (abi.SOCK_NONBLOCK | abi.SOCK_CLOEXEC)
    kind &= ~flags
    if kind & ~abi.SOCK_TYPE_MASK or kind >= abi.SOCK_MAX:
        raise SyscallError(abi.EINVAL)      # before the family is looked at, as __sock_create
    return kind, flags


def read_sockaddr(t: Thread, address: int, length: int) -> bytes:
    """A sockaddr the guest passes (Linux's move_addr_to_kernel)."""
    if length < 0 or length > SOCKADDR_STORAGE:
        raise SyscallError(abi.EINVAL)
    return t.process.mm.read(address, length) if length else b""


def write_sockaddr(t: Thread, addr: bytes, address: int, length_ptr: int) -> None:
    """Copy a sockaddr out through a value-result length (move_addr_to_user): at most
    the guest's length is copied, and the real length is written back."""
    mm = t.process.mm
    room = mm.read_i32(length_ptr)
    if room < 0:
        raise SyscallError(abi.EINVAL)
    if room and addr:
        mm.write(address, addr[:room])
    mm.write_i32(length_ptr, len(addr))


def _sigpipe(t: Thread, flags: int, call: Callable[[], int | Block]) -> int | Block:
    """A send's EPIPE comes with SIGPIPE unless MSG_NOSIGNAL."""
    try:
        return call()
    except SyscallError as exc:
        if exc.errno == abi.EPIPE and not flags & abi.MSG_NOSIGNAL:
            sigpipe_on_epipe(t)
        raise


# -- creation -----------------------------------------------------------------------------

def _new_socket(t: Thread, domain: int, kind: int, protocol: int) -> tuple[Socket, int]:
    kind, flags = _split_type(kind)
    make = _FAMILIES.get(domain)
    if make is None:
        raise SyscallError(abi.EAFNOSUPPORT)
    return make(t, domain, kind, protocol, flags), flags


def sys_socket(t: Thread, domain: int, kind: int, protocol: int) -> int:
    """socket(2): AF_UNIX inside the kernel, AF_INET/AF_INET6 through the host backend."""
    t.process.fds.lowest_free()             # EMFILE before a host socket is opened for nothing
    sock, flags = _new_socket(t, domain, kind, protocol)
    return t.process.fds.install(sock, bool(flags & abi.SOCK_CLOEXEC))


def sys_socketpair(t: Thread, domain: int, kind: int, protocol: int, sv: int) -> int:
    """socketpair(2): AF_UNIX only, as Linux (EOPNOTSUPP for the inet families)."""
    kind, flags = _split_type(kind)
    if domain != abi.AF_UNIX:
        # Linux makes the first socket (so a bad type or protocol fails as in socket(2))
        # before the family's socketpair op refuses.
        sock, _ = _new_socket(t, domain, kind, protocol)
        release_unowned(sock)
        raise SyscallError(abi.EOPNOTSUPP)
    a, b = unix.pair(t, kind, protocol, flags)
    fds = t.process.fds
    cloexec = bool(flags & abi.SOCK_CLOEXEC)
    first = fds.install(a, cloexec)
    try:
        second = fds.install(b, cloexec)
    except SyscallError:
        fds.close(first)
        release_unowned(b)
        raise
    try:
        t.process.mm.write(sv, struct.pack("<ii", first, second))
    except SyscallError:
        fds.close(first)
        fds.close(second)
        raise
    return 0


def release_unowned(sock: Socket) -> None:
    """Close a socket no fd ever held."""
    sock.refs += 1
    release(sock)


# -- addressing and connections -------------------------------------------------------------

def sys_bind(t: Thread, fd: int, addr: int, addrlen: int) -> int:
    """bind(2)."""
    sock = _socket(t, fd)
    sock.bind(t, read_sockaddr(t, addr, addrlen))
    return 0


def sys_listen(t: Thread, fd: int, backlog: int) -> int:
    """listen(2): the backlog is capped at SOMAXCONN."""
    sock = _socket(t, fd)
    sock.listen(t, min(max(backlog, 0), abi.SOMAXCONN) if backlog >= 0 else abi.SOMAXCONN)
    return 0


def sys_accept4(t: Thread, fd: int, addr: int, addrlen: int, flags: int) -> int | Block:
    """accept4(2): SOCK_NONBLOCK and SOCK_CLOEXEC on the new socket."""
    t.process.fds.get(fd)                   # EBADF, then bad flags, then ENOTSOCK (as Linux 6.x)
    if flags & ~(abi.SOCK_NONBLOCK | abi.SOCK_CLOEXEC):
        raise SyscallError(abi.EINVAL)
    sock = _socket(t, fd)
    fds = t.process.fds
    fds.lowest_free()                       # EMFILE before a connection leaves the queue
    try:
        new = sock.accept(t, flags & abi.SOCK_NONBLOCK)
    except WouldBlock as exc:
        return exc.park(t)
    newfd = fds.install(new, bool(flags & abi.SOCK_CLOEXEC))
    if addr:
        try:
            write_sockaddr(t, new.accepted_from(), addr, addrlen)
        except SyscallError:
            fds.close(newfd)
            raise
    return newfd


def sys_accept(t: Thread, fd: int, addr: int, addrlen: int) -> int | Block:
    """accept(2)."""
    return sys_accept4(t, fd, addr, addrlen, 0)


def sys_connect(t: Thread, fd: int, addr: int, addrlen: int) -> int | Block:
    """connect(2): a blocking connect waits; a non-blocking one may give EINPROGRESS."""
    sock = _socket(t, fd)
    raw = read_sockaddr(t, addr, addrlen)
    try:
        sock.connect(t, raw)
    except WouldBlock as exc:
        return exc.park(t)
    return 0


def sys_shutdown(t: Thread, fd: int, how: int) -> int:
    """shutdown(2)."""
    sock = _socket(t, fd)
    if how not in (abi.SHUT_RD, abi.SHUT_WR, abi.SHUT_RDWR):
        raise SyscallError(abi.EINVAL)
    sock.shutdown(how)
    return 0


def sys_getsockname(t: Thread, fd: int, addr: int, addrlen: int) -> int:
    """getsockname(2)."""
    write_sockaddr(t, _socket(t, fd).sockname(), addr, addrlen)
    return 0


def sys_getpeername(t: Thread, fd: int, addr: int, addrlen: int) -> int:
    """getpeername(2)."""
    write_sockaddr(t, _socket(t, fd).peername(), addr, addrlen)
    return 0


# -- options -----------------------------------------------------------------------------

def sys_getsockopt(t: Thread, fd: int, level: int, name: int, optval: int, optlen: int) -> int:
    """getsockopt(2): the value is cut to the guest's length, which is written back."""
    sock = _socket(t, fd)
    mm = t.process.mm
    if level != abi.SOL_SOCKET:
        # A level the family lacks fails before optlen is read (Linux's
        # do_sock_getsockopt: EOPNOTSUPP with no ops->getsockopt, ip_getsockopt's level check).
        value = sock.getsockopt(level, name)
    room = mm.read_i32(optlen)
    if room < 0:
        raise SyscallError(abi.EINVAL)
    if level == abi.SOL_SOCKET:
        value = sock.getsockopt(level, name)
    value = value[:room]
    mm.write(optval, value)
    mm.write_i32(optlen, len(value))
    return 0


def sys_setsockopt(t: Thread, fd: int, level: int, name: int, optval: int, optlen: int) -> int:
    """setsockopt(2)."""
    sock = _socket(t, fd)
    if level != abi.SOL_SOCKET and not sock.has_protocol_levels:
        raise SyscallError(abi.EOPNOTSUPP)      # sock_no_setsockopt, before optval is read
    if optlen < 0:
        raise SyscallError(abi.EINVAL)
    sock.setsockopt(level, name, t.process.mm.read(optval, min(optlen, 4096)) if optlen else b"")
    return 0


# -- messages -----------------------------------------------------------------------------

def _send(t: Thread, sock: Socket, views: list[memoryview], addr: bytes | None, anc: Ancillary | None,
          flags: int) -> int:
    return sock.send(t, views, addr, anc, sock.call_flags(flags))


def sys_sendto(t: Thread, fd: int, buf: int, length: int, flags: int, addr: int, addrlen: int) -> int | Block:
    """sendto(2) and send(2)."""
    sock = _socket(t, fd)
    views = t.process.mm.views(buf, min(length, MAX_RW), writable=False) if length else []
    raw = read_sockaddr(t, addr, addrlen) if addr else None

    def call() -> int | Block:
        try:
            return _send(t, sock, views, raw, None, flags)
        except WouldBlock as exc:
            return exc.park(t)
    return _sigpipe(t, flags, call)


def sys_recvfrom(t: Thread, fd: int, buf: int, length: int, flags: int, addr: int, addrlen: int) -> int | Block:
    """recvfrom(2) and recv(2)."""
    sock = _socket(t, fd)
    try:
        views = t.process.mm.views(buf, min(length, MAX_RW), writable=True) if length else []
    except SyscallError:
        scratch = inet.discard_views(sock, flags, min(length, MAX_RW))     # TCP's MSG_TRUNC
        if scratch is None:
            return _recvfrom_bounced(t, sock, buf, length, flags, addr, addrlen)
        views = scratch
    try:
        got = _recv(t, sock, views, flags)
    except WouldBlock as exc:
        return exc.park(t)
    return _received_from(t, got, flags, addr, addrlen)


def _received_from(t: Thread, got: Received, flags: int, addr: int, addrlen: int) -> int:
    """recvfrom's result: the sender's address written back, passed fds dropped, and
    the real length under MSG_TRUNC."""
    if addr and addrlen:
        write_sockaddr(t, got.addr or b"", addr, addrlen)
    if got.anc is not None:
        _discard(got.anc)
    return got.length if flags & abi.MSG_TRUNC and got.length >= 0 else got.count


def _recvfrom_bounced(t: Thread, sock: Socket, buf: int, length: int, flags: int, addr: int,
                      addrlen: int) -> int | Block:
    """A receive into a buffer that is not all mapped.  Linux faults only when it
    copies, and a failed copy consumes nothing: so the call first peeks (waiting, or
    failing, as it would with a good buffer: MSG_OOB on AF_UNIX is EOPNOTSUPP), then
    takes what arrived if the buffer can hold it, else fails with EFAULT."""
    bounce = bytearray(min(length, BOUNCE))
    try:
        peeked = _recv(t, sock, [memoryview(bounce)], flags | abi.MSG_PEEK)
    except WouldBlock as exc:
        return exc.park(t)
    if peeked.anc is not None:
        _discard(peeked.anc)
    mm = t.process.mm
    if peeked.count and mm.accessible(buf, peeked.count, writable=True) < peeked.count:
        raise SyscallError(abi.EFAULT)
    views = mm.views(buf, peeked.count, writable=True) if peeked.count else []
    return _received_from(t, _recv(t, sock, views, flags), flags, addr, addrlen)


def _recv(t: Thread, sock: Socket, views: list[memoryview], flags: int) -> Received:
    return sock.recv(t, views, sock.call_flags(flags))


def _read_msghdr(t: Thread, address: int) -> tuple[int, int, list[tuple[int, int]], int, int, int]:
    name, namelen, iov, iovlen, control, controllen, flags = MSGHDR.unpack(t.process.mm.read(address, MSGHDR.size))
    if iovlen > UIO_MAXIOV:
        raise SyscallError(abi.EMSGSIZE)
    if controllen > INT_MAX:
        raise SyscallError(abi.ENOBUFS)
    if not name:
        namelen = 0
    elif namelen > SOCKADDR_STORAGE:
        raise SyscallError(abi.EINVAL)
    return name, namelen, read_iovec(t, iov, iovlen), control, controllen, flags


def _read_control(t: Thread, sock: Socket, control: int, length: int) -> Ancillary | None:
    """The cmsghdrs of a sendmsg: SCM_RIGHTS and SCM_CREDENTIALS at SOL_SOCKET."""
    if not length:
        return None
    if length < CMSGHDR.size:
        raise SyscallError(abi.EINVAL)
    raw = t.process.mm.read(control, length)
    anc = Ancillary()
    pos = 0
    try:
        while pos + CMSGHDR.size <= length:
            cmsg_len, level, kind = CMSGHDR.unpack_from(raw, pos)
            if cmsg_len < CMSGHDR.size or cmsg_len > length - pos:
                raise SyscallError(abi.EINVAL)
            data = raw[pos + CMSGHDR.size:pos + cmsg_len]
            if level != abi.SOL_SOCKET:
                sock.proto_control(level, kind, data)
            elif kind == abi.SCM_RIGHTS and sock.family == abi.AF_UNIX:
                count = len(data) // 4
                if not count or len(anc.fds) + count > abi.SCM_MAX_FD:
                    raise SyscallError(abi.EINVAL)
                for fd in struct.unpack(f"<{count}i", data[:4 * count]):
                    desc = t.process.fds.get(fd)
                    desc.refs += 1
                    anc.fds.append(desc)
            elif kind == abi.SCM_CREDENTIALS and sock.family == abi.AF_UNIX:
                if len(data) != UCRED.size:
                    raise SyscallError(abi.EINVAL)
                anc.creds = _checked_creds(t, UCRED.unpack(data))
            else:
                raise SyscallError(abi.EINVAL)
            pos += _cmsg_align(cmsg_len)
    except SyscallError:
        _discard(anc)
        raise
    return anc


def _checked_creds(t: Thread, creds: tuple[int, int, int]) -> tuple[int, int, int]:
    """A sender may claim only its own pid and ids unless privileged (scm_check_creds)."""
    proc = t.process
    c = proc.creds
    pid, uid, gid = creds
    if c.euid != 0 and (pid != proc.pid or uid not in (c.uid, c.euid, c.suid) or gid not in (c.gid, c.egid, c.sgid)):
        raise SyscallError(abi.EPERM)
    return creds


def _discard(anc: Ancillary) -> None:
    for desc in anc.fds:
        release(desc)
    anc.fds = []


def sys_sendmsg(t: Thread, fd: int, msg: int, flags: int) -> int | Block:
    """sendmsg(2): iovecs, a destination, SCM_RIGHTS and SCM_CREDENTIALS."""
    sock = _socket(t, fd)
    return _sigpipe(t, flags, lambda: _sendmsg(t, sock, msg, flags, park=True))


def _sendmsg(t: Thread, sock: Socket, msg: int, flags: int, park: bool) -> int | Block:
    sock.check_sendmsg()
    name, namelen, pairs, control, controllen, _ = _read_msghdr(t, msg)
    views = iovec_views(t, pairs, writable=False)
    raw = read_sockaddr(t, name, namelen) if name else None
    anc = _read_control(t, sock, control, controllen)
    try:
        return _send(t, sock, views, raw, anc, flags)
    except WouldBlock as exc:
        if anc is not None:
            _discard(anc)
        if not park:
            raise
        return exc.park(t)
    except SyscallError:
        if anc is not None:
            _discard(anc)
        raise


def sys_recvmsg(t: Thread, fd: int, msg: int, flags: int) -> int | Block:
    """recvmsg(2): the sender's address, SCM_CREDENTIALS (with SO_PASSCRED) and
    SCM_RIGHTS, with MSG_TRUNC/MSG_CTRUNC in msg_flags."""
    sock = _socket(t, fd)
    try:
        return _recvmsg(t, sock, msg, flags)
    except WouldBlock as exc:
        return exc.park(t)


def _recvmsg(t: Thread, sock: Socket, msg: int, flags: int) -> int:
    name, namelen, pairs, control, controllen, _ = _read_msghdr(t, msg)
    views = iovec_views(t, pairs, writable=True)
    got = _recv(t, sock, views, flags)
    mm = t.process.mm
    out_flags = got.flags
    if name:
        addr = got.addr or b""
        mm.write(name, addr[:namelen])
        mm.write_i32(msg + 8, len(addr))
    used = 0
    if got.anc is not None:
        used, truncated = _write_control(t, sock, got.anc, control, controllen, flags)
        if truncated:
            out_flags |= abi.MSG_CTRUNC
    mm.write(msg + 40, struct.pack("<Qi", used, out_flags))
    return got.length if flags & abi.MSG_TRUNC and got.length >= 0 else got.count


def _write_control(t: Thread, sock: Socket, anc: Ancillary, control: int, room: int,
                   flags: int) -> tuple[int, bool]:
    """Lay out the received control messages as Linux's put_cmsg/scm_detach_fds: the
    credentials first, then as many fds as fit (the rest are closed: MSG_CTRUNC)."""
    out = bytearray()
    truncated = False
    if anc.creds is not None and sock.passcred():
        payload = UCRED.pack(*anc.creds)
        need = CMSGHDR.size + len(payload)
        if room - len(out) < need:
            truncated = True
        else:
            out += CMSGHDR.pack(need, abi.SOL_SOCKET, abi.SCM_CREDENTIALS) + payload
            out += b"\0" * (_cmsg_align(need) - need)
    if anc.fds:
        fit = max((room - len(out) - CMSGHDR.size) // 4, 0) if control else 0
        fds = t.process.fds
        installed: list[int] = []
        for desc in anc.fds[:fit]:
            try:
                installed.append(fds.install(desc, bool(flags & abi.MSG_CMSG_CLOEXEC)))
            except SyscallError:
                break
        if len(installed) < len(anc.fds):
            truncated = True
        if installed:
            need = CMSGHDR.size + 4 * len(installed)
            out += CMSGHDR.pack(need, abi.SOL_SOCKET, abi.SCM_RIGHTS) + struct.pack(f"<{len(installed)}i", *installed)
            out += b"\0" * (_cmsg_align(need) - need)
        # The in-flight references: installed fds took their own.
        for desc in anc.fds:
            release(desc)
        anc.fds = []
    out = out[:room]
    if out:
        t.process.mm.write(control, bytes(out))
    return len(out), truncated


def _each_message(t: Thread, vec: int, vlen: int, one: Callable[[int, int], int]) -> int | Block:
    """sendmmsg/recvmmsg: ``one(entry, done)`` for each mmsghdr, its count stored in
    msg_len, until one fails: then the count done, or (none done) its error or wait."""
    done = 0
    for i in range(min(vlen, UIO_MAXIOV)):
        entry = vec + i * MMSGHDR_SIZE
        try:
            n = one(entry, done)
        except WouldBlock as exc:
            if done:
                break
            return exc.park(t)
        except SyscallError:
            if done:
                break
            raise
        t.process.mm.write(entry + MSGHDR.size, struct.pack("<I", n))
        done += 1
    return done


def sys_sendmmsg(t: Thread, fd: int, vec: int, vlen: int, flags: int) -> int | Block:
    """sendmmsg(2): messages until one fails; the count sent, or the first error."""
    sock = _socket(t, fd)
    return _each_message(t, vec, vlen, lambda entry, _: _sigpipe(
        t, flags, lambda: _sendmsg(t, sock, entry, flags, park=False)))  # type: ignore[arg-type, return-value]


def sys_recvmmsg(t: Thread, fd: int, vec: int, vlen: int, flags: int, timeout: int) -> int | Block:
    """recvmmsg(2): MSG_WAITFORONE makes every message after the first non-blocking."""
    if timeout:
        timespec_ns(t, timeout)                 # EFAULT, EINVAL: before the fd (do_recvmmsg)
    sock = _socket(t, fd)
    base = flags & ~abi.MSG_WAITFORONE
    later = base | (abi.MSG_DONTWAIT if flags & abi.MSG_WAITFORONE else 0)
    return _each_message(t, vec, vlen, lambda entry, done: _recvmsg(t, sock, entry, later if done else base))

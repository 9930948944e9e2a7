"""[network]: which sockets, connections and binds the container may make.

Pure decisions over guest values; the socket layer calls them (the kernel's
``net_policy``) and, for a non-zero errno, ``audit_refusal`` writes the record (action
"deny", rule "network.backend" / "network.egress" / "network.bind"):

  check_socket(family)              backend "none" allows AF_UNIX only: any other family
                                    is EAFNOSUPPORT, what a kernel built without inet
                                    support answers, so programs fall back as they would
                                    there (EACCES would read as an LSM refusal instead)
  check_connect(family, ip, port)   connect, and sendto/sendmsg with an address: the
                                    destination must match an egress rule, else
                                    ENETUNREACH, as when no route leads there
  check_bind(family, ip, port)      the local address must match a bind rule, else
                                    EADDRNOTAVAIL (as an address the network does not
                                    have), and its port too, else EACCES; the
                                    wildcard address needs a rule for the
                                    port, and bind_host() narrows it to what the rules
                                    allow (loopback when they allow only loopback)

Addresses are matched as Linux routes them: an IPv4-mapped IPv6 address
(::ffff:a.b.c.d) is the IPv4 address, and connecting to the unspecified address
(0.0.0.0, ::) reaches the local host, so it is matched as loopback.  Port 0 in a bind
(the kernel picks one) needs only the address to be allowed.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vkernel import abi
from vkernel.policy.manifest import NetRule, NetworkPolicy

if TYPE_CHECKING:
    from vkernel.audit import AuditLog
    from vkernel.task import Thread

AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6 = 0, 1, 2, 10
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_LOOPBACK = {AF_INET: ipaddress.ip_address("127.0.0.1"), AF_INET6: ipaddress.ip_address("::1")}


def _address(family: int, host: str) -> Address | None:
    """The address as routing sees it; None if ``host`` is not one of ``family``."""
    try:
        addr = ipaddress.ip_address(host.split("%", 1)[0])      # drop an IPv6 scope id
    except ValueError:
        return None
    if family == AF_INET6 and isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if (family == AF_INET) != (addr.version == 4):
        return None
    return addr


def _matches(rules: list[NetRule], addr: Address, port: int | None) -> bool:
    for rule in rules:
        if rule.network.version == addr.version and addr in rule.network:
            lo, hi = rule.ports
            if port is None or lo <= port <= hi:
                return True
    return False


@dataclass
class NetPolicy:
    policy: NetworkPolicy

    @property
    def backend(self) -> str:
        return self.policy.backend

    def check_socket(self, family: int) -> int:
        """socket(2)/socketpair(2): 0, or the errno that refuses ``family``."""
        if self.policy.backend == "none" and family != AF_UNIX:
            return abi.EAFNOSUPPORT
        return 0

    def check_connect(self, family: int, host: str, port: int) -> int:
        """connect(2) or a datagram's destination: 0 or ENETUNREACH."""
        if family in (AF_UNIX, AF_UNSPEC):
            return 0                     # a path in the namespace, or a disconnect
        if self.policy.backend == "none":
            return abi.EAFNOSUPPORT
        addr = _address(family, host)
        if addr is None:
            return abi.EINVAL
        if addr.is_unspecified:
            addr = _LOOPBACK[AF_INET if addr.version == 4 else AF_INET6]
        return 0 if _matches(self.policy.egress, addr, port) else abi.ENETUNREACH

    def check_bind(self, family: int, host: str, port: int) -> int:
        """bind(2): 0; EADDRNOTAVAIL for an address no bind rule holds (the container's
        network has no such address, as in a network namespace without it); EACCES for
        an allowed address on a port the rules leave out."""
        if family == AF_UNIX:
            return 0
        if self.policy.backend == "none":
            return abi.EAFNOSUPPORT
        addr = _address(family, host)
        if addr is None:
            return abi.EINVAL
        wanted = None if port == 0 else port
        if addr.is_unspecified:
            ok = any(rule.network.version == addr.version and (wanted is None or rule.ports[0] <= wanted <= rule.ports[1])
                     for rule in self.policy.bind)
        else:
            if not _matches(self.policy.bind, addr, None):
                return abi.EADDRNOTAVAIL
            ok = _matches(self.policy.bind, addr, wanted)
        return 0 if ok else abi.EACCES

    def bind_host(self, family: int, host: str) -> str:
        """The host address a permitted bind uses: the wildcard stays the wildcard only
        if the bind rules allow every address of the family; if they allow only
        loopback it becomes the loopback address."""
        addr = _address(family, host)
        if addr is None or not addr.is_unspecified:
            return host
        nets = [r.network for r in self.policy.bind if r.network.version == addr.version]
        if nets and all(n.subnet_of(ipaddress.ip_network("127.0.0.0/8")) if n.version == 4  # type: ignore[arg-type]
                        else n == ipaddress.ip_network("::1/128") for n in nets):
            return str(_LOOPBACK[AF_INET if addr.version == 4 else AF_INET6])
        return host


RULES = {"socket": "network.backend", "connect": "network.egress", "bind": "network.bind"}


def audit_refusal(audit: AuditLog, t: Thread | None, syscall: str, check: str, errno: int, family: int,
                  host: str = "", port: int = 0) -> int:
    """Record that ``check`` ("socket", "connect" or "bind") refused a call; returns
    ``-errno`` for the handler to return."""
    where = f"{host}:{port}" if family == AF_INET else f"[{host}]:{port}" if family == AF_INET6 else ""
    audit.record(t, syscall, "deny", f"network policy: {check} {where or f'family {family}'}: "
                                     f"{abi.ERRNO_NAME.get(errno, errno)}",
                 {"family": family, "address": host, "port": port}, rule=RULES[check])
    return -errno

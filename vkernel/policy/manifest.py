"""The container manifest (TOML): typed policy objects and their validation.

Validation is strict: an unknown key, a wrong type, an unknown syscall name or a bad
value is a :class:`PolicyError` naming the file, the line and the key.  A manifest is
used whole or not at all.

Syscall rules follow seccomp: every rule whose names and argument conditions match a
call applies, and of those the most restrictive action wins (seccomp's precedence:
kill-process > kill-thread > trap > errno > log > allow), so the order of rules does
not matter.  A call no rule matches gets ``default_action``.
"""
from __future__ import annotations

import datetime
import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from vkernel import abi
from vkernel.syscalls.table import SYSCALL_NAMES

SYSCALL_NUMBERS: dict[str, int] = {name: nr for nr, name in SYSCALL_NAMES.items()}
ERRNO_NUMBERS: dict[str, int] = {name: num for num, name in abi.ERRNO_NAME.items()}

# seccomp's precedence (SECCOMP_RET_ACTION_FULL order): higher wins among matching rules.
PRECEDENCE: dict[str, int] = {"allow": 0, "log": 1, "errno": 2, "trap": 3, "kill-thread": 4, "kill-process": 5}
OPS = ("eq", "ne", "lt", "le", "gt", "ge", "masked_eq")
SYMLINK_POLICIES = ("follow", "refuse-outside", "refuse")
BACKENDS = ("host", "vnet", "none")
U64 = (1 << 64) - 1
_SIZE_SUFFIX = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


class PolicyError(Exception):
    """A manifest or profile that cannot be used: ``file:line: key: why``."""


@dataclass(frozen=True)
class Action:
    kind: str                  # one of PRECEDENCE
    errno: int = 0             # for "errno" (and the SIGSYS si_errno of "trap", as SECCOMP_RET_DATA)

    def __str__(self) -> str:
        return f"errno {abi.ERRNO_NAME.get(self.errno, self.errno)}" if self.kind == "errno" else self.kind


ALLOW = Action("allow")


@dataclass(frozen=True)
class ArgCondition:
    """seccomp's comparison of one 64-bit argument register (unsigned, as the kernel's)."""
    index: int
    op: str
    value: int
    mask: int = U64            # masked_eq: (arg & mask) == value

    def matches(self, arg: int) -> bool:
        op, value = self.op, self.value
        if op == "eq":
            return arg == value
        if op == "ne":
            return arg != value
        if op == "lt":
            return arg < value
        if op == "le":
            return arg <= value
        if op == "gt":
            return arg > value
        if op == "ge":
            return arg >= value
        return arg & self.mask == value

    def __str__(self) -> str:
        if self.op == "masked_eq":
            return f"arg{self.index} & {self.mask:#x} == {self.value:#x}"
        sym = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[self.op]
        return f"arg{self.index} {sym} {self.value:#x}"


@dataclass(frozen=True)
class SyscallRule:
    names: tuple[str, ...]
    action: Action
    args: tuple[ArgCondition, ...] = ()
    label: str = ""            # where it came from, for audit records: "syscalls.rule[2]"

    def matches(self, regs: Any) -> bool:
        """``regs``: the dispatcher's [nr, a0..a5] array."""
        return all(c.matches(regs[c.index + 1]) for c in self.args)


@dataclass
class SyscallPolicy:
    default: Action = ALLOW
    rules: list[SyscallRule] = field(default_factory=list)


@dataclass(frozen=True)
class MountSpec:
    host: str
    guest: str
    readonly: bool = True
    noexec: bool = False


@dataclass(frozen=True)
class NetRule:
    """An address range and a port range (``0.0.0.0/0:*`` is everything)."""
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    ports: tuple[int, int]

    def __str__(self) -> str:
        net = f"[{self.network}]" if self.network.version == 6 else str(self.network)
        lo, hi = self.ports
        return f"{net}:{'*' if (lo, hi) == (0, 65535) else lo if lo == hi else f'{lo}-{hi}'}"


def _loopback() -> list[NetRule]:
    return [NetRule(ipaddress.ip_network("127.0.0.0/8"), (0, 65535)), NetRule(ipaddress.ip_network("::1/128"), (0, 65535))]


@dataclass
class NetworkPolicy:
    """What a key left out means: the default's loopback-only rules."""
    backend: str = "host"
    egress: list[NetRule] = field(default_factory=_loopback)
    bind: list[NetRule] = field(default_factory=_loopback)


@dataclass
class Quotas:
    """Generous but finite by default; None (written "unlimited") is no limit."""
    processes: int = 1024
    threads: int = 1024
    open_files: int = 4096          # RLIMIT_NOFILE's hard limit
    memory: int | None = 4 << 30    # bytes mapped by the whole container
    file_size: int | None = 16 << 30        # RLIMIT_FSIZE's hard limit
    writable_bytes: int | None = 4 << 30    # in-memory writable layers (overlay upper, tmpfs)
    layer_bytes: int | None = 4 << 30       # one --layer tarball, uncompressed (vfs/layers.py)
    cpu_seconds: float | None = 86400.0     # guest CPU time of the whole container


@dataclass(frozen=True)
class TrustedKey:
    path: str                                   # public key file (PEM or raw base64)
    not_after: datetime.datetime | None = None  # manifests signed later are refused


@dataclass
class TrustPolicy:
    required: bool = False
    keys: list[TrustedKey] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)   # signed attestation manifests
    revoked: list[str] = field(default_factory=list)     # key ids, or public key files


@dataclass
class Policy:
    container: str = "default"
    syscalls: SyscallPolicy = field(default_factory=SyscallPolicy)
    mounts: list[MountSpec] = field(default_factory=list)
    symlinks: str = "follow"
    network: NetworkPolicy = field(default_factory=NetworkPolicy)
    quotas: Quotas = field(default_factory=Quotas)
    trust: TrustPolicy = field(default_factory=TrustPolicy)
    source: str = "<default>"


# -- finding the line of a key ----------------------------------------------------------------

Path = tuple[str | int, ...]


def line_of(text: str, path: Path) -> int:
    """The 1-based line of ``path`` (e.g. ("syscalls", "rule", 2, "action")) in TOML text:
    the table header for each table or array-of-tables element, then the key inside it.
    The nearest enclosing line found when the key itself is not written out."""
    lines = text.splitlines()
    start, end, found = 0, len(lines), 0
    dotted = ""
    i = 0
    while i < len(path):
        key = path[i]
        if isinstance(key, int):
            i += 1
            continue
        dotted = f"{dotted}.{key}" if dotted else key
        index = path[i + 1] if i + 1 < len(path) and isinstance(path[i + 1], int) else None
        header = (re.compile(rf"^\s*\[\[\s*{re.escape(dotted)}\s*\]\]") if index is not None
                  else re.compile(rf"^\s*\[\s*{re.escape(dotted)}\s*\]"))
        hits = [n for n, line in enumerate(lines) if header.match(line)]
        if hits and (index is None or index < len(hits)):
            start = hits[index or 0]
            found = start
            end = next((n for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith("[")), len(lines))
        else:
            pattern = re.compile(rf"(^|[\s{{,]){re.escape(key)}\s*=")
            hit = next((n for n in range(start, end) if pattern.search(lines[n])), None)
            if hit is not None:
                found = start = hit
        i += 1
    return found + 1


# -- reading ------------------------------------------------------------------------------------

class _Reader:
    """Typed access to the parsed document, with errors that carry file, line and key."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.base_dir = os.path.dirname(os.path.abspath(source)) if not source.startswith("<") else os.getcwd()

    def error(self, path: Path, why: str) -> PolicyError:
        key = ".".join(f"[{p}]" if isinstance(p, int) else p for p in path).replace(".[", "[")
        return PolicyError(f"{self.source}:{line_of(self.text, path)}: {key}: {why}")

    def table(self, value: Any, path: Path, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(path, f"expected a table, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                raise self.error(path + (key,), f"unknown key (expected one of: {', '.join(allowed)})")
        return value

    def get(self, table: dict[str, Any], path: Path, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.error(path + (key,), f"expected {names}, got {type(value).__name__} {value!r}")
        return value

    def choice(self, table: dict[str, Any], path: Path, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.get(table, path, key, str, default)
        if value not in choices:
            raise self.error(path + (key,), f"{value!r} is not one of: {', '.join(choices)}")
        return value

    def strings(self, table: dict[str, Any], path: Path, key: str) -> list[str]:
        value = self.get(table, path, key, list, [])
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(path + (key, i), f"expected a string, got {item!r}")
        return value

    def path(self, value: str) -> str:
        return os.path.normpath(os.path.join(self.base_dir, os.path.expanduser(value)))

    def size(self, table: dict[str, Any], path: Path, key: str, default: int | None) -> int | None:
        if key not in table:
            return default
        value = self.get(table, path, key, (int, str), None)
        if value == "unlimited":
            return None
        if isinstance(value, int):
            if value is not None and value <= 0:
                raise self.error(path + (key,), "must be positive")
            return value
        m = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)i?B?\s*", value, re.IGNORECASE)
        if m is None or int(m.group(1)) == 0:
            raise self.error(path + (key,), f"{value!r} is not a size (e.g. 512M, 4G, bytes, or \"unlimited\")")
        return int(m.group(1)) * _SIZE_SUFFIX[m.group(2).upper()]

    def count(self, table: dict[str, Any], path: Path, key: str, default: int, low: int = 1,
              high: int = 1 << 22) -> int:
        value = self.get(table, path, key, int, default)
        if not low <= value <= high:
            raise self.error(path + (key,), f"{value} is outside {low}..{high}")
        return value


def errno_value(value: object) -> int | None:
    """An errno given as a name ("EPERM") or number; None if neither."""
    if isinstance(value, str):
        return ERRNO_NUMBERS.get(value.upper())
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 4096:
        return value
    return None


def _action(r: _Reader, table: dict[str, Any], path: Path, key: str, errno_key: str, default: str) -> Action:
    kind = r.choice(table, path, key, tuple(PRECEDENCE), default)
    if errno_key not in table:
        return Action(kind, abi.EPERM if kind == "errno" else 0)
    if kind not in ("errno", "trap"):
        raise r.error(path + (errno_key,), f"only meaningful with action \"errno\" or \"trap\", not {kind!r}")
    number = errno_value(table[errno_key])
    if number is None:
        raise r.error(path + (errno_key,), f"{table[errno_key]!r} is not an errno name or number 1..4095")
    return Action(kind, number)


def _condition(r: _Reader, raw: Any, path: Path) -> ArgCondition:
    t = r.table(raw, path, ("index", "op", "value", "mask"))
    for key in ("index", "op", "value"):
        if key not in t:
            raise r.error(path, f"missing {key!r}")
    index = r.count(t, path, "index", 0, 0, 5)
    op = r.choice(t, path, "op", OPS, "eq")
    value = r.get(t, path, "value", int, 0) & U64      # negative: two's complement, as the register holds it
    if op == "masked_eq":
        if "mask" not in t:
            raise r.error(path, "op \"masked_eq\" needs a mask")
        return ArgCondition(index, op, value, r.get(t, path, "mask", int, U64) & U64)
    if "mask" in t:
        raise r.error(path + ("mask",), "only meaningful with op \"masked_eq\"")
    return ArgCondition(index, op, value)


def syscall_names(r: _Reader, names: list[str], path: Path) -> tuple[str, ...]:
    if not names:
        raise r.error(path, "needs at least one syscall name")
    for i, name in enumerate(names):
        if name not in SYSCALL_NUMBERS:
            raise r.error(path + (i,), f"unknown x86-64 syscall {name!r}")
    return tuple(names)


def _syscalls(r: _Reader, raw: Any) -> SyscallPolicy:
    path: Path = ("syscalls",)
    t = r.table(raw, path, ("default_action", "default_errno", "seccomp", "rule"))
    base = SyscallPolicy()
    if "seccomp" in t:
        from vkernel.policy.seccomp import load_profile
        profile = r.path(r.get(t, path, "seccomp", str, ""))
        try:
            base = load_profile(profile)[0]
        except PolicyError as exc:
            raise r.error(path + ("seccomp",), str(exc)) from None
    default = base.default
    if "default_action" in t or "default_errno" in t:
        default = _action(r, t, path, "default_action", "default_errno", base.default.kind)
    rules = list(base.rules)
    raw_rules = r.get(t, path, "rule", list, [])
    for i, raw_rule in enumerate(raw_rules):
        rpath: Path = ("syscalls", "rule", i)
        rule = r.table(raw_rule, rpath, ("names", "action", "errno", "args"))
        if "names" not in rule or "action" not in rule:
            raise r.error(rpath, "a rule needs names and action")
        names = syscall_names(r, r.strings(rule, rpath, "names"), rpath + ("names",))
        action = _action(r, rule, rpath, "action", "errno", "allow")
        conds = tuple(_condition(r, c, rpath + ("args", j)) for j, c in enumerate(r.get(rule, rpath, "args", list, [])))
        rules.append(SyscallRule(names, action, conds, f"syscalls.rule[{i}]"))
    return SyscallPolicy(default, rules)


def _mounts(r: _Reader, raw: Any) -> list[MountSpec]:
    if not isinstance(raw, list):
        raise r.error(("mounts",), "expected an array of tables ([[mounts]])")
    out = []
    for i, raw_mount in enumerate(raw):
        path: Path = ("mounts", i)
        m = r.table(raw_mount, path, ("host", "guest", "mode", "noexec"))
        if "host" not in m or "guest" not in m:
            raise r.error(path, "a mount needs host and guest")
        host = r.path(r.get(m, path, "host", str, ""))
        guest = r.get(m, path, "guest", str, "")
        if not os.path.isdir(host):
            raise r.error(path + ("host",), f"{host} is not a directory")
        if not guest.startswith("/"):
            raise r.error(path + ("guest",), f"{guest!r} is not an absolute path")
        mode = r.choice(m, path, "mode", ("ro", "rw"), "ro")
        out.append(MountSpec(host, guest, mode == "ro", r.get(m, path, "noexec", bool, False)))
    return out


def _net_rule(r: _Reader, value: str, path: Path) -> NetRule:
    m = re.fullmatch(r"\[([^\]]+)\]:(.+)|([^:\[\]]+):(.+)", value.strip())
    if m is None:
        raise r.error(path, f"{value!r} is not CIDR:PORT (IPv6 as [CIDR]:PORT; PORT a number, LO-HI or *)")
    addr, port = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    try:
        network = ipaddress.ip_network(addr, strict=False)
    except ValueError as exc:
        raise r.error(path, f"{value!r}: {exc}") from None
    pm = re.fullmatch(r"\*|(\d+)(?:-(\d+))?", port)
    if pm is None:
        raise r.error(path, f"{value!r}: port {port!r} is not a number, LO-HI or *")
    lo, hi = (0, 65535) if port == "*" else (int(pm.group(1)), int(pm.group(2) or pm.group(1)))
    if not 0 <= lo <= hi <= 65535:
        raise r.error(path, f"{value!r}: ports outside 0..65535")
    return NetRule(network, (lo, hi))


def _network(r: _Reader, raw: Any) -> NetworkPolicy:
    path: Path = ("network",)
    t = r.table(raw, path, ("backend", "egress", "bind"))
    net = NetworkPolicy(r.choice(t, path, "backend", BACKENDS, "host"))
    for key in ("egress", "bind"):
        if key in t:
            setattr(net, key, [_net_rule(r, v, path + (key, i)) for i, v in enumerate(r.strings(t, path, key))])
    if net.backend == "none" and (("egress" in t and net.egress) or ("bind" in t and net.bind)):
        raise r.error(path + ("backend",), "backend \"none\" allows no inet sockets, so egress and bind must be empty")
    return net


def _quotas(r: _Reader, raw: Any) -> Quotas:
    path: Path = ("quotas",)
    t = r.table(raw, path, ("memory", "processes", "threads", "open_files", "file_size", "writable_bytes",
                            "layer_bytes", "cpu_seconds"))
    cpu = r.get(t, path, "cpu_seconds", (int, float, str), Quotas.cpu_seconds)
    if cpu == "unlimited":
        cpu = None
    elif isinstance(cpu, str) or isinstance(cpu, bool) or cpu <= 0:
        raise r.error(path + ("cpu_seconds",), "must be a positive number of seconds or \"unlimited\"")
    return Quotas(processes=r.count(t, path, "processes", Quotas.processes),
                  threads=r.count(t, path, "threads", Quotas.threads),
                  open_files=r.count(t, path, "open_files", Quotas.open_files, 3, 1 << 20),
                  memory=r.size(t, path, "memory", Quotas.memory),
                  file_size=r.size(t, path, "file_size", Quotas.file_size),
                  writable_bytes=r.size(t, path, "writable_bytes", Quotas.writable_bytes),
                  layer_bytes=r.size(t, path, "layer_bytes", Quotas.layer_bytes),
                  cpu_seconds=float(cpu) if cpu is not None else None)


def _instant(r: _Reader, value: Any, path: Path) -> datetime.datetime:
    """A TOML date or date-time, or an ISO-8601 string; UTC unless it says otherwise."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise r.error(path, f"{value!r} is not a date or ISO-8601 date-time") from None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time.max)       # valid through that day
    if not isinstance(value, datetime.datetime):
        raise r.error(path, f"expected a date-time, got {value!r}")
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)


def _trusted_key(r: _Reader, raw: Any, path: Path) -> TrustedKey:
    if isinstance(raw, str):
        return TrustedKey(r.path(raw))
    k = r.table(raw, path, ("path", "not_after"))
    if "path" not in k:
        raise r.error(path, "a key needs a path")
    not_after = _instant(r, k["not_after"], path + ("not_after",)) if "not_after" in k else None
    return TrustedKey(r.path(r.get(k, path, "path", str, "")), not_after)


def _trust(r: _Reader, raw: Any) -> TrustPolicy:
    path: Path = ("trust",)
    t = r.table(raw, path, ("required", "keys", "manifests", "revoked"))
    revoked = []
    for i, value in enumerate(r.strings(t, path, "revoked")):
        revoked.append(value.lower() if re.fullmatch(r"[0-9a-fA-F]{16}", value) else r.path(value))
        if not re.fullmatch(r"[0-9a-f]{16}", revoked[-1]) and not os.path.isfile(revoked[-1]):
            raise r.error(path + ("revoked", i), f"{value!r} is neither a key id (16 hex digits) nor a key file")
    trust = TrustPolicy(r.get(t, path, "required", bool, False),
                        [_trusted_key(r, k, path + ("keys", i)) for i, k in enumerate(r.get(t, path, "keys", list, []))],
                        [r.path(m) for m in r.strings(t, path, "manifests")], revoked)
    if trust.required and not trust.keys:
        raise r.error(path + ("required",), "trust is required but no keys are listed")
    return trust


def parse(text: str, source: str = "<string>") -> Policy:
    """A validated Policy from manifest text; PolicyError on anything wrong."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        raise PolicyError(f"{source}:{m.group(1) if m else 1}: not valid TOML: {exc}") from None
    r = _Reader(text, source)
    r.table(doc, (), ("container", "syscalls", "mounts", "files", "network", "quotas", "trust"))
    policy = Policy(source=source)
    if "container" in doc:
        c = r.table(doc["container"], ("container",), ("name",))
        policy.container = r.get(c, ("container",), "name", str, "default")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}", policy.container):
            raise r.error(("container", "name"), f"{policy.container!r}: use letters, digits, '_', '.', '-'")
    if "syscalls" in doc:
        policy.syscalls = _syscalls(r, doc["syscalls"])
    if "mounts" in doc:
        policy.mounts = _mounts(r, doc["mounts"])
    if "files" in doc:
        f = r.table(doc["files"], ("files",), ("symlinks",))
        policy.symlinks = r.choice(f, ("files",), "symlinks", SYMLINK_POLICIES, "follow")
    if "network" in doc:
        policy.network = _network(r, doc["network"])
    if "quotas" in doc:
        policy.quotas = _quotas(r, doc["quotas"])
    if "trust" in doc:
        policy.trust = _trust(r, doc["trust"])
    return policy


def load(path: str) -> Policy:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise PolicyError(f"{path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: not UTF-8 text") from None
    return parse(text, path)


DEFAULT_POLICY_TOML = """\
# vkernel's default policy: what `vkemu ./prog` runs under without --policy.
# The host's root is read-only (writes go to an in-memory layer) and nothing the
# container wrote can be executed (DESIGN.md invariant 1, whatever the policy says).

[container]
name = "default"

[syscalls]
# Everything runs except the rules below; every refusal is audited.
default_action = "allow"

[[syscalls.rule]]
# Ways to new code or into other processes' memory (invariant 1), and host-kernel facilities.
names = ["ptrace", "process_vm_readv", "process_vm_writev", "io_uring_setup", "io_uring_enter",
         "io_uring_register", "kexec_load", "kexec_file_load", "init_module", "finit_module",
         "delete_module", "bpf", "perf_event_open", "userfaultfd"]
action = "errno"
errno = "EPERM"

[files]
# follow: within the container's root; refuse-outside: EACCES for a link whose target
# is on another mount than the link; refuse: ELOOP for every link in the container's
# files (the kernel's /proc and /dev links as refuse-outside).  Refusals are audited.
symlinks = "follow"

[network]
# host: sockets on the host's stack; vnet: a virtual network inside vkernel; none: only
# AF_UNIX (inet sockets fail with EAFNOSUPPORT).  connect/sendto outside egress:
# ENETUNREACH; bind outside bind: EADDRNOTAVAIL, or EACCES for a port outside (audited).  CIDR:PORT, [IPv6 CIDR]:PORT,
# PORT a number, LO-HI or *.
backend = "host"
egress = ["127.0.0.0/8:*", "[::1/128]:*"]    # loopback only
bind = ["127.0.0.0/8:*", "[::1/128]:*"]

[quotas]
# Sizes as bytes or with K/M/G/T; "unlimited" lifts a size or CPU limit.  Each hit is audited.
processes = 1024                 # live processes: fork/clone EAGAIN
threads = 1024                   # live threads: clone EAGAIN
open_files = 4096                # RLIMIT_NOFILE's hard limit: EMFILE
memory = "4G"                    # bytes mapped by all processes: mmap/mremap/fork ENOMEM, brk fails
file_size = "16G"                # RLIMIT_FSIZE's hard limit: EFBIG and SIGXFSZ
writable_bytes = "4G"            # in-memory writable layer and tmpfs: ENOSPC
layer_bytes = "4G"               # a --layer tarball, uncompressed: past it the layer is refused
cpu_seconds = 86400              # container CPU time: SIGXCPU, then SIGKILL a CPU second later

[trust]
required = false
keys = []                        # public key files, or { path = "k.pub", not_after = 2027-01-01T00:00:00Z }
revoked = []                     # key ids (16 hex digits) or public key files
"""


def default_policy() -> Policy:
    return parse(DEFAULT_POLICY_TOML, "<default>")


# -- writing ------------------------------------------------------------------------------------

def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _action_toml(action: Action, key: str, errno_key: str) -> list[str]:
    out = [f"{key} = {_q(action.kind)}"]
    if action.kind == "errno" or (action.kind == "trap" and action.errno):
        out.append(f"{errno_key} = {_q(abi.ERRNO_NAME[action.errno]) if action.errno in abi.ERRNO_NAME else action.errno}")
    return out


def to_toml(policy: Policy, header: list[str] | None = None, full: bool = False) -> str:
    """The syscall part of ``policy`` (and its container name) as manifest TOML; with
    ``full``, also what decides the run's behaviour beyond syscalls ([files],
    [network], [quotas]) so that a recording's replay runs under the same rules.
    Mounts and trust are left out: they name host files, which a replay never reads."""
    lines = [f"# {h}" if h else "#" for h in header or []]
    lines += ["", "[container]", f"name = {_q(policy.container)}", "", "[syscalls]"]
    lines += _action_toml(policy.syscalls.default, "default_action", "default_errno")
    for rule in policy.syscalls.rules:
        lines += ["", "[[syscalls.rule]]"]
        if rule.label:
            lines.append(f"# from {rule.label}")
        lines.append("names = [" + ", ".join(_q(n) for n in rule.names) + "]")
        lines += _action_toml(rule.action, "action", "errno")
        if rule.args:
            conds = []
            for c in rule.args:
                mask = f", mask = {c.mask:#x}" if c.op == "masked_eq" else ""
                conds.append(f"{{ index = {c.index}, op = {_q(c.op)}, value = {c.value:#x}{mask} }}")
            lines.append("args = [" + ", ".join(conds) + "]")
    if full:
        net, q = policy.network, policy.quotas
        lines += ["", "[files]", f"symlinks = {_q(policy.symlinks)}",
                  "", "[network]", f"backend = {_q(net.backend)}"]
        if net.backend != "none":
            lines += ["egress = [" + ", ".join(_q(str(r)) for r in net.egress) + "]",
                      "bind = [" + ", ".join(_q(str(r)) for r in net.bind) + "]"]
        lines += ["", "[quotas]"]
        for name in ("processes", "threads", "open_files", "memory", "file_size", "writable_bytes", "layer_bytes",
                     "cpu_seconds"):
            value = getattr(q, name)
            lines.append(f"{name} = {_q('unlimited') if value is None else value}")
    return "\n".join(lines) + "\n"

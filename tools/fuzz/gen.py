"""Structured, seeded generation of syscall calls from the syscall table's argument kinds.

A generated argument is a small JSON value, resolved against the live harness state
only when the call runs (tools/fuzz/driver.py), so a sequence stays meaningful when the
minimiser drops calls from it:

- ``{"int": N}``: a raw 64-bit register value.
- ``{"fd": KIND, "pick": K}``: the K-th (modulo their number) live fd of KIND, one of
  the kinds the driver classifies descriptions into (``any`` for every fd, ``closed``
  for numbers closed earlier in the sequence); -1 when there is none.
- ``{"ptr": REGION, "off": N}``: an address in a region of the harness's arena
  (``slot``, the argument's own scratch slot; ``out``, a shared writable area; ``ro``,
  ``none``, ``cross`` (a writable page followed by a PROT_NONE one, N bytes before the
  boundary), ``crossro`` (writable then read-only), ``unmapped``) or a fixed address
  (``null``, ``kernel``, ``low``, ``top``); with ``"data": HEX`` the bytes are written
  there first.  ``{"ptr": "vma", "pick": K, "off": N, "rel": "start"|"end"}`` points
  into the K-th mapping of the process.
- ``{"path": TEXT, "at": "slot"|"cross"}``: a NUL-terminated string (bytes as latin-1)
  written into the slot, or ending exactly at the PROT_NONE boundary with no NUL.

Generation is online: each call is drawn knowing the kinds of fd that are live, so
objects created earlier in a sequence feed later calls.
"""
from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field

from tools.fuzz import arena
from vkernel import abi
from vkernel.syscalls import thread as thread_calls
from vkernel.syscalls.spec import Arg
from vkernel.syscalls.table import BY_NAME, TABLE, Row

MASK64 = (1 << 64) - 1

# Calls that would end or replace the process or create another one: the in-process
# driver has no scheduler loop to carry them out.
SKIPPED = frozenset({"exit", "exit_group", "execve", "execveat", "rt_sigreturn", "fork", "vfork",
                     "clone", "clone3"})

# --families accepts the handler modules' names and these groups of them.
FAMILY_GROUPS: dict[str, tuple[str, ...]] = {
    "files": ("fs", "fd"), "memory": ("mm",), "processes": ("proc", "process"), "sockets": ("socket",),
    "signals": ("signal", "posix_timer"), "threads": ("thread",), "denied": ("table",),
}


def family_of(row: Row) -> str:
    """The handler module's last name component: fs, fd, mm, proc, signal, ..."""
    assert row.handler is not None
    return row.handler.__module__.rsplit(".", 1)[-1]


def fuzzable_rows() -> list[Row]:
    return [row for row in TABLE if row.handler is not None and row.name not in SKIPPED]


def all_families() -> list[str]:
    return sorted({family_of(row) for row in fuzzable_rows()})


class UnknownFamily(ValueError):
    """A --families name that is neither a handler module nor a group."""


def select_rows(families: list[str] | None) -> list[Row]:
    rows = fuzzable_rows()
    if not families:
        return rows
    wanted: set[str] = set()
    known = set(all_families())
    for name in families:
        if name in FAMILY_GROUPS:
            wanted.update(FAMILY_GROUPS[name])
        elif name in known:
            wanted.add(name)
        else:
            raise UnknownFamily(f"unknown family {name!r} (known: {', '.join(sorted(known | set(FAMILY_GROUPS)))})")
    return [row for row in rows if family_of(row) in wanted]


@dataclass
class Call:
    name: str
    args: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"name": self.name, "args": self.args}

    @staticmethod
    def from_json(obj: object) -> Call:
        if not isinstance(obj, dict) or not isinstance(obj.get("name"), str) or not isinstance(obj.get("args"), list):
            raise ValueError(f"not a call: {obj!r}")
        if obj["name"] not in BY_NAME:
            raise ValueError(f"unknown syscall {obj['name']!r}")
        return Call(obj["name"], list(obj["args"]))


# -- value pools -------------------------------------------------------------------------

BOUNDARY_INTS = [0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 1023, 1024, 4095, 4096, 4097,
                 8191, 8192, 65535, 65536, 1 << 20, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 32,
                 0x7FFFF000, 0x7FFFFFFFFFFFFFFF, 1 << 63, MASK64, MASK64 - 1, MASK64 - 4095, MASK64 - 4096]
SIZES = [0, 1, 2, 8, 16, 64, 4095, 4096, 4097, 8192, 12288, 65536, 1 << 20, 0x7FFFF000, 0x7FFFFFFF,
         0xFFFFFFFF, 1 << 32, 0x7FFFFFFFFFFFFFFF, 1 << 63, MASK64, MASK64 - 4095]
MODES = [0, 0o644, 0o600, 0o755, 0o777, 0o4755, 0o7777, abi.S_IFREG | 0o644, abi.S_IFDIR | 0o755,
         abi.S_IFIFO | 0o600, abi.S_IFCHR | 0o666, 0xFFFFFFFF]
FD_LITERALS = [-1, -2, abi.AT_FDCWD, 1023, 1024, 4096, 1 << 20, 0x7FFFFFFF, -(1 << 31)]
FD_KINDS_WANTED = ["any", "file", "dir", "pipe_r", "pipe_w", "dev", "proc", "opath"]

# The names a sequence makes and reuses: files, directories and symlinks in /tmp.
TMP_NAMES = [b"/tmp/f0", b"/tmp/f1", b"/tmp/d0", b"/tmp/d0/f", b"/tmp/l0", b"/tmp/l1", b"/tmp/loop"]
PATHS = [
    b"/", b".", b"..", b"", b"/etc/passwd", b"/etc", b"/etc/passwd/", b"/etc/passwd/x", b"/tmp", b"/tmp/",
    b"/tmp/../tmp/f0", b"/../../../etc/passwd", b"/tmp/./d0/../f1", b"f0", b"../tmp", b"tmp/f0",
    b"/proc", b"/proc/self", b"/proc/self/maps", b"/proc/self/status", b"/proc/self/fd", b"/proc/self/fd/3",
    b"/proc/self/exe", b"/proc/self/cwd", b"/proc/1/cmdline", b"/proc/999/stat", b"/proc/self/stat",
    b"/dev", b"/dev/null", b"/dev/zero", b"/dev/full", b"/dev/urandom", b"/dev/random", b"/dev/shm",
    b"/dev/shm/x", b"/dev/fd/0", b"/dev/stdout", b"/dev/ptmx", b"/dev/pts/0", b"/dev/tty", b"/nonexistent", b"/nonexistent/x", b"/usr/bin",
    b"/bin/sh", b"/etc/hostname", b"/tmp/f0\0ignored", b"/tmp\0/f0", b"//tmp//f0", b"/tmp/d0/f/..",
    b"/tmp/" + b"a" * 255, b"/tmp/" + b"a" * 256, b"/" + b"a" * 4094, b"/" + b"a" * 4095,
    b"/tmp/" + b"a/" * 2045, b"/tmp/" + b"b/" * 2046,
] + TMP_NAMES
XATTR_NAMES = [b"user.x", b"", b"user." + b"n" * 250, b"security.capability", b"trusted.t", b"x", b"system.posix_acl_access"]

NAMED_FLAGS_ALL = 0xFFFFFFFF


class Generator:
    """Draws calls from ``rows``; ``fd_kinds`` is the harness's live fd kinds at each call."""

    def __init__(self, rng: random.Random, rows: list[Row]) -> None:
        self.rng = rng
        self.rows = rows
        self.names = {row.name for row in rows}
        # Files and directories by name only where files are fuzzed (or nothing else
        # makes fds): a sequence of fd-only families then stays native-safe throughout
        # (tools/fuzz/guest.py).
        by_name = bool(self.names & {"open", "openat", "mkdir", "symlink"}) or not self.names & _FD_MAKERS
        self.creators = [c for c in _CREATORS if c[0] in BY_NAME and (by_name or c[1] not in _BY_NAME_CREATORS)]
        if "socketpair" in self.names:
            # Socket calls are stateful: most of them come well-formed, made for the
            # sockets the sequence holds, and socket objects feed the other families too.
            self.socket_calls = SOCKET_CREATORS
            self.creators += SOCKET_CREATORS[:3]
        else:
            self.socket_calls = []

    # -- sequences ---------------------------------------------------------------------

    def prologue(self) -> list[Call]:
        """A few creators, so that most sequences have live fds and mappings to use."""
        return [self.creator() for _ in range(self.rng.randint(2, 6))]

    def creator(self) -> Call:
        name, make = self.rng.choice(self.creators)
        return Call(name, make(self))

    def call(self, fd_kinds: set[str]) -> Call:
        """The next call: usually any selected syscall, sometimes a creator."""
        if self.rng.random() < 0.12:
            return self.creator()
        if self.socket_calls and self.rng.random() < 0.3:
            name, make = self.rng.choice(self.socket_calls)
            return Call(name, make(self))
        row = self.rng.choice(self.rows)
        return Call(row.name, [self.arg(arg, i, row, fd_kinds) for i, arg in enumerate(row.args)])

    # -- arguments by kind -------------------------------------------------------------

    def arg(self, arg: Arg, index: int, row: Row, fd_kinds: set[str]) -> dict:
        kind = arg.kind
        r = self.rng.random()
        if kind in ("fd", "dirfd"):
            return self.fd(fd_kinds, dirfd=kind == "dirfd")
        if kind == "path":
            return self.path()
        if kind == "str":
            return {"path": self.rng.choice(XATTR_NAMES).decode("latin-1"), "at": "slot"}
        if kind in ("ptr", "buf_in", "buf_out"):
            return self.pointer(data=kind != "buf_out")
        if kind == "size":
            if r < 0.35:
                return {"int": self.rng.choice([0, 1, 4, 8, 8, 16, 24, 32, 64, 128])}
            return {"int": self.rng.choice(SIZES) if r < 0.9 else self.rng.getrandbits(64)}
        if kind == "mode" or kind == "octal":
            return {"int": self.rng.choice(MODES) if r < 0.85 else self.rng.getrandbits(32)}
        if kind == "flags":
            names, accmode = arg.names  # type: ignore[misc]
            return {"int": self.flags(names, accmode)}
        if kind == "enum":
            return {"int": self.enum(arg.names)}  # type: ignore[arg-type]
        if kind == "mapflags":
            return {"int": self.mapflags()}
        if kind == "futexop":
            return {"int": self.futexop()}
        return {"int": self.integer()}

    def integer(self) -> int:
        r = self.rng.random()
        if r < 0.35:
            return self.rng.randint(0, 3)
        if r < 0.7:
            return self.rng.choice(BOUNDARY_INTS)
        if r < 0.85:
            return self.rng.randint(-16, 16) & MASK64
        if r < 0.9:
            return self.rng.getrandbits(32)
        return self.rng.getrandbits(64)

    def fd(self, fd_kinds: set[str], dirfd: bool) -> dict:
        r = self.rng.random()
        if dirfd and r < 0.3:
            return {"int": abi.AT_FDCWD & MASK64}
        if r < 0.8:
            kinds = sorted(fd_kinds | {"any"})
            if dirfd and "dir" in fd_kinds and self.rng.random() < 0.5:
                kinds = ["dir"]
            return {"fd": self.rng.choice(kinds), "pick": self.rng.randrange(8)}
        if r < 0.9:
            return {"fd": "closed", "pick": self.rng.randrange(8)}
        return {"int": self.rng.choice(FD_LITERALS) & MASK64}

    def path(self) -> dict:
        path = self.rng.choice(PATHS)
        r = self.rng.random()
        if r < 0.1:
            path += self.rng.choice([b"/", b"/.", b"/..", b"/x"])
        elif r < 0.15:
            path = b"/tmp/../" + path.lstrip(b"/")
        if self.rng.random() < 0.04:
            return {"path": path.decode("latin-1"), "at": "cross"}
        if self.rng.random() < 0.08:
            return self.pointer(data=False)
        return {"path": path.decode("latin-1"), "at": "slot"}

    def pointer(self, data: bool) -> dict:
        r = self.rng.random()
        if r < 0.4:
            ptr: dict = {"ptr": "slot", "off": self.rng.choice([0, 0, 0, 1, 7, 4096 - 8])}
            if data:
                ptr["data"] = self.soup().hex()
            return ptr
        if r < 0.55:
            return {"ptr": "out", "off": self.rng.choice([0, 0, 8, 1, 4096 - 4, 8192 - 16])}
        if r < 0.7:
            return {"ptr": "vma", "pick": self.rng.randrange(16), "rel": self.rng.choice(["start", "end"]),
                    "off": self.rng.choice([0, 0, 4096, -4096, 1, -1, 8192, -8])}
        region = self.rng.choice(["null", "null", "ro", "none", "cross", "crossro", "unmapped", "kernel",
                                  "low", "top"])
        return {"ptr": region, "off": self.rng.choice([0, 1, 4, 8, 16, 64, 4095])}

    def soup(self) -> bytes:
        """Bytes for a structure the kernel reads: words that are small numbers, sizes,
        nanoseconds, pointers into the arena and noise (iovecs, timespecs, sigactions,
        pollfds, rlimits all come out of it)."""
        r = self.rng.random()
        if r < 0.05:
            return b""
        if r < 0.1:
            return b"\xff" * self.rng.choice([8, 64, 256])
        if r < 0.15:
            return self.rng.randbytes(self.rng.choice([4, 16, 128]))
        words = []
        for _ in range(self.rng.choice([1, 2, 4, 8, 16, 32])):
            w = self.rng.random()
            if w < 0.35:
                value = self.rng.randint(0, 16)
            elif w < 0.5:
                value = self.rng.choice(SIZES)
            elif w < 0.6:
                value = self.rng.choice([999_999_999, 1_000_000_000, MASK64, 1 << 31])
            elif w < 0.8:
                value = self.rng.choice([arena.OUT_BASE, arena.OUT_BASE + 4096, arena.RO_BASE, arena.CROSS - 8])
            elif w < 0.9:
                value = self.rng.randint(-16, 0) & MASK64
            else:
                value = self.rng.getrandbits(64)
            words.append(value.to_bytes(8, "little"))
        return b"".join(words)

    def flags(self, names: tuple[tuple[int, str], ...], accmode: bool) -> int:
        r = self.rng.random()
        if r < 0.04:
            return NAMED_FLAGS_ALL
        bits = [bit for bit, _ in names]
        value = 0
        if r < 0.1:
            for bit in bits:
                value |= bit
        else:
            for bit in self.rng.sample(bits, self.rng.randint(0, min(3, len(bits)))):
                value |= bit
        if accmode:
            value |= self.rng.choice([0, 0, 1, 2, 3])
        if self.rng.random() < 0.12:
            value |= 1 << self.rng.randrange(32)
        return value

    def enum(self, names: tuple[tuple[int, str], ...]) -> int:
        if self.rng.random() < 0.8 and names:
            return self.rng.choice(names)[0] & MASK64
        top = max(value for value, _ in names) if names else 0
        return self.rng.choice([-1, top + 1, 0x7FFFFFFF, 1 << 31, 1 << 32, MASK64, self.rng.getrandbits(16)]) & MASK64

    def mapflags(self) -> int:
        value = self.rng.choice([abi.MAP_PRIVATE, abi.MAP_PRIVATE, abi.MAP_SHARED, abi.MAP_SHARED_VALIDATE, 0, 0xF])
        for bit, _ in self.rng.sample(abi.MAP_FLAG_NAMES, self.rng.randint(0, 3)):
            value |= bit
        if self.rng.random() < 0.5:
            value |= abi.MAP_ANONYMOUS
        if self.rng.random() < 0.05:
            value |= 1 << self.rng.randrange(32)
        return value

    def futexop(self) -> int:
        cmd = self.rng.choice(list(thread_calls.FUTEX_OP_NAMES)) if self.rng.random() < 0.9 else self.rng.choice([14, 0x7F])
        if self.rng.random() < 0.5:
            cmd |= thread_calls.FUTEX_PRIVATE_FLAG
        if self.rng.random() < 0.2:
            cmd |= thread_calls.FUTEX_CLOCK_REALTIME
        return cmd


# -- creators: calls with mostly valid arguments that make the objects later calls use ----

def _i(value: int) -> dict:
    return {"int": value & MASK64}


def _p(path: bytes) -> dict:
    return {"path": path.decode("latin-1"), "at": "slot"}


def _open_tmp(g: Generator) -> list[dict]:
    return [_i(abi.AT_FDCWD), _p(g.rng.choice(TMP_NAMES[:2] + [b"/tmp/d0/f"])),
            _i(abi.O_RDWR | abi.O_CREAT | g.rng.choice([0, abi.O_APPEND, abi.O_TRUNC, abi.O_NONBLOCK])), _i(0o644)]


def _open_dir(g: Generator) -> list[dict]:
    return [_p(g.rng.choice([b"/tmp", b"/", b"/etc", b"/proc", b"/dev", b"/tmp/d0", b"/proc/self/fd"])),
            _i(abi.O_RDONLY | abi.O_DIRECTORY | g.rng.choice([0, abi.O_CLOEXEC, abi.O_PATH])), _i(0)]


def _open_other(g: Generator) -> list[dict]:
    path = g.rng.choice([b"/etc/passwd", b"/dev/null", b"/dev/zero", b"/dev/full", b"/dev/urandom",
                         b"/proc/self/maps", b"/proc/self/status", b"/etc/hostname", b"/dev/ptmx"])
    return [_p(path), _i(g.rng.choice([abi.O_RDONLY, abi.O_RDWR, abi.O_WRONLY, abi.O_PATH])), _i(0)]


def _pipe(g: Generator) -> list[dict]:
    return [{"ptr": "out", "off": 0}, _i(g.rng.choice([0, abi.O_NONBLOCK, abi.O_CLOEXEC, abi.O_DIRECT]))]


def _mmap_anon(g: Generator) -> list[dict]:
    return [_i(0), _i(g.rng.choice([4096, 8192, 65536])), _i(g.rng.choice([abi.PROT_READ | abi.PROT_WRITE, abi.PROT_READ])),
            _i(abi.MAP_PRIVATE | abi.MAP_ANONYMOUS | g.rng.choice([0, 0, abi.MAP_SHARED ^ abi.MAP_PRIVATE])),
            _i(-1), _i(0)]


def _mmap_file(g: Generator) -> list[dict]:
    return [_i(0), _i(g.rng.choice([4096, 8192])), _i(g.rng.choice([abi.PROT_READ, abi.PROT_READ | abi.PROT_WRITE])),
            _i(g.rng.choice([abi.MAP_PRIVATE, abi.MAP_SHARED])), {"fd": g.rng.choice(["file", "any"]), "pick": g.rng.randrange(4)},
            _i(0)]


def _mkdir(g: Generator) -> list[dict]:
    return [_p(b"/tmp/d0"), _i(0o755)]


def _symlink(g: Generator) -> list[dict]:
    target = g.rng.choice([b"/tmp/f0", b"/tmp/d0", b"../etc/passwd", b"/tmp/loop", b"/proc/self/fd/3", b"/", b"f1"])
    return [_p(target), _p(g.rng.choice([b"/tmp/l0", b"/tmp/l1", b"/tmp/loop"]))]


def _write(g: Generator) -> list[dict]:
    data = g.rng.randbytes(g.rng.choice([1, 100, 5000]))
    return [{"fd": g.rng.choice(["file", "pipe_w", "any"]), "pick": g.rng.randrange(4)},
            {"ptr": "slot", "off": 0, "data": data.hex()}, _i(len(data))]


# -- sockets (AF_UNIX: the in-process harness has no host network) -------------------------

SOCK_KINDS = [abi.SOCK_STREAM, abi.SOCK_DGRAM, abi.SOCK_SEQPACKET]
UNIX_NAMES = [b"\0fz0", b"\0fz1", b"/tmp/s0", b"/tmp/s1", b"/mnt/rw/s0", b"/tmp/d0/s", b"\0", b"/tmp/f0"]


def _sock(g: Generator) -> dict:
    return {"fd": g.rng.choice(["sock", "sock", "any"]), "pick": g.rng.randrange(6)}


def _sockaddr(g: Generator, index: int) -> tuple[dict, dict]:
    """A sockaddr_un in the argument's slot and its length (exact, or off by a little)."""
    name = g.rng.choice(UNIX_NAMES)
    raw = struct.pack("<H", abi.AF_UNIX if g.rng.random() < 0.9 else abi.AF_INET) + name
    if not name.startswith(b"\0") and g.rng.random() < 0.7:
        raw += b"\0"
    length = len(raw) + g.rng.choice([0, 0, 0, -1, 1, -len(raw) + 2, 110 - len(raw)])
    return {"ptr": "slot", "off": 0, "data": raw.hex()}, _i(max(length, 0))


def _socketpair(g: Generator) -> list[dict]:
    kind = g.rng.choice(SOCK_KINDS) | g.rng.choice([0, 0, abi.SOCK_NONBLOCK, abi.SOCK_CLOEXEC])
    return [_i(abi.AF_UNIX), _i(kind), _i(0), {"ptr": "out", "off": g.rng.choice([0, 8, 16])}]


def _socket(g: Generator) -> list[dict]:
    return [_i(abi.AF_UNIX), _i(g.rng.choice(SOCK_KINDS) | g.rng.choice([0, abi.SOCK_NONBLOCK])), _i(0)]


def _bind(g: Generator) -> list[dict]:
    addr, length = _sockaddr(g, 1)
    return [_sock(g), addr, length]


def _listen(g: Generator) -> list[dict]:
    return [_sock(g), _i(g.rng.choice([0, 1, 5, 128, -1]))]


def _accept4(g: Generator) -> list[dict]:
    addr = g.pointer(data=False) if g.rng.random() < 0.3 else {"ptr": "out", "off": 256}
    length = {"ptr": "out", "off": 512, "data": struct.pack("<I", g.rng.choice([110, 0, 2, 1000])).hex()}
    return [_sock(g), addr, length, _i(g.rng.choice([0, abi.SOCK_NONBLOCK, abi.SOCK_CLOEXEC, 1]))]


def _msg_flags(g: Generator) -> int:
    value = g.rng.choice([0, 0, abi.MSG_DONTWAIT, abi.MSG_DONTWAIT, abi.MSG_NOSIGNAL | abi.MSG_DONTWAIT])
    if g.rng.random() < 0.3:
        value |= g.rng.choice([abi.MSG_PEEK, abi.MSG_WAITALL, abi.MSG_TRUNC, abi.MSG_OOB, abi.MSG_EOR,
                               abi.MSG_CMSG_CLOEXEC, abi.MSG_MORE, abi.MSG_ERRQUEUE])
    return value


def _sendmsg(g: Generator) -> list[dict]:
    """A msghdr in the slot of argument 1: one iovec, SCM_RIGHTS (or credentials)."""
    base = arena.slot(1)
    payload = g.rng.randbytes(g.rng.choice([0, 1, 16, 300, 5000]))
    control = b""
    r = g.rng.random()
    if r < 0.6:
        fds = [g.rng.choice([0, 1, 2, 3, 4, 5, 6, 999, -1]) for _ in range(g.rng.choice([1, 1, 2, 3, 254]))]
        control = struct.pack("<Qii", 16 + 4 * len(fds), abi.SOL_SOCKET, abi.SCM_RIGHTS) + struct.pack(f"<{len(fds)}i", *fds)
    elif r < 0.75:
        control = struct.pack("<Qii", 28, abi.SOL_SOCKET, abi.SCM_CREDENTIALS) + struct.pack("<iII", 1, 0, g.rng.choice([0, 5]))
    elif r < 0.8:
        control = struct.pack("<Qii", g.rng.choice([0, 8, 1 << 40]), abi.SOL_SOCKET, abi.SCM_RIGHTS)
    control += bytes(-len(control) % 8)
    name, namelen = (0, 0)
    if g.rng.random() < 0.2:
        name, namelen = base + 1024, 10
    header = struct.pack("<QIxxxxQQQQixxxx", name, namelen, base + 64, 1, base + 128 if control else 0,
                         len(control) if g.rng.random() < 0.9 else g.rng.choice([0, 15, len(control) + 100]), 0)
    iov = struct.pack("<QQ", base + 2048, len(payload))
    data = bytearray(2048 + len(payload))
    data[0:len(header)] = header
    data[64:64 + len(iov)] = iov
    data[128:128 + len(control)] = control[:2048 - 128]
    data[1024:1024 + 12] = struct.pack("<H", abi.AF_UNIX) + b"\0fz0" + bytes(5)
    data[2048:] = payload
    return [_sock(g), {"ptr": "slot", "off": 0, "data": bytes(data).hex()}, _i(_msg_flags(g))]


def _recvmsg(g: Generator) -> list[dict]:
    base = arena.slot(1)
    out = arena.OUT_BASE
    control_len = g.rng.choice([0, 16, 20, 24, 64, 1024, 4096])
    header = struct.pack("<QIxxxxQQQQixxxx", out + 3072 if g.rng.random() < 0.5 else 0, 110, base + 64, 1,
                         out + 1024 if control_len else 0, control_len, 0)
    iov = struct.pack("<QQ", out, g.rng.choice([0, 1, 16, 1000, 4096]))
    data = bytearray(128)
    data[0:len(header)] = header
    data[64:64 + len(iov)] = iov
    return [_sock(g), {"ptr": "slot", "off": 0, "data": bytes(data).hex()}, _i(_msg_flags(g))]


def _send(g: Generator) -> list[dict]:
    payload = g.rng.randbytes(g.rng.choice([0, 1, 100, 5000, 12000]))
    return [_sock(g), {"ptr": "slot", "off": 0, "data": payload.hex()}, _i(len(payload)), _i(_msg_flags(g)), _i(0), _i(0)]


def _recv(g: Generator) -> list[dict]:
    return [_sock(g), {"ptr": "out", "off": 0}, _i(g.rng.choice([0, 1, 100, 4096, 16384])), _i(_msg_flags(g)),
            _i(0), _i(0)]


SOCKOPTS = [abi.SO_SNDBUF, abi.SO_RCVBUF, abi.SO_PASSCRED, abi.SO_RCVTIMEO, abi.SO_SNDTIMEO, abi.SO_LINGER,
            abi.SO_TYPE, abi.SO_ERROR, abi.SO_PEERCRED, abi.SO_ACCEPTCONN, abi.SO_RCVLOWAT, abi.SO_SNDBUFFORCE,
            abi.SO_DOMAIN, abi.SO_PROTOCOL, abi.SO_REUSEADDR, abi.SO_KEEPALIVE, abi.SO_PEERSEC]


def _setsockopt(g: Generator) -> list[dict]:
    value = struct.pack("<qq", g.rng.choice([0, 1, 4096, -1, 1 << 31, 999_999]), g.rng.choice([0, 999_999, 1_000_000, -1]))
    return [_sock(g), _i(g.rng.choice([abi.SOL_SOCKET] * 4 + [0, 6, 17, 0x7FFFFFFF])), _i(g.rng.choice(SOCKOPTS)),
            {"ptr": "slot", "off": 0, "data": value.hex()}, _i(g.rng.choice([4, 8, 16, 0, 3, 1 << 31]))]


def _getsockopt(g: Generator) -> list[dict]:
    return [_sock(g), _i(abi.SOL_SOCKET), _i(g.rng.choice(SOCKOPTS)), {"ptr": "out", "off": 0},
            {"ptr": "out", "off": 512, "data": struct.pack("<i", g.rng.choice([4, 8, 16, 0, -1, 2])).hex()}]


def _shutdown(g: Generator) -> list[dict]:
    return [_sock(g), _i(g.rng.choice([0, 1, 2, 3, -1]))]


def _connect(g: Generator) -> list[dict]:
    addr, length = _sockaddr(g, 1)
    return [_sock(g), addr, length]


SOCKET_CREATORS = [("socketpair", _socketpair), ("socketpair", _socketpair), ("socket", _socket),
                   ("bind", _bind), ("listen", _listen), ("connect", _connect), ("accept4", _accept4),
                   ("sendmsg", _sendmsg), ("recvmsg", _recvmsg), ("sendto", _send), ("recvfrom", _recv),
                   ("setsockopt", _setsockopt), ("getsockopt", _getsockopt), ("shutdown", _shutdown)]

_BY_NAME_CREATORS = (_open_tmp, _open_dir, _open_other, _mkdir, _symlink)
_FD_MAKERS = frozenset({"pipe", "pipe2", "socket", "socketpair", "eventfd", "eventfd2", "epoll_create", "epoll_create1",
                        "mmap", "munmap", "mprotect", "brk"})

_CREATORS = [("openat", _open_tmp), ("open", _open_dir), ("open", _open_other), ("pipe2", _pipe),
             ("mmap", _mmap_anon), ("mmap", _mmap_file), ("mkdir", _mkdir), ("symlink", _symlink),
             ("write", _write)]

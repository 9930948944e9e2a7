"""Argument kinds of the syscall table: how a raw register becomes a handler argument
and how it is shown in a trace line.  Only the table and the trace decoder use these."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from vkernel import abi

MASK64 = 0xFFFFFFFFFFFFFFFF


def s32(raw: int) -> int:
    raw &= 0xFFFFFFFF
    return raw - (1 << 32) if raw & 0x80000000 else raw


def s64(raw: int) -> int:
    return raw - (1 << 64) if raw & (1 << 63) else raw


def u32(raw: int) -> int:
    return raw & 0xFFFFFFFF


def u64(raw: int) -> int:
    return raw


@dataclass(frozen=True)
class Arg:
    """One argument: its kind drives conversion and decoding.

    kinds: int, uint, long, ulong, fd, dirfd, ptr, size, off, mode, octal, path, str,
    buf_in (bytes the guest passes, length in arg ``size_arg``), buf_out (bytes the
    kernel fills, length = the result), flags (names in ``names``), enum (names in ``names``).
    """
    kind: str
    size_arg: int = -1
    names: object = None

    @property
    def convert(self) -> Callable[[int], int]:
        if self.kind in ("int", "fd", "dirfd", "enum"):
            return s32
        if self.kind in ("long", "off"):
            return s64
        if self.kind in ("uint", "mode", "octal", "flags"):
            return u32
        return u64


def make_invoker(handler: Callable[..., object], converters: tuple[Callable[[int], int], ...]
                 ) -> Callable[[object, Sequence[int]], object]:
    """``invoke(thread, regs)`` calling ``handler`` with converted arguments.

    ``regs`` is the syscall register batch (rax, rdi, rsi, rdx, r10, r8, r9).  One closure
    per arity keeps the hot path free of per-call loops.
    """
    c = tuple(converters) + (u64,) * (6 - len(converters))
    c1, c2, c3, c4, c5, c6 = c
    n = len(converters)
    if n == 0:
        return lambda t, r: handler(t)
    if n == 1:
        return lambda t, r: handler(t, c1(r[1]))
    if n == 2:
        return lambda t, r: handler(t, c1(r[1]), c2(r[2]))
    if n == 3:
        return lambda t, r: handler(t, c1(r[1]), c2(r[2]), c3(r[3]))
    if n == 4:
        return lambda t, r: handler(t, c1(r[1]), c2(r[2]), c3(r[3]), c4(r[4]))
    if n == 5:
        return lambda t, r: handler(t, c1(r[1]), c2(r[2]), c3(r[3]), c4(r[4]), c5(r[5]))
    return lambda t, r: handler(t, c1(r[1]), c2(r[2]), c3(r[3]), c4(r[4]), c5(r[5]), c6(r[6]))


INT = Arg("int")
UINT = Arg("uint")
LONG = Arg("long")
ULONG = Arg("ulong")
FD = Arg("fd")
DIRFD = Arg("dirfd")
PTR = Arg("ptr")
SIZE = Arg("size")
OFF = Arg("off")
MODE = Arg("mode")
PATH = Arg("path")
STR = Arg("str")


def BUF_IN(size_arg: int) -> Arg:
    return Arg("buf_in", size_arg)


def BUF_OUT(size_arg: int) -> Arg:
    return Arg("buf_out", size_arg)


def FLAGS(names: list[tuple[int, str]], accmode: bool = False) -> Arg:
    return Arg("flags", -1, (tuple(names), accmode))


def ENUM(names: dict[int, str]) -> Arg:
    return Arg("enum", -1, tuple(sorted(names.items())))


OPEN_FLAGS = FLAGS(abi.OPEN_FLAG_NAMES, accmode=True)
PIPE_FLAGS = FLAGS([(abi.O_NONBLOCK, "O_NONBLOCK"), (abi.O_DIRECT, "O_DIRECT"), (abi.O_CLOEXEC, "O_CLOEXEC"),
                    (abi.O_NOTIFICATION_PIPE, "O_NOTIFICATION_PIPE")])
AT_FLAGS = FLAGS(abi.AT_FLAG_NAMES)
PROT = FLAGS(abi.PROT_NAMES)
MAP_FLAGS = Arg("mapflags")
CLOCK = ENUM(abi.CLOCK_NAMES)
FCNTL_CMD = ENUM(abi.FCNTL_NAMES)
IOCTL_REQ = Arg("enum", -1, tuple(sorted(abi.IOCTL_NAMES.items())))
ARCH_CODE = ENUM(abi.ARCH_NAMES)
WHENCE = ENUM({0: "SEEK_SET", 1: "SEEK_CUR", 2: "SEEK_END", 3: "SEEK_DATA", 4: "SEEK_HOLE"})
SIGNAL = ENUM(abi.SIGNAL_NAMES)
RLIMIT = ENUM(dict(enumerate(abi.RLIMIT_NAMES)))
CLONE_FLAGS = Arg("cloneflags")
FUTEX_OP = Arg("futexop")
SOCK_FAMILY = ENUM(abi.AF_NAMES)
SOCK_TYPE = Arg("socktype")
MSG_FLAGS = FLAGS(abi.MSG_NAMES)
SHUT_HOW = ENUM({abi.SHUT_RD: "SHUT_RD", abi.SHUT_WR: "SHUT_WR", abi.SHUT_RDWR: "SHUT_RDWR"})


def SOCKADDR(size_arg: int) -> Arg:
    """A sockaddr the guest passes, its length in argument ``size_arg``."""
    return Arg("sockaddr", size_arg)

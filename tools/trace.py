"""strace-style trace lines, decoded from the syscall table's argument kinds."""
from __future__ import annotations

import ipaddress
import json
from typing import IO

from vkernel import abi
from vkernel.control import Block, Control, ExitGroup, ExitThread, Killed
from vkernel.errors import SyscallError
from vkernel.syscalls import thread
from vkernel.syscalls.spec import OPEN_FLAGS, Arg, s32, s64
from vkernel.syscalls.table import Row
from vkernel.task import Thread

STRING_LIMIT = 32


def quote(data: bytes, limit: int = STRING_LIMIT) -> str:
    """A C string literal as strace prints it, '...' after ``limit`` bytes."""
    out = []
    for byte in data[:limit]:
        ch = chr(byte)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif 32 <= byte < 127:
            out.append(ch)
        else:
            out.append(f"\\{byte:o}")
    return '"' + "".join(out) + '"' + ("..." if len(data) > limit else "")


def _flags(value: int, names: tuple[tuple[int, str], ...], accmode: bool, zero: str = "0") -> str:
    parts = []
    if accmode:
        parts.append({0: "O_RDONLY", 1: "O_WRONLY", 2: "O_RDWR"}.get(value & 3, str(value & 3)))
        value &= ~3
    for bit, name in names:
        if bit and value & bit == bit:
            parts.append(name)
            value &= ~bit
    if value:
        parts.append(hex(value))
    return "|".join(parts) or zero


def _mapflags(value: int) -> str:
    kind = {1: "MAP_SHARED", 2: "MAP_PRIVATE", 3: "MAP_SHARED_VALIDATE"}.get(value & 0xF, hex(value & 0xF))
    rest = _flags(value & ~0xF, tuple(abi.MAP_FLAG_NAMES), False, "")
    return kind + ("|" + rest if rest else "")


def format_arg(t: Thread, arg: Arg, raw: int, args: tuple[int, ...], result: int | Control, before: bool) -> str:
    kind = arg.kind
    mm = t.process.mm
    if kind in ("int", "fd"):
        return str(s32(raw))
    if kind == "dirfd":
        value = s32(raw)
        return "AT_FDCWD" if value == abi.AT_FDCWD else str(value)
    if kind in ("long", "off"):
        return str(s64(raw))
    if kind in ("uint", "ulong", "size"):
        return str(raw)
    if kind == "mode":
        return f"0{raw & 0o7777:o}"
    if kind == "ptr":
        return "NULL" if raw == 0 else hex(raw)
    if kind in ("path", "str"):
        if raw == 0:
            return "NULL"
        try:
            return quote(mm.read_cstring(raw, 4096), 4096 if kind == "path" else STRING_LIMIT)
        except SyscallError:
            return hex(raw)
    if kind in ("buf_in", "buf_out"):
        if kind == "buf_out" and (not isinstance(result, int) or result < 0):
            return hex(raw)
        size = args[arg.size_arg + 1]
        # A read's result may exceed its buffer (recv with MSG_TRUNC): show only the buffer.
        length = size if kind == "buf_in" else min(result, size)
        assert isinstance(length, int)
        try:
            return quote(mm.read(raw, min(length, STRING_LIMIT + 1)))
        except SyscallError:
            return hex(raw)
    if kind == "flags":
        names, accmode = arg.names  # type: ignore[misc]
        return _flags(raw & 0xFFFFFFFF, names, accmode)
    if kind == "mapflags":
        return _mapflags(raw & 0xFFFFFFFF)
    if kind == "cloneflags":
        signal = abi.SIGNAL_NAMES.get(raw & 0xFF, "")
        names = _flags(raw & ~0xFF, tuple(thread.CLONE_FLAG_NAMES), False, "")
        return "|".join(x for x in (names, signal) if x) or "0"
    if kind == "socktype":
        rest = _flags(raw & ~abi.SOCK_TYPE_MASK & 0xFFFFFFFF, tuple(abi.SOCK_TYPE_NAMES), False, "")
        base = abi.SOCK_NAMES.get(raw & abi.SOCK_TYPE_MASK, str(raw & abi.SOCK_TYPE_MASK))
        return base + ("|" + rest if rest else "")
    if kind == "sockaddr":
        length = s32(args[arg.size_arg + 1])
        if raw == 0:
            return "NULL"
        try:
            return format_sockaddr(mm.read(raw, min(max(length, 0), 128)))
        except SyscallError:
            return hex(raw)
    if kind == "futexop":
        name = thread.FUTEX_OP_NAMES.get(raw & 0x7F, str(raw & 0x7F))
        return name + ("_PRIVATE" if raw & thread.FUTEX_PRIVATE_FLAG else "") + (
            "|FUTEX_CLOCK_REALTIME" if raw & thread.FUTEX_CLOCK_REALTIME else "")
    if kind == "enum":
        table = dict(arg.names)  # type: ignore[arg-type]
        value = s32(raw) if raw & 0x80000000 and raw < 1 << 32 else raw
        return table.get(value & 0xFFFFFFFF, table.get(value, str(s32(raw))))
    return hex(raw)


NUL = b"\0"


def format_sockaddr(raw: bytes) -> str:
    """A sockaddr as strace shows it: {sa_family=AF_INET, sin_port=htons(80), ...}."""
    if len(raw) < 2:
        return "{}"
    family = int.from_bytes(raw[:2], "little")
    name = abi.AF_NAMES.get(family, str(family))
    if family == abi.AF_UNIX:
        path = raw[2:]
        if path[:1] == b"\0" and len(path) > 1:
            return f"{{sa_family={name}, sun_path=@{quote(path[1:])}}}"
        return f"{{sa_family={name}, sun_path={quote(path.split(NUL, 1)[0])}}}"
    if family == abi.AF_INET and len(raw) >= 8:
        port = int.from_bytes(raw[2:4], "big")
        ip = quote(str(ipaddress.IPv4Address(raw[4:8])).encode())
        return f"{{sa_family={name}, sin_port=htons({port}), sin_addr=inet_addr({ip})}}"
    if family == abi.AF_INET6 and len(raw) >= 24:
        port = int.from_bytes(raw[2:4], "big")
        return f"{{sa_family={name}, sin6_port=htons({port}), sin6_addr={ipaddress.IPv6Address(raw[8:24])}}}"
    return f"{{sa_family={name}, sa_data={quote(raw[2:])}}}"


# Syscalls whose result is an address, printed in hex as strace does.
_ADDRESS_RESULTS = frozenset({"brk", "mmap", "mremap", "shmat"})


def format_result(result: int | Control, address: bool = False) -> str:
    if isinstance(result, Control):
        if result.result is None:
            return "?"
        result = result.result
    if not isinstance(result, int):
        return "?"
    if -4096 < result < 0:
        err = -result
        return f"-1 {abi.ERRNO_NAME.get(err, str(err))} ({abi.ERRNO_MESSAGE.get(err, 'Unknown error')})"
    if address or result < 0:
        return hex(result & 0xFFFFFFFFFFFFFFFF)
    return str(result)


def _shown_args(row: Row, args: tuple[int, ...]) -> list[tuple[int, Arg]]:
    """The arguments strace would print: open's mode only when the flags can create."""
    out = list(enumerate(row.args))
    for i, arg in out[:-1]:
        if arg is OPEN_FLAGS and row.args[i + 1].kind == "mode" and not args[i + 1] & (abi.O_CREAT | abi.O_TMPFILE):
            del out[i + 1]
            break
    return out


def describe_args(t: Thread, row: Row, args: tuple[int, ...]) -> list[str]:
    """A call's arguments as strace prints them before it runs (for audit records)."""
    return [format_arg(t, arg, args[i + 1], args, -1, True) for i, arg in _shown_args(row, args)]


def format_line(t: Thread, row: Row, args: tuple[int, ...], result: int | Control) -> str:
    shown = ", ".join(format_arg(t, arg, args[i + 1], args, result, False) for i, arg in _shown_args(row, args))
    return f"{row.name}({shown}) = {format_result(result, row.name in _ADDRESS_RESULTS)}"


class Tracer:
    """Writes one line per syscall to ``stream``; with ``as_json``, JSON lines.

    Once a second thread exists every line starts with ``[pid TID]``, as ``strace -f``
    prints it; a call that blocks prints ``<unfinished ...>`` and its result later on a
    ``<... NAME resumed>`` line.
    """

    def __init__(self, stream: IO[str], as_json: bool = False) -> None:
        self.stream = stream
        self.as_json = as_json

    def _prefix(self, t: Thread) -> str:
        return f"[pid {t.tid:5}] " if t.process.kernel.threads_created > 1 else ""

    def __call__(self, t: Thread, row: Row, args: tuple[int, ...], result: int | Control) -> None:
        if self.as_json:
            record = {"pid": t.process.pid, "tid": t.tid, "nr": row.nr, "name": row.name,
                      "args": [format_arg(t, a, args[i + 1], args, result, False) for i, a in _shown_args(row, args)],
                      "result": result if isinstance(result, int) else None,
                      "blocked": isinstance(result, Block)}
            self.stream.write(json.dumps(record) + "\n")
            return
        prefix = self._prefix(t)
        if isinstance(result, Block):
            line = format_line(t, row, args, result).rsplit(") = ", 1)[0]
            self.stream.write(f"{prefix}{line} <unfinished ...>\n")
        else:
            self.stream.write(prefix + format_line(t, row, args, result) + "\n")
        if isinstance(result, (ExitGroup, ExitThread)):
            self.stream.write(f"{prefix}+++ exited with {result.code} +++\n")
        elif isinstance(result, Killed):
            self.stream.write(f"{prefix}+++ killed by {abi.SIGNAL_NAMES.get(result.signal, result.signal)} +++\n")
        self.stream.flush()

    def resumed(self, t: Thread, name: str, result: int) -> None:
        if self.as_json:
            self.stream.write(json.dumps({"pid": t.process.pid, "tid": t.tid, "name": name, "resumed": True,
                                          "result": result}) + "\n")
            return
        self.stream.write(f"{self._prefix(t)}<... {name} resumed>) = {format_result(result)}\n")
        self.stream.flush()

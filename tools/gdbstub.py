"""A GDB remote-protocol stub, so that a real ``gdb`` debugs a program under vkemu.

``vkemu --gdb 127.0.0.1:PORT ./prog`` listens there, waits for gdb (``target remote
:PORT``) before the program's first instruction, and serves the protocol in all-stop
mode: software breakpoints (Z0/Z1, kept out of guest memory: a CPU code hook per
address, so W^X holds), single step, continue, the amd64 registers through a target
description (general, x87, SSE, orig_rax, fs_base/gs_base), memory read and write,
threads (ids are guest tids), faults and signals reported before the guest takes them,
exit, kill and detach.  ``vkemu replay --gdb 127.0.0.1:PORT run.vkr`` serves the same
over a replay, plus reverse execution (bc/bs: reverse-continue, reverse-stepi and what
gdb builds on them) by deterministic re-execution; there, registers and memory are
read-only.

Three layers, so that the live program and a replay share the protocol:

- :class:`PacketIO`: framing, checksums and acks on a socket.
- :class:`Session`: the protocol over a :class:`Target` (registers, memory, threads,
  breakpoints).  :meth:`Session.serve` reports one stop and answers packets until gdb
  resumes, kills or detaches; what to run next is the caller's business.
- :class:`KernelTarget` and :class:`KernelDebugger`: the live backend, called from the
  kernel's scheduler loop (``vkernel.kernel.Debugger``); it turns gdb's resume requests
  into single steps and slices, and the kernel's breakpoints, faults and signals into
  stops.  :class:`ReplayTarget` and :class:`ReplayDebugger` do it for a replay,
  counting instructions instead (see "replays" below).

Malformed packets get ``E01``; unknown ones get the empty reply (unsupported).
"""
from __future__ import annotations

import gc
import os
import select
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

from tools.record import Recording, ReplaySession, ReplaySources

if TYPE_CHECKING:
    from emu.cpu import CPU
    from vkernel.kernel import Kernel
    from vkernel.task import Process, Thread

PACKET_SIZE = 0x4000
INTERRUPT = 0x03

# -- registers ----------------------------------------------------------------------------
# The remote register numbering is the order of this table, which is also the order of
# the target description and of the 'g' packet.  Names are what gdb's amd64 code expects.

@dataclass(frozen=True)
class RegDef:
    name: str
    bits: int
    type: str
    feature: str


_CORE, _SSE, _LINUX, _SEGMENTS = "core", "sse", "linux", "segments"
_GPRS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
         "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")
REGISTERS: tuple[RegDef, ...] = (
    *(RegDef(n, 64, "data_ptr" if n in ("rbp", "rsp") else "int64", _CORE) for n in _GPRS),
    RegDef("rip", 64, "code_ptr", _CORE),
    RegDef("eflags", 32, "x86_eflags", _CORE),
    *(RegDef(n, 32, "int32", _CORE) for n in ("cs", "ss", "ds", "es", "fs", "gs")),
    *(RegDef(f"st{i}", 80, "i387_ext", _CORE) for i in range(8)),
    *(RegDef(n, 32, "int", _CORE) for n in ("fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop")),
    *(RegDef(f"xmm{i}", 128, "vec128", _SSE) for i in range(16)),
    RegDef("mxcsr", 32, "x86_mxcsr", _SSE),
    RegDef("orig_rax", 64, "int", _LINUX),
    RegDef("fs_base", 64, "int", _SEGMENTS),
    RegDef("gs_base", 64, "int", _SEGMENTS),
)
REG_INDEX = {r.name: i for i, r in enumerate(REGISTERS)}

# User mode always runs with interrupts enabled; Unicorn leaves IF clear.
EFLAGS_IF = 0x200
# Linux user-mode selectors on x86-64 (__USER_CS, __USER_DS); the others are null.
USER_SELECTORS = {"cs": 0x33, "ss": 0x2B, "ds": 0, "es": 0, "fs": 0, "gs": 0}

_EFLAGS_BITS = (("CF", 0), ("", 1), ("PF", 2), ("AF", 4), ("ZF", 6), ("SF", 7), ("TF", 8), ("IF", 9),
                ("DF", 10), ("OF", 11), ("NT", 14), ("RF", 16), ("VM", 17), ("AC", 18), ("VIF", 19),
                ("VIP", 20), ("ID", 21))
_MXCSR_BITS = ("IE", "DE", "ZE", "OE", "UE", "PE", "DAZ", "IM", "DM", "ZM", "OM", "UM", "PM", "FZ")


def target_xml() -> str:
    """The target description: amd64 on GNU/Linux, the features gdb's amd64-linux code
    looks for (org.gnu.gdb.i386.core/sse/linux/segments), in REGISTERS order."""
    eflags = "".join(f'<field name="{n}" start="{b}" end="{b}"/>' for n, b in _EFLAGS_BITS)
    mxcsr = "".join(f'<field name="{n}" start="{b}" end="{b}"/>' for b, n in enumerate(_MXCSR_BITS))
    vec = ('<vector id="v8bf16" type="bfloat16" count="8"/><vector id="v4f" type="ieee_single" count="4"/>'
           '<vector id="v2d" type="ieee_double" count="2"/><vector id="v16i8" type="int8" count="16"/>'
           '<vector id="v8i16" type="int16" count="8"/><vector id="v4i32" type="int32" count="4"/>'
           '<vector id="v2i64" type="int64" count="2"/>'
           '<union id="vec128"><field name="v8_bfloat16" type="v8bf16"/><field name="v4_float" type="v4f"/>'
           '<field name="v2_double" type="v2d"/><field name="v16_int8" type="v16i8"/>'
           '<field name="v8_int16" type="v8i16"/><field name="v4_int32" type="v4i32"/>'
           '<field name="v2_int64" type="v2i64"/><field name="uint128" type="uint128"/></union>')
    types = {_CORE: f'<flags id="x86_eflags" size="4">{eflags}</flags>',
             _SSE: vec + f'<flags id="x86_mxcsr" size="4">{mxcsr}</flags>', _LINUX: "", _SEGMENTS: ""}
    parts = ['<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target version="1.0">',
             "<architecture>i386:x86-64</architecture><osabi>GNU/Linux</osabi>"]
    for feature in (_CORE, _SSE, _LINUX, _SEGMENTS):
        parts.append(f'<feature name="org.gnu.gdb.i386.{feature}">{types[feature]}')
        for num, reg in enumerate(REGISTERS):
            if reg.feature == feature:
                parts.append(f'<reg name="{reg.name}" bitsize="{reg.bits}" type="{reg.type}" regnum="{num}"/>')
        parts.append("</feature>")
    parts.append("</target>")
    return "".join(parts)


# -- signals --------------------------------------------------------------------------------
# The remote protocol numbers signals GDB's own way (include/gdb/signals.def), which
# matches Linux only for some of them.

_LINUX_TO_GDB = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 10, 8: 8, 9: 9, 10: 30, 11: 11, 12: 31, 13: 13, 14: 14,
                 15: 15, 17: 20, 18: 19, 19: 17, 20: 18, 21: 21, 22: 22, 23: 16, 24: 24, 25: 25, 26: 26,
                 27: 27, 28: 28, 29: 23, 30: 32, 31: 12, 32: 77, 64: 78}
_LINUX_TO_GDB.update({n: n + 12 for n in range(33, 64)})     # GDB_SIGNAL_REALTIME_33.. = 45..
_GDB_TO_LINUX = {g: n for n, g in _LINUX_TO_GDB.items()}
GDB_SIGNAL_UNKNOWN = 143


def gdb_signal(linux: int) -> int:
    return _LINUX_TO_GDB.get(linux, GDB_SIGNAL_UNKNOWN)


def linux_signal(gdb: int) -> int:
    return _GDB_TO_LINUX.get(gdb, 0)


# -- what the stub debugs ---------------------------------------------------------------------

class Target(Protocol):
    """What the protocol needs from a debugged program.  Register values are unsigned
    integers by REGISTERS name (st0-7: the 80-bit image as an integer)."""

    def thread_ids(self) -> list[int]: ...

    def thread_name(self, tid: int) -> str: ...

    def read_registers(self, tid: int) -> dict[str, int]: ...

    def write_registers(self, tid: int, values: dict[str, int]) -> bool:
        """False if a register cannot be written (nothing is then changed)."""

    def read_memory(self, address: int, length: int) -> bytes:
        """Up to ``length`` bytes: fewer when the range runs into unmapped memory."""

    def write_memory(self, address: int, data: bytes) -> bool: ...

    def set_breakpoints(self, addresses: set[int]) -> None: ...

    def auxv(self) -> bytes: ...


@dataclass
class Stop:
    """A stop to report: ``tid`` stopped with Linux signal ``signo``, or the program
    ended (``exit_status`` is a wait status)."""
    tid: int = 0
    signo: int = 0
    breakpoint: bool = False
    exit_status: int | None = None
    replaylog: bytes = b""         # b"begin": going back, a replay's history starts here


@dataclass
class Resume:
    """gdb's answer to a stop: run on (``step_tid``: one instruction of that thread
    first), with ``signals`` (tid -> Linux signal) to deliver; or ``kill``/``detach``;
    or, in a replay, run backwards (``reverse``: "step" one instruction of ``step_tid``,
    or "continue" to the previous breakpoint hit)."""
    step_tid: int | None = None
    signals: dict[int, int] | None = None
    kill: bool = False
    detach: bool = False
    reverse: str | None = None

    def signal_for(self, tid: int) -> int:
        return (self.signals or {}).get(tid, 0)


class ProtocolError(Exception):
    """A malformed packet: answered with E01."""


class Disconnected(Exception):
    """gdb went away."""


# -- framing ---------------------------------------------------------------------------------------

def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def escape(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        if b in b"#$}*":
            out += bytes((0x7D, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


def unescape(data: bytes) -> bytes:
    out, it = bytearray(), iter(data)
    for b in it:
        out.append(next(it, 0) ^ 0x20 if b == 0x7D else b)
    return bytes(out)


class PacketIO:
    """``$payload#cs`` packets over a connected socket, with acks until gdb turns them off."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.acks = True
        self._buf = bytearray()

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise Disconnected()
        self._buf += data

    def read_packet(self) -> bytes:
        """The next packet's payload (checksum-checked: a bad one is nacked and skipped).
        Bytes between packets (a ^C while already stopped, stray acks) are dropped."""
        while True:
            while True:
                start = self._buf.find(b"$")
                if start >= 0:
                    del self._buf[:start]
                    break
                self._buf.clear()
                self._fill()
            while (end := self._buf.find(b"#")) < 0 or len(self._buf) < end + 3:
                if len(self._buf) > 4 * PACKET_SIZE:
                    self._buf.clear()        # runaway packet: drop it
                    break
                self._fill()
            else:
                payload = bytes(self._buf[1:end])
                sent = bytes(self._buf[end + 1:end + 3])
                del self._buf[:end + 3]
                try:
                    good = int(sent, 16) == checksum(payload)
                except ValueError:
                    good = False
                if self.acks:
                    self.sock.sendall(b"+" if good else b"-")
                if good:
                    return payload

    def send(self, payload: bytes) -> None:
        self.sock.sendall(b"$%s#%02x" % (payload, checksum(payload)))
        if self.acks:
            self._wait_ack(payload)

    def _wait_ack(self, payload: bytes) -> None:
        for _ in range(5):
            while not self._buf:
                self._fill()
            mark = self._buf[0]
            del self._buf[0]
            if mark == ord("+"):
                return
            if mark == ord("-"):
                self.sock.sendall(b"$%s#%02x" % (payload, checksum(payload)))
                continue
            if mark == INTERRUPT:
                continue
            self._buf.insert(0, mark)     # a packet instead of an ack: take it as acked
            return


# -- the protocol ------------------------------------------------------------------------------------

_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


def _hex_int(text: bytes) -> int:
    """A protocol number: hex digits only (no sign, spaces or underscores)."""
    if not text or not _HEX_DIGITS.issuperset(text) or len(text) > 16:
        raise ProtocolError(text)
    return int(text, 16)


def _reg_bytes(reg: RegDef, value: int) -> bytes:
    return (value & ((1 << reg.bits) - 1)).to_bytes(reg.bits // 8, "little")


class Session:
    """One gdb connection over a :class:`Target`."""

    def __init__(self, io: PacketIO, target: Target | None, reverse: bool = False) -> None:
        self.io = io
        self.target: Target = target  # type: ignore[assignment]   # a replay sets it per pass
        self.reverse = reverse         # bc/bs are served (a replay)
        self.breakpoints: set[int] = set()
        self.g_thread = 0              # Hg: register operations' thread (0: the stopped one)
        self.c_thread = 0
        self.stop = Stop()
        self.swbreak = False           # gdb understands "swbreak" in stop replies

    # -- stops --
    def stop_reply(self, stop: Stop) -> bytes:
        if stop.exit_status is not None:
            status = stop.exit_status
            if status & 0x7F:
                return b"X%02x" % gdb_signal(status & 0x7F)
            return b"W%02x" % ((status >> 8) & 0xFF)
        reason = b"swbreak:;" if stop.breakpoint and self.swbreak else b""
        if stop.replaylog:
            reason += b"replaylog:%s;" % stop.replaylog
        return b"T%02xthread:%x;%s" % (gdb_signal(stop.signo), stop.tid, reason)

    def serve(self, stop: Stop, report: bool = True) -> Resume:
        """Report ``stop`` (unless gdb is to ask for it with '?', as on connecting) and
        answer packets until gdb resumes, kills or detaches."""
        self.stop = stop
        self.g_thread = 0
        if report:
            self.io.send(self.stop_reply(stop))
        while True:
            packet = self.io.read_packet()
            try:
                reply = self.handle(packet)
            except ProtocolError:
                reply = b"E01"
            except Exception as exc:          # a stub bug: gdb gets an error, the program lives
                print(f"vkemu: gdb stub: error on packet {packet[:40]!r}: {exc!r}", file=sys.stderr)
                reply = b"E01"
            if isinstance(reply, Resume):
                if reply.kill and packet.startswith(b"vKill"):
                    self.io.send(b"OK")
                return reply
            self.io.send(reply)
            if packet == b"QStartNoAckMode":
                self.io.acks = False
            if packet == b"D" or packet.startswith(b"D;"):
                return Resume(detach=True)

    def finish(self, stop: Stop) -> None:
        """The program ended: report it, then answer until gdb hangs up."""
        try:
            self.io.send(self.stop_reply(stop))
            self.io.sock.settimeout(5)
            while True:
                packet = self.io.read_packet()
                if packet in (b"k", b"D") or packet.startswith((b"vKill", b"D;")):
                    if packet != b"k":
                        self.io.send(b"OK")
                    return
                self.io.send(self.stop_reply(stop) if packet == b"?" else b"E01")
        except (OSError, Disconnected):
            return

    # -- packets --
    def handle(self, packet: bytes) -> bytes | Resume:
        if not packet:
            return b""
        kind, body = packet[:1], packet[1:]
        if kind == b"q" or kind == b"Q":
            return self._query(packet)
        if kind == b"?":
            return self.stop_reply(self.stop)
        if kind == b"H":
            return self._set_thread(body)
        if kind == b"T":
            return b"OK" if self._tid(body) in self.target.thread_ids() else b"E01"
        if kind == b"g":
            regs = self.target.read_registers(self._reg_tid())
            return b"".join(_reg_bytes(r, regs[r.name]) for r in REGISTERS).hex().encode()
        if kind == b"G":
            return self._write_all_registers(body)
        if kind == b"p":
            num = _hex_int(body)
            if num >= len(REGISTERS):
                return b"E01"
            reg = REGISTERS[num]
            return _reg_bytes(reg, self.target.read_registers(self._reg_tid())[reg.name]).hex().encode()
        if kind == b"P":
            num_text, eq, value = body.partition(b"=")
            num = _hex_int(num_text)
            if not eq or num >= len(REGISTERS):
                return b"E01"
            reg = REGISTERS[num]
            data = self._unhex(value)
            if len(data) != reg.bits // 8:
                return b"E01"
            return b"OK" if self.target.write_registers(self._reg_tid(),
                                                        {reg.name: int.from_bytes(data, "little")}) else b"E01"
        if kind == b"m":
            address, length = self._addr_len(body)
            data = self.target.read_memory(address, min(length, PACKET_SIZE // 2 - 16))
            return data.hex().encode() if data or not length else b"E14"
        if kind == b"M":
            head, colon, value = body.partition(b":")
            address, length = self._addr_len(head)
            data = self._unhex(value)
            if not colon or len(data) != length:
                return b"E01"
            return b"OK" if self.target.write_memory(address, data) else b"E14"
        if kind == b"X":
            head, colon, value = body.partition(b":")
            address, length = self._addr_len(head)
            data = unescape(value)
            if not colon or len(data) != length:
                return b"E01"
            return b"OK" if not length or self.target.write_memory(address, data) else b"E14"
        if kind in (b"Z", b"z"):
            return self._breakpoint(kind == b"Z", body)
        if kind in (b"c", b"s", b"C", b"S"):
            return self._legacy_resume(kind, body)
        if kind == b"v":
            return self._v_packet(packet)
        if kind == b"k":
            return Resume(kill=True)
        if kind == b"b" and self.reverse:
            if body not in (b"c", b"s"):
                raise ProtocolError(packet)
            tid = self.c_thread if self.c_thread > 0 else self.stop.tid
            return Resume(step_tid=tid, reverse="step" if body == b"s" else "continue")
        if kind == b"D":
            self.breakpoints.clear()
            self.target.set_breakpoints(set())
            return b"OK"
        return b""

    def _query(self, packet: bytes) -> bytes:
        name, _, args = packet.partition(b":")
        if name == b"qSupported":
            self.swbreak = b"swbreak+" in args.split(b";")
            return (b"PacketSize=%x;qXfer:features:read+;qXfer:auxv:read+;QStartNoAckMode+;swbreak+;"
                    b"vContSupported+" % PACKET_SIZE) + (b";ReverseStep+;ReverseContinue+" if self.reverse else b"")
        if name == b"QStartNoAckMode":
            return b"OK"                     # acks end after this reply
        if name == b"qXfer":
            return self._xfer(args)
        if packet == b"qfThreadInfo":
            return b"m" + b",".join(b"%x" % tid for tid in self.target.thread_ids())
        if packet == b"qsThreadInfo":
            return b"l"
        if packet == b"qC":
            return b"QC%x" % self.stop.tid
        if packet.startswith(b"qAttached"):
            return b"0"                      # vkemu started the program: quitting gdb kills it
        if name == b"qThreadExtraInfo" or packet.startswith(b"qThreadExtraInfo,"):
            tid = self._tid(packet.partition(b",")[2])
            if tid not in self.target.thread_ids():
                return b"E01"
            return self.target.thread_name(tid).encode().hex().encode()
        if packet == b"qSymbol::":
            return b"OK"
        return b""

    def _xfer(self, args: bytes) -> bytes:
        parts = args.split(b":")
        if len(parts) != 4 or parts[1] != b"read":
            raise ProtocolError(args)
        obj, annex, span = parts[0], parts[2], parts[3]
        offset_text, comma, length_text = span.partition(b",")
        if not comma:
            raise ProtocolError(args)
        offset, length = _hex_int(offset_text), _hex_int(length_text)
        if obj == b"features" and annex == b"target.xml":
            data = target_xml().encode()
        elif obj == b"auxv" and annex == b"":
            data = self.target.auxv()
        else:
            return b"E00"
        chunk = data[offset:offset + min(length, PACKET_SIZE // 2)]
        return (b"m" if offset + len(chunk) < len(data) else b"l") + escape(chunk)

    def _set_thread(self, body: bytes) -> bytes:
        if not body:
            raise ProtocolError(body)
        op, tid = body[:1], self._tid(body[1:])
        if tid > 0 and tid not in self.target.thread_ids():
            return b"E01"
        if op == b"g":
            self.g_thread = max(tid, 0)
        elif op == b"c":
            self.c_thread = tid
        else:
            raise ProtocolError(body)
        return b"OK"

    def _reg_tid(self) -> int:
        return self.g_thread if self.g_thread in self.target.thread_ids() else self.stop.tid

    def _write_all_registers(self, body: bytes) -> bytes:
        data = self._unhex(body)
        regs = self.target.read_registers(self._reg_tid())
        pos, changed = 0, {}
        for reg in REGISTERS:
            size = reg.bits // 8
            if pos + size > len(data):
                break
            value = int.from_bytes(data[pos:pos + size], "little")
            if value != regs[reg.name] & ((1 << reg.bits) - 1):
                changed[reg.name] = value
            pos += size
        if pos != len(data):
            return b"E01"
        return b"OK" if not changed or self.target.write_registers(self._reg_tid(), changed) else b"E01"

    def _breakpoint(self, insert: bool, body: bytes) -> bytes:
        parts = body.split(b";")[0].split(b",")
        if len(parts) != 3:
            raise ProtocolError(body)
        kind, address = parts[0], _hex_int(parts[1])
        _hex_int(parts[2])
        if kind not in (b"0", b"1"):        # watchpoints: not supported
            return b""
        if insert:
            self.breakpoints.add(address)
        else:
            self.breakpoints.discard(address)
        self.target.set_breakpoints(set(self.breakpoints))
        return b"OK"

    def _legacy_resume(self, kind: bytes, body: bytes) -> Resume:
        signo = 0
        if kind in (b"C", b"S"):
            signo = linux_signal(_hex_int(body.split(b";")[0]))
        tid = self.c_thread if self.c_thread > 0 else self.stop.tid
        step = tid if kind in (b"s", b"S") else None
        return Resume(step_tid=step, signals={self.stop.tid: signo} if signo else None)

    def _v_packet(self, packet: bytes) -> bytes | Resume:
        if packet == b"vCont?":
            return b"vCont;c;C;s;S"
        if packet.startswith(b"vCont;"):
            return self._vcont(packet[6:])
        if packet.startswith(b"vKill"):
            return Resume(kill=True)
        return b""

    def _vcont(self, actions: bytes) -> Resume:
        step, signals_ = None, {}
        for action in actions.split(b";"):
            verb, _, thread = action.partition(b":")
            if not verb or verb[:1] not in b"cCsS":
                raise ProtocolError(actions)
            tid = self._tid(thread) if thread else -1
            if verb[:1] in b"CS":
                signo = linux_signal(_hex_int(verb[1:]))
                if signo:
                    signals_[self.stop.tid if tid <= 0 else tid] = signo
            elif len(verb) != 1:
                raise ProtocolError(actions)
            if verb[:1] in b"sS" and step is None:
                step = self.stop.tid if tid <= 0 else tid
        return Resume(step_tid=step, signals=signals_)

    @staticmethod
    def _tid(text: bytes) -> int:
        """A thread id: hex, -1 (all), 0 (any), or multiprocess ``pPID.TID``."""
        if text.startswith(b"p"):
            text = text.partition(b".")[2] or b"-1"
        if text == b"-1":
            return -1
        return _hex_int(text)

    @staticmethod
    def _addr_len(text: bytes) -> tuple[int, int]:
        address, comma, length = text.partition(b",")
        if not comma:
            raise ProtocolError(text)
        return _hex_int(address), _hex_int(length)

    @staticmethod
    def _unhex(text: bytes) -> bytes:
        try:
            return bytes.fromhex(text.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            raise ProtocolError(text) from None


# -- the live backend ------------------------------------------------------------------------------

_FP_REGS = {"fctrl": "fpcw", "fstat": "fpsw", "ftag": "fptag", "fioff": "fip", "fooff": "fdp", "fop": "fop"}
_GPR_FIELDS = _GPRS + ("fs_base", "gs_base")


class KernelTarget:
    """Registers, memory and threads of one guest process (the one vkemu started)."""

    def __init__(self, kernel: Kernel, process: Process) -> None:
        self.kernel = kernel
        self.process = process
        self.breakpoints: set[int] = set()
        self._armed: object | None = None       # the CPU the breakpoints are set on
        self._auxv = self._initial_auxv()

    def _initial_auxv(self) -> bytes:
        """The auxiliary vector as the program starts (gdb relocates a static-pie by
        its AT_ENTRY): read from the initial stack, after argv and envp."""
        mm = self.process.mm
        try:
            sp = self.process.cpu.reg("rsp")
            argc = mm.read_u64(sp)
            pos = sp + 8 * (argc + 2)
            while mm.read_u64(pos):
                pos += 8
            start = pos = pos + 8
            while mm.read_u64(pos):
                pos += 16
            return mm.read(start, pos + 16 - start, check=False)
        except Exception:
            return b""

    def auxv(self) -> bytes:
        return self._auxv

    def thread(self, tid: int) -> Thread | None:
        for t in self.process.threads:
            if t.tid == tid:
                return t
        return None

    def thread_ids(self) -> list[int]:
        return [t.tid for t in self.process.threads]

    def thread_name(self, tid: int) -> str:
        t = self.thread(tid)
        state = t.state.value if t is not None else "gone"
        return f"{os.fsdecode(self.process.comm)} ({state})"

    def _with_context(self, t: Thread, op, write: bool):  # type: ignore[no-untyped-def]
        """Run ``op(cpu)`` with ``t``'s registers live in its CPU: another thread's
        context is swapped in for it and back out (saved again if ``write``)."""
        cpu = t.process.cpu
        if cpu.owner is t or t.context is None:
            return op(cpu)
        live = cpu.save_context()
        cpu.restore_context(t.context)  # type: ignore[arg-type]
        for name, value in t.start_regs.items():
            cpu.set_reg(name, value)
        try:
            result = op(cpu)
            if write:
                cpu.save_context(t.context)  # type: ignore[arg-type]
            return result
        finally:
            cpu.restore_context(live)

    def read_registers(self, tid: int) -> dict[str, int]:
        t = self.thread(tid)
        if t is None:
            return {r.name: 0 for r in REGISTERS}

        def read(cpu) -> dict[str, int]:  # type: ignore[no-untyped-def]
            gprs = cpu.get_regs()
            values = {name: getattr(gprs, name) for name in _GPR_FIELDS}
            values["eflags"] = gprs.rflags | EFLAGS_IF
            for i in range(8):
                values[f"st{i}"] = int.from_bytes(cpu.get_x87(i), "little")
            for name, uc_name in _FP_REGS.items():
                values[name] = cpu.reg(uc_name)
            for i in range(16):
                values[f"xmm{i}"] = cpu.reg(f"xmm{i}")
            values["mxcsr"] = cpu.reg("mxcsr")
            return values

        values = self._with_context(t, read, write=False)
        values.update(USER_SELECTORS, fiseg=0, foseg=0, rip=t.rip)
        # orig_rax: the syscall a thread is blocked in, else -1 (as Linux shows it).
        values["orig_rax"] = t.wait.nr if t.wait is not None and t.wait.nr >= 0 else (1 << 64) - 1
        return values

    def write_registers(self, tid: int, values: dict[str, int]) -> bool:
        t = self.thread(tid)
        fixed = {"cs", "ss", "ds", "es", "fs", "gs", "fiseg", "foseg", "orig_rax"}
        if t is None or fixed & values.keys():
            return False

        def write(cpu) -> None:  # type: ignore[no-untyped-def]
            gprs = cpu.get_regs()
            for name, value in values.items():
                if name in _GPR_FIELDS:
                    setattr(gprs, name, value)
                elif name == "eflags":
                    gprs.rflags = value & ~EFLAGS_IF
            cpu.set_regs(gprs)
            for name, value in values.items():
                if name.startswith("st"):
                    cpu.set_x87(int(name[2:]), value.to_bytes(10, "little"))
                elif name in _FP_REGS:
                    cpu.set_reg(_FP_REGS[name], value)
                elif name.startswith("xmm") or name == "mxcsr":
                    cpu.set_reg(name, value)

        self._with_context(t, write, write=True)
        for name, value in values.items():
            if name in t.start_regs:
                t.start_regs[name] = value
        if "rip" in values:
            t.rip = values["rip"]
        return True

    def read_memory(self, address: int, length: int) -> bytes:
        """As ptrace's PEEK: what is mapped, whatever the guest's protection."""
        from vkernel.errors import SyscallError
        out = bytearray()
        while len(out) < length:
            vma = self.process.mm.find(address + len(out))
            if vma is None:
                break
            n = min(length - len(out), vma.end - address - len(out))
            try:
                out += self.process.mm.read(address + len(out), n, check=False)
            except SyscallError:
                break
        return bytes(out)

    def write_memory(self, address: int, data: bytes) -> bool:
        """Data only: executable pages, and pages of attested files that were never
        writable (which could become executable later), are refused (W^X)."""
        from vkernel import abi
        mm = self.process.mm
        pos = 0
        while pos < len(data):
            vma = mm.find(address + pos)
            if vma is None or vma.prot & abi.PROT_EXEC or (vma.attested and not vma.was_writable) \
                    or not vma.may_write:
                return False
            pos = vma.end - address
        mm.write(address, data, check=False)
        return True

    def set_breakpoints(self, addresses: set[int]) -> None:
        self.breakpoints = set(addresses)
        self._armed = None
        self.arm(None)

    def arm(self, t: Thread | None) -> None:
        """Put the breakpoints on the process's current CPU (exec replaces it), except
        while a vfork child that borrows that CPU runs."""
        cpu = self.process.cpu
        if t is not None and t.process is not self.process and t.process.cpu is cpu:
            if self._armed is not None:
                self.disarm()
            return
        if cpu is not self._armed:
            cpu.set_breakpoints(self.breakpoints)
            self._armed = cpu

    def disarm(self) -> None:
        self.process.cpu.set_breakpoints(())
        self._armed = None


class KernelDebugger:
    """The kernel's debugger hook (``vkernel.kernel.Debugger``) serving one gdb session.

    Stops reach gdb from three places: :meth:`before_slice` (the stop before the
    program's first instruction), :meth:`after_slice` (a single step done) and
    :meth:`stop` (a breakpoint, a fault or a signal, which gdb may pass on or discard;
    gdb's ^C arrives as a SIGINT).  Only threads of the debugged process stop; its
    children run free, as with gdb's default detach-on-fork.
    """

    def __init__(self, kernel: Kernel, sock: socket.socket) -> None:
        process = kernel.current
        assert process is not None
        self.kernel = kernel
        self.process = process
        self.target = KernelTarget(kernel, process)
        self.session = Session(PacketIO(sock), self.target)
        self.sock = sock
        self._first = True                  # the stop before the first instruction
        self._step_tid: int | None = None
        self._stepping = False
        # gdb's ^C sends SIGINT to the program's process group, as gdbserver does; gdb
        # sees it in a stop before the program does, and by default discards it.
        self.watcher = InterruptWatcher(sock, lambda: kernel.post_host_signal(signal.SIGINT))

    # -- the kernel's hook --
    def before_slice(self, t: Thread | None) -> None:
        if self._first:
            self._first = False
            self._serve(Stop(tid=self.process.threads[0].tid, signo=5), report=False)
        if self.kernel.debugger is self:
            self.target.arm(t)

    def single_step(self, t: Thread) -> bool:
        if self._step_tid == t.tid and t.process is self.process:
            self._step_tid = None
            self._stepping = True
            return True
        return False

    def after_slice(self, t: Thread) -> None:
        if self._stepping:
            self._stepping = False
            if self.process.exit_code is None:
                tid = t.tid if self.target.thread(t.tid) is not None else self._any_tid()
                self._serve(Stop(tid=tid, signo=5))

    def stop(self, t: Thread, signo: int) -> bool:
        if t.process is not self.process or self.kernel.debugger is not self:
            return True
        self._stepping = False
        # A guest's own int3 is a SIGTRAP too, but its RIP is past it, not at a breakpoint.
        hit = signo == 5 and t.rip in self.target.breakpoints
        resume = self._serve(Stop(tid=t.tid, signo=signo, breakpoint=hit))
        return resume.signal_for(t.tid) != 0

    # -- the end --
    def exited(self, wait_status: int) -> None:
        """The program ended (vkemu calls this after the kernel's loop)."""
        if self.kernel.debugger is self:
            self.watcher.stop()
            self.session.finish(Stop(exit_status=wait_status))
            self._close()

    def _any_tid(self) -> int:
        ids = self.target.thread_ids()
        return ids[0] if ids else self.process.pid

    def _serve(self, stop: Stop, report: bool = True) -> Resume:
        self.watcher.stop()
        try:
            resume = self.session.serve(stop, report)
        except (OSError, Disconnected):
            resume = Resume(kill=True)      # gdb vanished: as gdbserver, end the program
        if resume.kill:
            for proc in list(self.kernel.processes.values()):
                if proc.exit_code is None:
                    self.kernel.kill_process(proc, 9)
            self._close()
        elif resume.detach:
            self.target.disarm()
            self._close()
        else:
            self._resume(resume)
        return resume

    def _resume(self, resume: Resume) -> None:
        self._step_tid = resume.step_tid
        # Signals for threads other than the stopped one are sent to them now.
        from vkernel import signals
        for tid, signo in (resume.signals or {}).items():
            t = self.target.thread(tid)
            if t is not None and tid != self.session.stop.tid:
                signals.send_to_thread(self.kernel, t, signals.SigInfo(signo, signals.SI_USER))
        step = self.target.thread(resume.step_tid) if resume.step_tid is not None else None
        if step is not None and step in self.kernel.sched.runq:
            # The stepped thread runs next, so a step is one instruction of it and no
            # other thread's quantum.
            self.kernel.sched.runq.remove(step)
            self.kernel.sched.runq.appendleft(step)
        self.watcher.start()

    def _close(self) -> None:
        self.watcher.stop()
        self.kernel.debugger = None
        try:
            self.sock.close()
        except OSError:
            pass


class InterruptWatcher:
    """Watches gdb's socket while the program runs, for ^C (which calls
    ``on_interrupt``); packets are left for the next stop to read."""

    def __init__(self, sock: socket.socket, on_interrupt: Callable[[], None]) -> None:
        self.sock = sock
        self.on_interrupt = on_interrupt
        self._stop: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        r, w = os.pipe2(os.O_CLOEXEC)
        self._stop = (r, w)
        self._thread = threading.Thread(target=self._watch, args=(r,), name="vkemu-gdb", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None or self._stop is None:
            return
        r, w = self._stop
        os.write(w, b"x")
        self._thread.join()
        os.close(r)
        os.close(w)
        self._thread = self._stop = None

    def _watch(self, stop_fd: int) -> None:
        while True:
            ready, _, _ = select.select([self.sock, stop_fd], [], [])
            if stop_fd in ready:
                return
            try:
                byte = self.sock.recv(1, socket.MSG_PEEK)
            except OSError:
                return
            if byte != bytes((INTERRUPT,)):
                return                      # a packet (or hang-up): read when stopped
            self.sock.recv(1)
            self.on_interrupt()



# -- replays: reverse execution by re-execution ----------------------------------------------
#
# A position in a replay is the number of instructions the debugged process has started
# since the replay began (the CPU watch counts them: CPU.set_watch).  The replay is
# deterministic, so a position names one state, and an earlier state is reached by
# running a fresh kernel from the recording up to it: a *pass*.  gdb is served from
# inside the watch, between two instructions, so a stop never cuts a slice short and
# the schedule stays the recorded one.  Every pass starts at the beginning (no
# checkpoints): a pass to a position runs without the watch, at replay speed, up to
# the loop turn it lies in (each turn's starting position is noted as passes go by),
# then counts.  reverse-stepi needs one such pass; reverse-continue one pass counting
# from the start, to find the last breakpoint reached before P, then one to it.
# Counting costs a Python call per instruction (about half a microsecond).

EXIT_KILLED = 128 + 9
EXIT_INTERNAL = 70


class EndPass(BaseException):
    """Ends a pass of a replay under gdb: ``status`` None starts the next pass, else the
    replay ends with that exit status.  A BaseException, so that no ``except Exception``
    on the way out of the kernel and vkemu's run takes it for an error."""

    def __init__(self, status: int | None = None) -> None:
        super().__init__(status)
        self.status = status


class ReplayTarget(KernelTarget):
    """The live target, read-only: a register or memory write would make the replay
    leave its recording.  Stopped inside the watch, the running thread's RIP is the
    watched instruction's (its saved one is where its slice began)."""

    def __init__(self, kernel: Kernel, process: Process) -> None:
        super().__init__(kernel, process)
        self.live: tuple[int, int] | None = None     # (tid, rip) of a stop inside the watch

    def read_registers(self, tid: int) -> dict[str, int]:
        values = super().read_registers(tid)
        if self.live is not None and self.live[0] == tid:
            values["rip"] = self.live[1]
        return values

    def write_registers(self, tid: int, values: dict[str, int]) -> bool:
        return False

    def write_memory(self, address: int, data: bytes) -> bool:
        return False

    def set_breakpoints(self, addresses: set[int]) -> None:
        self.breakpoints = set(addresses)       # checked by the watch, not set on the CPU


class ReplayDebugger:
    """The kernel's debugger hook (``vkernel.kernel.Debugger``) for a replay, serving
    one gdb connection over as many passes as reverse execution takes.

    ``mode`` says what the watch looks for: "goto" (stop at position ``at``: the first
    stop, at 0, or a position found earlier), "scan" (note the last breakpoint reached
    before ``at``, then goto it), "run" (forward to a breakpoint) and "step" (forward
    to the next instruction of ``step_tid``).  A signal or fault stops gdb before the
    program takes it, going forward only; the recording decides whether the program
    takes it, whatever gdb answers.

    Each loop turn's position and thread go in ``turns`` (the same in every pass), so
    a reverse step needs no scan (the thread's last instruction before P is P - 1, or
    the end of its previous slice), and a goto runs without the watch, at full speed,
    up to the turn it stops in.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.session = Session(PacketIO(sock), None, reverse=True)
        self.watcher = InterruptWatcher(sock, self._interrupt)
        self.shown = [0]                 # events whose guest output is echoed (see _EchoOnce)
        self.turns: dict[int, tuple[int, int]] = {}     # loop turn -> (position, tid) as it began
        self.mode, self.at = "goto", 0
        self.step_tid = 0
        self.skip: int | None = None     # a breakpoint here was just reported: run past it
        self.found: int | None = None
        self.arrival = Stop(signo=5)     # what a goto reports when it gets there
        self.first = True                # gdb asks for the first stop itself ('?')
        self.detached = False
        self.interrupted = False
        # The watch's fast path: below ``_check_from``, only an address in
        # ``_addresses`` needs a look.
        self._check_from = 0
        self._addresses: set[int] | frozenset[int] = frozenset()
        self._pass_state(None)

    def _pass_state(self, kernel: Kernel | None) -> None:
        self.kernel = kernel
        self.process: Process | None = None
        self.target: ReplayTarget | None = None
        self.position = 0
        self._cpu: CPU | None = None     # the CPU the watch is on (None: not counting yet)
        self._watch_from = 0             # the turn the watch starts at in this pass
        self.end: EndPass | None = None

    def attach(self, kernel: Kernel) -> None:
        """A pass begins with a fresh kernel (before its first process exists)."""
        self._pass_state(kernel)
        if self.mode == "goto":
            # The last turn that begins at or before the goal (positions only grow).
            self._watch_from = max((turn for turn, (pos, _) in self.turns.items() if pos <= self.at), default=0)
        if not self.detached:
            kernel.debugger = self

    def _interrupt(self) -> None:
        self.interrupted = True
        self._check_from = 0

    def _set_mode(self, mode: str, at: int) -> None:
        self.mode, self.at = mode, at
        if mode == "run":
            self._check_from, self._addresses = 1 << 64, self.session.breakpoints
        elif mode == "step":             # the next instruction of the thread, or a breakpoint
            self._check_from, self._addresses = at + 1, self.session.breakpoints
        elif mode == "scan":
            self._check_from, self._addresses = at - 1, self.session.breakpoints
        else:                            # goto: at the goal
            self._check_from, self._addresses = at, frozenset()
        if self.interrupted:
            self._check_from = 0

    # -- the kernel's hook --
    def before_slice(self, t: Thread | None) -> None:
        kernel = self.kernel
        assert kernel is not None
        if self.process is None:
            self.process = kernel.current
            assert self.process is not None
            self.target = ReplayTarget(kernel, self.process)
            self.session.target = self.target
        if self.detached:
            self._move_watch(None)
            kernel.debugger = None
            return
        if self._cpu is None:
            if kernel.point < self._watch_from:
                return                   # a goto's way there: no watch, full speed
            self.position = self.turns[kernel.point][0] if self._watch_from else 0
        if self.process.cpu is not self._cpu:      # the first turn counted, or exec gave another CPU
            self._move_watch(self.process.cpu)
        self.turns[kernel.point] = (self.position, t.tid if t is not None and t.process is self.process else 0)

    def _move_watch(self, cpu: CPU | None) -> None:
        if self._cpu is not None:
            self._cpu.set_watch(None)
        self._cpu = cpu
        if cpu is not None:
            cpu.set_watch(self._watch)

    def single_step(self, t: Thread) -> bool:
        return False                     # steps are counted by the watch, slices stay as recorded

    def after_slice(self, t: Thread) -> None:
        pass

    def stop(self, t: Thread, signo: int) -> bool:
        if self.end is not None:         # the watch ended the pass (it stopped the CPU)
            raise self.end
        if self.detached or t.process is not self.process or self.mode in ("goto", "scan"):
            return True
        self.watcher.stop()
        # A fault stops before its instruction, as the position before it does.
        here = self.position - 1 if t.process.cpu.fault is not None else self.position
        resume = self._interact(Stop(tid=t.tid, signo=signo), here)
        if self._resume(resume, here, in_watch=False):
            assert self.end is not None
            raise self.end
        return True

    def exited(self, wait_status: int) -> None:
        """The program ended (the pass's session calls this)."""
        if self.detached:
            return
        if self.mode == "scan":          # back from a stop after which nothing ran
            self._goto_found()
            raise EndPass()
        self.watcher.stop()
        self.session.finish(Stop(exit_status=wait_status))
        self.close()

    def close(self) -> None:
        self.watcher.stop()
        self.detached = True
        self._set_mode("run", 0)
        self._addresses = frozenset()
        try:
            self.sock.close()
        except OSError:
            pass

    # -- the watch: before each instruction of the debugged process's CPU --
    def _watch(self, address: int) -> bool:
        """True stops the CPU: the pass ends (``self.end``)."""
        p = self.position
        if p < self._check_from and address not in self._addresses:
            self.position = p + 1
            return False
        try:
            assert self._cpu is not None
            t: Thread | None = self._cpu.owner  # type: ignore[assignment]
            if self._wants_stop(p, t, address) and self._stop_here(t, address):
                if self.kernel is not None:
                    self.kernel.sources.wakeup.set()    # Kernel._run_to_cut stops too
                return True
        except Exception as exc:         # a stub bug: end the replay rather than lose the hook's error
            print(f"vkemu: gdb stub: error in the replay watch: {exc!r}", file=sys.stderr)
            self.end = EndPass(EXIT_INTERNAL)
            return True
        self.position = p + 1
        return False

    def _wants_stop(self, p: int, t: Thread | None, address: int) -> bool:
        mine = t is not None and t.process is self.process
        if self.detached:
            return False
        if self.mode == "scan":
            if p >= self.at:
                return True
            if mine and address in self.session.breakpoints:
                self.found = p
                return p == self.at - 1          # the last candidate: it is the answer
            return False
        if t is None or not mine:
            return False
        if self.interrupted:
            return True
        if self.mode == "goto":
            return p == self.at
        if self.mode == "step":
            return p > self.at and (t.tid == self.step_tid or address in self.session.breakpoints)
        return address in self.session.breakpoints and p != self.skip

    def _stop_here(self, t: Thread | None, address: int) -> bool:
        """Stop at the current position: serve gdb, or end the pass. True: it ends."""
        p = self.position
        if self.mode == "scan" and self.found != p:
            self._goto_found()
            self.end = EndPass()
            return True
        assert t is not None             # (only the debugged process's threads stop)
        if self.interrupted:
            stop = Stop(tid=t.tid, signo=signal.SIGINT)
        elif self.mode == "run":
            stop = Stop(tid=t.tid, signo=5, breakpoint=True)
        elif self.mode == "step":
            # (Another thread's breakpoint, or the step itself done.)
            stop = Stop(tid=t.tid, signo=5, breakpoint=t.tid != self.step_tid)
        elif self.mode == "scan":        # the scan's answer is right here
            stop = Stop(tid=t.tid, signo=5, breakpoint=True)
        else:
            stop = Stop(tid=t.tid, signo=5, breakpoint=self.arrival.breakpoint, replaylog=self.arrival.replaylog)
        self.watcher.stop()
        assert self.target is not None
        self.target.live = (t.tid, address)
        try:
            resume = self._interact(stop, p)
        finally:
            self.target.live = None
        return self._resume(resume, p, in_watch=True)

    def _goto_found(self) -> None:
        """The scan is over: the next pass goes to the breakpoint it found, or to the start."""
        self._goto(self.found, breakpoint=True)

    def _goto(self, position: int | None, breakpoint: bool = False) -> None:
        if position is None:
            self._set_mode("goto", 0)
            self.arrival = Stop(signo=5, replaylog=b"begin")
        else:
            self._set_mode("goto", position)
            self.arrival = Stop(signo=5, breakpoint=breakpoint)

    def _last_of_thread(self, tid: int, before: int) -> int | None:
        """The last position before ``before`` where thread ``tid`` ran, from the turns."""
        slices = [start_tid for _, start_tid in sorted(self.turns.items())]
        end = before                     # where the slice after this one starts (or ``before``)
        for start, who in reversed(slices):
            if who == tid and start < min(end, before):
                return min(end, before) - 1
            end = start
        return None

    def _interact(self, stop: Stop, here: int) -> Resume:
        """Report ``stop`` (at position ``here``) and take gdb's answer; going back
        from the start answers at once that history begins there."""
        report, self.first = not self.first, False
        self.interrupted = False
        while True:
            try:
                resume = self.session.serve(stop, report)
            except (OSError, Disconnected):
                return Resume(kill=True)          # gdb vanished: as gdbserver, end it
            if not (resume.reverse and here == 0):
                return resume
            stop, report = Stop(tid=stop.tid, signo=5, replaylog=b"begin"), True

    def _resume(self, resume: Resume, here: int, in_watch: bool) -> bool:
        """Set the mode for gdb's answer; True: the pass ends."""
        if resume.kill:
            self.end = EndPass(EXIT_KILLED)
            self.close()
            return True
        if resume.detach:
            self.close()                  # the replay runs on to its end, watch removed
            return False
        if resume.reverse == "step":
            self._goto(self._last_of_thread(resume.step_tid or 0, here))
            self.end = EndPass()
            return True
        if resume.reverse:
            self.found = None
            self._set_mode("scan", here)
            self.end = EndPass()
            return True
        if resume.step_tid is not None:
            self.step_tid = resume.step_tid
            self._set_mode("step", self.position)
        else:
            self._set_mode("run", 0)
            self.skip = self.position if in_watch else None
        self.watcher.start()
        return False


class _EchoOnce(ReplaySources):
    """A pass's sources: guest output is echoed once over all passes (a later pass
    runs again through writes already shown)."""

    def __init__(self, recording: Recording, echo: bool, shown: list[int]) -> None:
        super().__init__(recording, echo)
        self.wanted = echo
        self.shown = shown

    def host_write(self, kind: str, fd: int, fn: Callable[..., int], data: Sequence[bytes | memoryview],
                   *args: Any) -> int:
        self.echo = self.wanted and self.index >= self.shown[0]
        n = super().host_write(kind, fd, fn, data, *args)
        self.shown[0] = max(self.shown[0], self.index)
        return n


class _PassSession(ReplaySession):
    """One pass: a replay session whose kernel has the debugger attached."""

    def __init__(self, recording: Recording, echo: bool, program: str | None, debugger: ReplayDebugger) -> None:
        super().__init__(recording, echo, program)
        self.sources = _EchoOnce(recording, echo, debugger.shown)
        self.debugger = debugger

    def begin(self, opts: Any, kernel: Any, data: bytes, exe: bytes, argv: list[bytes], envp: list[bytes],
              cwd: bytes) -> tuple[bytes, list[bytes], list[bytes], bytes]:
        self.debugger.attach(kernel)
        return super().begin(opts, kernel, data, exe, argv, envp, cwd)

    def finish(self, wait_status: int | None) -> None:
        try:
            super().finish(wait_status)
        finally:
            self.debugger.exited(wait_status if wait_status is not None else 0)


def serve_replay(recording: Recording, spec: str, echo: bool, program: str | None = None,
                 strict: bool = False) -> int:
    """`vkemu replay --gdb HOST:PORT FILE`: wait for gdb, then replay under it, one
    pass after another; the exit status is the replay's (137 when gdb kills it)."""
    from tools.vkemu import run
    try:
        server = listen(spec)
    except (ValueError, OSError) as exc:
        print(f"vkemu: --gdb {spec}: {exc}", file=sys.stderr)
        return 2
    host, port = server.getsockname()[:2]
    print(f"vkemu: waiting for gdb on {host}:{port}", file=sys.stderr, flush=True)
    sock, _ = server.accept()
    server.close()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    debugger = ReplayDebugger(sock)
    try:
        while True:
            session = _PassSession(recording, echo, program, debugger)
            try:
                return run(session.run_options(None, None, strict), session)
            except EndPass as end:
                if end.status is not None:
                    return end.status
            gc.collect()                  # the last pass's kernel and its Unicorn instances
    finally:
        debugger.close()


def listen(spec: str) -> socket.socket:
    """A listening socket for ``HOST:PORT`` (port 0: any free port)."""
    host, colon, port = spec.rpartition(":")
    if not colon or not port.isdigit() or int(port) > 65535:
        raise ValueError("expected HOST:PORT, e.g. 127.0.0.1:1234")
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host or "127.0.0.1", int(port)))
    server.listen(1)
    return server


def attach(kernel: Kernel, server: socket.socket) -> KernelDebugger:
    """Wait for gdb on ``server`` and attach it to ``kernel``'s first process, stopped
    before its first instruction."""
    sock, _ = server.accept()
    server.close()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    debugger = KernelDebugger(kernel, sock)
    kernel.debugger = debugger
    return debugger


__all__ = ["REGISTERS", "KernelDebugger", "KernelTarget", "PacketIO", "ReplayDebugger", "ReplayTarget", "Resume",
           "Session", "Stop", "Target", "attach", "listen", "serve_replay", "target_xml"]

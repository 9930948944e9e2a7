"""The in-process driver: a real Kernel and process, syscalls entered through
``Dispatcher.dispatch`` (the same entry the CPU hook uses) with no emulation, and the
oracles checked after every call.

Each sequence runs in a fresh kernel (so a sequence file replays the same way) whose
one process runs a tiny static program that is never started: only its address space,
fd table and credentials matter.  Its stdio is closed (the fuzzer must not read the
user's terminal) and the arena of tools/fuzz/arena.py is mapped in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tools.fuzz import arena
from tools.fuzz.gen import MASK64, Call
from tools.fuzz.oracles import check_all
from vkernel import abi
from vkernel.control import Block, Control, Yield
from vkernel.errors import SyscallError
from vkernel.kernel import Dispatcher, Kernel, KernelConfig
from vkernel.memory import PAGE
from vkernel.pipe import PipeEnd
from vkernel.syscalls.table import BY_NAME
from vkernel.task import Process, Thread
from vkernel.vfs.devfs import DeviceFile
from vkernel.vfs.file import FileDescription
from vkernel.vfs.procfs import SnapshotFile

IDLE_SOURCE = Path(__file__).with_name("idle.c")

# Controls after which the process could not go on (it would exit, be killed, exec...):
# the rest of the sequence is not run.
_CONTINUING = (Block, Yield)


def build_idle() -> tuple[bytes, bytes]:
    """The fuzzed process's program (built once, cached by tools/cbuild.py)."""
    from tools.cbuild import available_variants, build
    variants = available_variants()
    path = build(IDLE_SOURCE, "musl-static" if "musl-static" in variants else variants[0])
    return path.read_bytes(), str(path).encode()


@dataclass
class Finding:
    """An oracle failed: ``kind`` is exception, bad-result, bad-errno or invariant."""
    kind: str
    syscall: str
    message: str
    traceback: str = ""

    @property
    def signature(self) -> str:
        """What makes two findings the same bug: the kind, the syscall and, for an
        exception, its type and the innermost kernel line it came from."""
        if self.kind == "exception":
            return f"exception:{self.syscall}:{_exception_site(self.traceback)}"
        return f"{self.kind}:{self.syscall}:{re.sub(r'0x[0-9a-f]+|[0-9]+', 'N', self.message)}"

    def to_json(self) -> dict:
        return {"kind": self.kind, "syscall": self.syscall, "message": self.message,
                "traceback": self.traceback, "signature": self.signature}


def _exception_site(tb: str) -> str:
    frames = re.findall(r'File "([^"]+)", line (\d+)', tb)
    last = tb.strip().splitlines()[-1] if tb.strip() else "?"
    exc_type = last.split(":", 1)[0]
    if not frames:
        return exc_type
    path, line = frames[-1]
    return f"{exc_type}@{Path(path).name}:{line}"


@dataclass
class Outcome:
    call: Call
    regs: tuple[int, ...]
    result: int | None             # the value for RAX (None for a control without one)
    control: str | None = None     # the Control's class name, when the handler returned one
    findings: list[Finding] = field(default_factory=list)

    @property
    def errno(self) -> int:
        return -self.result if self.result is not None and -4096 < self.result < 0 else 0

    @property
    def continues(self) -> bool:
        return self.control is None or self.control in ("Block", "Yield")


def _result_problem(result: int) -> str:
    """A value for RAX is a 64-bit number, or -errno for an errno the guest knows."""
    if result > MASK64:
        return f"result {result:#x} does not fit in 64 bits"
    if result < -4095:
        return f"errno {-result} outside 1..4095"
    if result < 0 and -result not in abi.ERRNO_NAME:
        return f"errno {-result} is not a Linux errno"
    return ""


def fd_kind(desc: FileDescription) -> str:
    if isinstance(desc, PipeEnd):
        return "pipe_r" if desc.readable else "pipe_w"
    if desc.flags & abi.O_PATH:
        return "opath"
    if desc.inode is not None and desc.inode.is_dir:
        return "dir"
    if isinstance(desc, DeviceFile):
        return "dev"
    if isinstance(desc, SnapshotFile):
        return "proc"
    return "file"


class Harness:
    """One fuzzed process at a time; :meth:`reset` gives a fresh kernel."""

    def __init__(self, program: tuple[bytes, bytes] | None = None) -> None:
        self.data, self.exe = program or build_idle()
        self.kernel: Kernel
        self.proc: Process
        self.thread: Thread
        self.dispatcher: Dispatcher
        self.closed: list[int] = []
        self._fds: dict[int, int] = {}
        self._layout: list[tuple[int, int, int]] = []     # the VMAs last checked against the CPU

    # -- setup -----------------------------------------------------------------------

    def reset(self) -> None:
        self.kernel = Kernel(KernelConfig(strict=False))
        self.proc = self.kernel.spawn(self.data, self.exe, [b"idle"], [b"PATH=/bin"], attested=True, cwd=b"/tmp")
        self.thread = self.proc.main_thread
        self.dispatcher = self.proc.dispatcher  # type: ignore[assignment]
        for fd in list(self.proc.fds.entries):
            self.proc.fds.close(fd)
        mm = self.proc.mm
        rw, ro = abi.PROT_READ | abi.PROT_WRITE, abi.PROT_READ
        mm.map(arena.SLOT_BASE, arena.SLOTS * arena.SLOT_SIZE, rw)
        mm.map(arena.OUT_BASE, arena.OUT_SIZE, rw)
        mm.map(arena.RO_BASE, PAGE, ro)
        mm.write(arena.RO_BASE, b"/etc/passwd\0" * 300, check=False)
        mm.map(arena.NONE_BASE, PAGE, abi.PROT_NONE)
        mm.map(arena.CROSS - PAGE, PAGE, rw)
        mm.map(arena.CROSS, PAGE, abi.PROT_NONE)
        mm.map(arena.CROSS_RO - PAGE, PAGE, rw)
        mm.map(arena.CROSS_RO, PAGE, ro)
        self.closed = []
        self._fds = {}
        self._layout = []

    def fd_kinds(self) -> set[str]:
        return {fd_kind(entry.description) for entry in self.proc.fds.entries.values()}

    # -- one call --------------------------------------------------------------------

    def resolve(self, call: Call) -> tuple[int, ...]:
        """The register batch (nr, arg1..arg6) for ``call`` in the current state."""
        row = BY_NAME[call.name]
        regs = [row.nr]
        for index, arg in enumerate(call.args[:6]):
            regs.append(self._value(arg, index) & MASK64)
        regs += [0] * (7 - len(regs))
        return tuple(regs)

    def _value(self, arg: dict, index: int) -> int:
        if "int" in arg:
            return int(arg["int"])
        if "fd" in arg:
            return self._fd(str(arg["fd"]), int(arg.get("pick", 0)))
        if "path" in arg:
            text = str(arg["path"]).encode("latin-1")
            if arg.get("at") == "cross":
                address = arena.CROSS - len(text)
                self._poke(address, text)
                return address
            address = arena.slot(index)
            self._poke(address, text + b"\0")
            return address
        if "ptr" in arg:
            return self._pointer(arg, index)
        raise ValueError(f"bad argument {arg!r}")

    def _fd(self, kind: str, pick: int) -> int:
        if kind == "closed":
            return self.closed[pick % len(self.closed)] if self.closed else 1000
        fds = sorted(fd for fd, entry in self.proc.fds.entries.items()
                     if kind == "any" or fd_kind(entry.description) == kind)
        return fds[pick % len(fds)] if fds else -1

    def _pointer(self, arg: dict, index: int) -> int:
        region, off = str(arg["ptr"]), int(arg.get("off", 0))
        if region == "slot":
            address = arena.slot(index) + off
        elif region == "out":
            address = arena.OUT_BASE + off
        elif region == "ro":
            address = arena.RO_BASE + off
        elif region == "none":
            address = arena.NONE_BASE + off
        elif region == "cross":
            address = arena.CROSS - off
        elif region == "crossro":
            address = arena.CROSS_RO - off
        elif region == "unmapped":
            address = arena.UNMAPPED + off
        elif region == "vma":
            vmas = self.proc.mm.vmas
            if not vmas:
                return 0
            vma = vmas[int(arg.get("pick", 0)) % len(vmas)]
            address = (vma.start if arg.get("rel", "start") == "start" else vma.end) + off
        elif region in arena.FIXED:
            address = arena.FIXED[region] + off
        else:
            raise ValueError(f"bad pointer region {region!r}")
        if "data" in arg:
            self._poke(address, bytes.fromhex(str(arg["data"])))
        return address

    def _poke(self, address: int, data: bytes) -> None:
        """Write the argument's bytes as the guest would have; where earlier calls
        unmapped or protected the arena, as much as the pages take."""
        try:
            self.proc.mm.write(address, data)
        except SyscallError:
            for i in range(0, len(data)):
                try:
                    self.proc.mm.write(address + i, data[i:i + 1])
                except SyscallError:
                    pass

    def run(self, call: Call) -> Outcome:
        """Enter ``call`` through the dispatcher and check every oracle afterwards."""
        regs = self.resolve(call)
        t = self.thread
        audit = self.kernel.audit.records
        seen = len(audit)
        result = self.dispatcher.dispatch(t, regs)
        findings = [Finding("exception", rec["syscall"], rec["reason"], rec["args"].get("traceback", ""))
                    for rec in audit[seen:] if rec["action"] == "kernel-bug"]
        outcome = Outcome(call, regs, None, findings=findings)
        if result.__class__ is int:
            outcome.result = result  # type: ignore[assignment]
            problem = _result_problem(result)  # type: ignore[arg-type]
            if problem:
                findings.append(Finding("bad-errno" if result < 0 else "bad-result", call.name, problem))  # type: ignore[operator]
        elif isinstance(result, Control):
            outcome.control = type(result).__name__
            outcome.result = result.result
            if isinstance(result, Block):
                self._unblock(t)
        else:
            findings.append(Finding("bad-result", call.name, f"result {result!r} is not an int or a Control"))
        self._track_fds()
        layout = [(vma.start, vma.end, vma.prot) for vma in self.proc.mm.vmas]
        problem = check_all(self.proc, mirror=layout != self._layout)
        self._layout = layout
        if problem:
            findings.append(Finding("invariant", call.name, problem))
        return outcome

    def _unblock(self, t: Thread) -> None:
        """A blocking call parked the thread: end the wait as a signal with a handler
        would (EINTR), with sigsuspend's and sigtimedwait's state undone."""
        wait = t.wait
        if wait is not None:
            wait.cancel()
            self.kernel.sched.wake(t, -abi.EINTR)
        t.pending_result = None
        t.resumed = None
        if t.saved_sigmask is not None:
            t.sigmask, t.saved_sigmask = t.saved_sigmask, None
        t.sigwait_set = 0

    def _track_fds(self) -> None:
        """Remember numbers that were closed, for ``{"fd": "closed"}``."""
        now = {fd: id(entry.description) for fd, entry in self.proc.fds.entries.items()}
        if now != self._fds:
            for fd in self._fds:
                if fd not in now:
                    self.closed.append(fd)
            self.closed = self.closed[-16:]
            self._fds = now

    def run_sequence(self, calls: list[Call]) -> list[Outcome]:
        """A fresh kernel, then ``calls`` until one ends the process."""
        self.reset()
        outcomes = []
        for call in calls:
            outcome = self.run(call)
            outcomes.append(outcome)
            if not outcome.continues:
                break
        return outcomes

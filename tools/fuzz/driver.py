"""The in-process driver: a real Kernel and process, syscalls entered through
``Dispatcher.dispatch`` (the same entry the CPU hook uses) with no emulation, and the
oracles checked after every call.

Each sequence runs in a fresh kernel (so a sequence file replays the same way) whose
one process runs a tiny static program that is never started: only its address space,
fd table and credentials matter.  Its stdio is closed (the fuzzer must not read the
user's terminal) and the arena of tools/fuzz/arena.py is mapped in.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tools.fuzz import arena
from tools.fuzz.gen import MASK64, Call
from tools.fuzz.hostaudit import HostAudit
from tools.fuzz.oracles import check_all
from vkernel import abi
from vkernel.control import Block, Control, Yield
from vkernel.errors import SyscallError
from vkernel.kernel import Dispatcher, Kernel, KernelConfig, Volume
from vkernel.memory import PAGE
from vkernel.net.socket import Socket
from vkernel.pipe import PipeEnd
from vkernel.policy.manifest import DEFAULT_POLICY_TOML, NetworkPolicy, Policy, default_policy
from vkernel.syscalls.fs import do_open
from vkernel.syscalls.table import BY_NAME, Row
from vkernel.task import Process, Thread
from vkernel.vfs.devfs import DeviceFile
from vkernel.vfs.file import FileDescription
from vkernel.vfs.procfs import SnapshotFile

IDLE_SOURCE = Path(__file__).with_name("idle.c")
DRIVER_SOURCE = Path(__file__).with_name("guest_driver.c")
# The guest driver runs no libc after its setup: no stack protector (it reads TLS).
DRIVER_FLAGS = ["-fno-stack-protector", "-fno-builtin"]

# Controls after which the process could not go on (it would exit, be killed, exec...):
# the rest of the sequence is not run.
_CONTINUING = (Block, Yield)


def _build(source: Path, flags: list[str] | None = None) -> Path:
    from tools.cbuild import available_variants, build
    variants = available_variants()
    return build(source, "musl-static" if "musl-static" in variants else variants[0], flags)


def build_idle() -> tuple[bytes, bytes]:
    """The fuzzed process's program (built once, cached by tools/cbuild.py)."""
    path = _build(IDLE_SOURCE)
    return path.read_bytes(), str(path).encode()


def build_driver() -> Path:
    """The through-guest driver (tools/fuzz/guest_driver.c), static."""
    return _build(DRIVER_SOURCE, DRIVER_FLAGS)


@dataclass
class Finding:
    """An oracle failed: ``kind`` is exception, bad-result, bad-errno, invariant,
    host-path, guest (the through-guest run disagreed) or native (the host kernel did)."""
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
    audited: bool = False          # the policy refused or logged it, or it is not implemented

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


_POINTER_KINDS = frozenset({"ptr", "path", "str", "buf_in", "buf_out", "sockaddr"})
_FD_KINDS = frozenset({"fd", "dirfd"})
# Calls that read fds or pointers the table's argument kinds do not show: fds inside
# structures (poll sets, control messages, epoll events), an id that is an fd for one
# id type (waitid's P_PIDFD) or addresses passed as integers.
_EBADF_TOO = frozenset({"select", "pselect6", "sendmsg", "sendmmsg", "close_range", "fcntl", "waitid"})
_EFAULT_TOO = frozenset({"ioctl", "prctl", "arch_prctl", "fcntl", "futex", "set_robust_list", "rseq", "keyctl",
                         "ptrace", "mremap", "madvise", "mbind", "set_mempolicy", "get_mempolicy"})


def errno_problem(row: Row, errno: int) -> str:
    """An errno the syscall cannot return, judging by what it takes: EBADF with no fd,
    EFAULT with no memory to read or write."""
    kinds = {arg.kind for arg in row.args}
    if errno == abi.EBADF and not kinds & _FD_KINDS and row.name not in _EBADF_TOO:
        return f"EBADF from {row.name}, which takes no fd"
    if errno == abi.EFAULT and not kinds & _POINTER_KINDS and row.name not in _EFAULT_TOO:
        return f"EFAULT from {row.name}, which takes no pointer"
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
    if isinstance(desc, Socket):
        return "sock"
    return "file"


class Sandbox:
    """The host side of every fuzzed container: a small root directory (the container's
    ``/``, with symlinks that try to lead out of it) and a host directory mounted
    read-write at /mnt/rw.  The host-path oracle allows exactly these two trees."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="vkemu-fuzz-")
        self._policy: Policy | None = None
        base = Path(self._dir.name)
        self.root, self.rw = base / "root", base / "rw"
        for d in ("etc", "bin", "usr/bin", "mnt/rw", "tmp", "dev", "proc"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        (self.root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
        (self.root / "etc/hostname").write_text("fuzz\n")
        (self.root / "bin/sh").write_bytes(b"#!/bin/sh\n")
        (self.root / "bin/sh").chmod(0o755)
        for name, target in (("up", "../../../../../etc/shadow"), ("abs", "/etc/passwd"), ("loop", "loop"),
                             ("etc/out", "/../../.."), ("mnt/rw/back", "../../etc")):
            os.symlink(target, self.root / name)
        self.reset_rw()

    def reset_rw(self) -> None:
        """The read-write mount as every sequence starts with it: each run (in-process,
        under vkemu) sees the same host directory."""
        shutil.rmtree(self.rw, ignore_errors=True)
        self.rw.mkdir()
        (self.rw / "f0").write_text("host file\n")
        os.symlink("/etc/shadow", self.rw / "shadow")

    def config(self) -> KernelConfig:
        if self._policy is None:
            self._policy = default_policy()          # parsed once: a kernel only reads it
            self._policy.network = NetworkPolicy(backend="none")     # AF_UNIX only: no host network
        return KernelConfig(strict=False, host_root=str(self.root), policy=self._policy,
                            volumes=[Volume(str(self.rw), "/mnt/rw", readonly=False)])

    def vkemu_args(self, policy_file: Path) -> list[str]:
        """The same container for ``vkemu``."""
        policy_file.write_text(re.sub(r'(?m)^(backend = )"host"$\n^egress = .*$\n^bind = .*$',
                                      r'\1"none"', DEFAULT_POLICY_TOML))
        return ["--root", str(self.root), "-v", f"{self.rw}:/mnt/rw:rw", "--policy", str(policy_file)]

    def roots(self) -> list[str]:
        return [str(self.root), str(self.rw)]


class Harness:
    """One fuzzed process at a time; :meth:`reset` gives a fresh kernel.  With
    ``guest=True`` the process is the through-guest driver's (tools/fuzz/guest.py plans
    sequences with it): its program, its private region and its report fd."""

    def __init__(self, program: tuple[bytes, bytes] | None = None, guest: bool = False) -> None:
        self.guest = guest
        if guest and program is None:
            path = build_driver()
            program = path.read_bytes(), str(path).encode()
        self.data, self.exe = program or build_idle()
        self.sandbox = Sandbox()
        self.audit = HostAudit(self.sandbox.roots())
        self.kernel: Kernel
        self.proc: Process
        self.thread: Thread
        self.dispatcher: Dispatcher
        self.closed: list[int] = []
        self.pokes: list[tuple[int, bytes]] = []       # the last call's argument bytes, as written
        self._fds: dict[int, int] = {}
        self._layout: list[tuple[int, int, int]] = []     # the VMAs last checked against the CPU

    # -- setup -----------------------------------------------------------------------

    def reset(self) -> None:
        self.sandbox.reset_rw()
        self.kernel = Kernel(self.sandbox.config())
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
        mm.write(arena.RO_BASE, arena.RO_CONTENT, check=False)
        mm.map(arena.NONE_BASE, PAGE, abi.PROT_NONE)
        mm.map(arena.CROSS - PAGE, PAGE, rw)
        mm.map(arena.CROSS, PAGE, abi.PROT_NONE)
        mm.map(arena.CROSS_RO - PAGE, PAGE, rw)
        mm.map(arena.CROSS_RO, PAGE, ro)
        if self.guest:
            # As the driver leaves itself after its setup: its region, stdout on fd 1000.
            mm.map(arena.PRIV, arena.PRIV_SIZE, rw)
            self.report = do_open(self.thread, abi.AT_FDCWD, b"/dev/null", abi.O_WRONLY, 0)
            self.dispatcher.dispatch(self.thread, (BY_NAME["dup2"].nr, self.report, arena.REPORT_FD, 0, 0, 0, 0))
            self.proc.fds.close(self.report)
            self.report_desc = self.proc.fds.entries[arena.REPORT_FD].description
        self.closed = []
        self._fds = {}
        self._layout = []

    def fd_kinds(self) -> set[str]:
        return {fd_kind(entry.description) for entry in self.proc.fds.entries.values()}

    # -- one call --------------------------------------------------------------------

    def resolve(self, call: Call) -> tuple[int, ...]:
        """The register batch (nr, arg1..arg6) for ``call`` in the current state."""
        row = BY_NAME[call.name]
        self.pokes = []
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
            return self.closed[pick % len(self.closed)] if self.closed else 999
        fds = sorted(fd for fd, entry in self.proc.fds.entries.items()
                     if (kind == "any" or fd_kind(entry.description) == kind) and fd != arena.REPORT_FD)
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
            vmas = [vma for vma in self.proc.mm.vmas if not arena.PRIV <= vma.start < arena.PRIV + arena.PRIV_SIZE]
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
        unmapped or protected the arena, as much as the pages take (page by page:
        permissions are per page)."""
        try:
            self.proc.mm.write(address, data)
            self.pokes.append((address, data))
            return
        except SyscallError:
            pass
        pos = 0
        while pos < len(data):
            chunk = data[pos:pos + PAGE - (address + pos) % PAGE]
            try:
                self.proc.mm.write(address + pos, chunk)
            except SyscallError:
                pos += len(chunk)
                continue
            last = self.pokes[-1] if self.pokes else None
            if last is not None and last[0] + len(last[1]) == address + pos:
                self.pokes[-1] = (last[0], last[1] + chunk)
            else:
                self.pokes.append((address + pos, chunk))
            pos += len(chunk)

    def run(self, call: Call) -> Outcome:
        """Enter ``call`` through the dispatcher and check every oracle afterwards."""
        regs = self.resolve(call)
        row = BY_NAME[call.name]
        t = self.thread
        audit = self.kernel.audit.records
        seen = len(audit)
        with self.audit:
            result = self.dispatcher.dispatch(t, regs)
        findings = [Finding("exception", rec["syscall"], rec["reason"], rec["args"].get("traceback", ""))
                    for rec in audit[seen:] if rec["action"] == "kernel-bug"]
        outcome = Outcome(call, regs, None, findings=findings,
                          audited=any(rec["action"] != "kernel-bug" for rec in audit[seen:]))
        if result.__class__ is int:
            outcome.result = result  # type: ignore[assignment]
            problem = _result_problem(result) or errno_problem(row, outcome.errno)  # type: ignore[arg-type]
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
        for problem in self.audit.take():
            findings.append(Finding("host-path", call.name, problem))
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

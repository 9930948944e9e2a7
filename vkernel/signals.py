"""Signals: generation, pending queues, and delivery through Linux-exact x86-64 frames.

Invariants:
- A signal is queued on a thread (tkill, faults) or on its process (kill, timers,
  SIGCHLD).  Standard signals (< SIGRTMIN) are pending at most once; real-time ones queue.
- A signal whose action is "ignore" is discarded when generated, unless blocked.
- Delivery happens only in the scheduler loop: after a syscall that left a deliverable
  signal, and before a thread runs.  ``attention`` is the one flag the syscall hot path
  reads; anything that may make a signal deliverable sets it.
- The frame is the kernel's ``rt_sigframe``: pretcode (SA_RESTORER), ``ucontext``
  (sigcontext, FXSAVE state, saved mask, altstack) and ``siginfo``, with the stack
  aligned as ``get_sigframe`` does, so libc's ucontext readers see the right values.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emu import Regs
from vkernel import abi

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.task import Process, Thread

SIG_DFL, SIG_IGN = 0, 1
SA_NOCLDSTOP, SA_NOCLDWAIT, SA_SIGINFO = 0x1, 0x2, 0x4
SA_RESTORER, SA_ONSTACK, SA_RESTART = 0x04000000, 0x08000000, 0x10000000
SA_NODEFER, SA_RESETHAND = 0x40000000, 0x80000000
SS_ONSTACK, SS_DISABLE, SS_AUTODISARM = 1, 2, 1 << 31
MINSIGSTKSZ = 2048
SIGRTMIN = 32
SI_USER, SI_KERNEL, SI_QUEUE, SI_TIMER, SI_TKILL = 0, 0x80, -1, -2, -6
SEGV_MAPERR, SEGV_ACCERR = 1, 2
CLD_EXITED, CLD_KILLED, CLD_DUMPED = 1, 2, 3
UNBLOCKABLE = (1 << (abi.SIGKILL - 1)) | (1 << (19 - 1))
STOP_SIGNALS = frozenset({19, 20, 21, 22})
CONT = 18

REDZONE = 128
FXSAVE_SIZE = 512
UCONTEXT_SIZE = 304          # uc_flags, uc_link, uc_stack, sigcontext, uc_sigmask
SIGINFO_SIZE = 128
FRAME_SIZE = 8 + UCONTEXT_SIZE + SIGINFO_SIZE
UC_SIGCONTEXT_SS, UC_STRICT_RESTORE_SS = 0x2, 0x4
USER_CS, USER_SS = 0x33, 0x2B
# EFLAGS bits a signal return may change (Linux's FIX_EFLAGS).
FIX_EFLAGS = 0x40DD5
_SIGCONTEXT_REGS = ("r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rdi", "rsi", "rbp", "rbx",
                    "rdx", "rax", "rcx", "rsp", "rip")


def bit(sig: int) -> int:
    return 1 << (sig - 1)


@dataclass
class SigInfo:
    signo: int
    code: int = SI_USER
    errno: int = 0
    pid: int = 0
    uid: int = 0
    status: int = 0           # SIGCHLD
    addr: int = 0             # faults
    value: int = 0            # sigqueue / timers
    timer_id: int = 0
    overrun: int = 0
    raw: bytes | None = None  # rt_sigqueueinfo: the caller's own bytes

    def pack(self) -> bytes:
        if self.raw is not None:
            return self.raw[:SIGINFO_SIZE].ljust(SIGINFO_SIZE, b"\0")
        head = struct.pack("<iii4x", self.signo, self.errno, self.code)
        if self.signo in (abi.SIGSEGV, abi.SIGBUS, abi.SIGILL, abi.SIGFPE, abi.SIGTRAP) and self.code > 0:
            body = struct.pack("<Q", self.addr)
        elif self.code == SI_TIMER:
            body = struct.pack("<iiQ", self.timer_id, self.overrun, self.value)
        elif self.signo == abi.SIGCHLD and self.code > 0:
            body = struct.pack("<IIiqq", self.pid, self.uid, self.status, 0, 0)
        else:
            body = struct.pack("<IIQ", self.pid, self.uid, self.value)
        return (head + body).ljust(SIGINFO_SIZE, b"\0")


# -- dispositions ------------------------------------------------------------------------

def default_ignores(sig: int) -> bool:
    return sig in abi.IGNORED_BY_DEFAULT or sig == CONT or sig in STOP_SIGNALS


def ignored(proc: Process, sig: int) -> bool:
    action = proc.sigactions.get(sig)
    handler = action.handler if action is not None else SIG_DFL
    return handler == SIG_IGN or (handler == SIG_DFL and default_ignores(sig))


# -- generation -----------------------------------------------------------------------------

def send_to_process(kernel: Kernel, proc: Process, info: SigInfo) -> None:
    """kill(2)'s delivery: queue on the process, wake a thread that can take it."""
    sig = info.signo
    if proc.exit_code is not None or not proc.threads:
        return
    if sig == abi.SIGKILL:
        kernel.kill_process(proc, sig)
        return
    if ignored(proc, sig) and not all(t.sigmask & bit(sig) for t in proc.threads):
        return
    if sig < SIGRTMIN and any(p.signo == sig for p in proc.pending):
        return
    proc.pending.append(info)
    for t in proc.threads:
        t.attention = True
    waiter = next((t for t in proc.threads if t.sigwait_set & bit(sig)), None)
    if waiter is not None:
        kernel.interrupt(waiter, 0)
        return
    target = next((t for t in proc.threads if not t.sigmask & bit(sig)), None)
    if target is not None:
        kernel.interrupt(target, sig)


def send_to_thread(kernel: Kernel, t: Thread, info: SigInfo) -> None:
    """tkill(2), faults, SIGPIPE: queue on one thread."""
    sig = info.signo
    proc = t.process
    if proc.exit_code is not None:
        return
    if sig == abi.SIGKILL:
        kernel.kill_process(proc, sig)
        return
    if ignored(proc, sig) and not t.sigmask & bit(sig):
        return
    if sig < SIGRTMIN and any(p.signo == sig for p in t.pending):
        return
    t.pending.append(info)
    t.attention = True
    if t.sigwait_set & bit(sig):
        kernel.interrupt(t, 0)
    elif not t.sigmask & bit(sig):
        kernel.interrupt(t, sig)


def pending_mask(t: Thread) -> int:
    mask = 0
    for info in t.pending:
        mask |= bit(info.signo)
    for info in t.process.pending:
        mask |= bit(info.signo)
    return mask


def next_signal(t: Thread, blocked: int | None = None) -> int:
    """The lowest-numbered pending signal ``t`` does not block (0 if none)."""
    deliverable = pending_mask(t) & ~(t.sigmask if blocked is None else blocked)
    return (deliverable & -deliverable).bit_length() if deliverable else 0


def dequeue(t: Thread, sig: int) -> SigInfo:
    for queue in (t.pending, t.process.pending):
        for i, info in enumerate(queue):
            if info.signo == sig:
                return queue.pop(i)
    raise KeyError(sig)


def handler_restarts(t: Thread, sig: int) -> bool:
    """Whether a syscall interrupted by ``sig`` restarts (no handler, or SA_RESTART)."""
    action = t.process.sigactions.get(sig)
    if action is None or action.handler in (SIG_DFL, SIG_IGN):
        return True
    return bool(action.flags & SA_RESTART)


# -- delivery ----------------------------------------------------------------------------------

def on_altstack(t: Thread, sp: int) -> bool:
    base, size = t.altstack[0], t.altstack[2]
    return size > 0 and base < sp <= base + size


def build_frame(t: Thread, info: SigInfo, regs: Regs, fxsave: bytes, fault: tuple[int, int, int] = (0, 0, 0)
                ) -> Regs:
    """Write the rt_sigframe for ``info`` and return the registers the handler starts with.

    ``fault`` is (trapno, error code, cr2) for synchronous faults.  Raises SyscallError
    (EFAULT) when the stack cannot take the frame: the caller then kills the process
    with SIGSEGV, as Linux's force_sigsegv does."""
    proc = t.process
    action = proc.sigactions[info.signo]
    mm = proc.mm
    sp = regs.rsp
    ss_sp, ss_flags, ss_size = t.altstack
    onstack = on_altstack(t, sp)
    if action.flags & SA_ONSTACK and ss_size and not onstack:
        sp = ss_sp + ss_size
        if ss_flags & SS_AUTODISARM:
            t.altstack = (0, SS_DISABLE, 0)
    else:
        sp -= REDZONE
    fp_addr = (sp - FXSAVE_SIZE) & ~63
    frame = ((fp_addr - FRAME_SIZE) & ~15) - 8
    uc_stack_flags = SS_DISABLE if not ss_size else (SS_ONSTACK if onstack else 0)
    trapno, err, cr2 = fault
    greg_values = [getattr(regs, name) for name in _SIGCONTEXT_REGS]
    # The mask to restore: sigsuspend's saved mask when it is the interrupted call.
    old_mask = t.saved_sigmask if t.saved_sigmask is not None else t.sigmask
    t.saved_sigmask = None
    sigcontext = struct.pack("<17QQHHHHQQQQQ64x", *greg_values, regs.rflags, USER_CS, 0, 0, USER_SS,
                             err, trapno, old_mask & 0xFFFFFFFF, cr2, fp_addr)
    ucontext = struct.pack("<QQQi4xQ", UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS, 0, ss_sp, uc_stack_flags,
                           ss_size) + sigcontext + struct.pack("<Q", old_mask)
    assert len(ucontext) == UCONTEXT_SIZE
    mm.write(fp_addr, fxsave)
    mm.write(frame, struct.pack("<Q", action.restorer) + ucontext + info.pack())
    new = Regs(**{name: getattr(regs, name) for name in Regs.__dataclass_fields__})
    new.rsp, new.rip = frame, action.handler
    new.rdi, new.rsi, new.rdx, new.rax = info.signo, frame + 8 + UCONTEXT_SIZE, frame + 8, 0
    new.rflags &= ~(0x400 | 0x100)           # DF and TF clear in the handler
    t.sigmask = old_mask | action.mask
    if not action.flags & SA_NODEFER:
        t.sigmask |= bit(info.signo)
    t.sigmask &= ~UNBLOCKABLE
    if action.flags & SA_RESETHAND:
        action.handler, action.flags = SIG_DFL, action.flags & ~SA_SIGINFO
    return new


def restore_frame(t: Thread, regs: Regs) -> tuple[Regs, bytes | None]:
    """rt_sigreturn: registers, mask and altstack from the ucontext at RSP.

    Returns the registers to resume with and the FXSAVE image to load (None when the
    frame has no FPU state).  EFAULT if the frame is not readable."""
    mm = t.process.mm
    uc = regs.rsp
    _flags, _link, ss_sp, ss_flags, ss_size = struct.unpack("<QQQi4xQ", mm.read(uc, 40))
    values = struct.unpack("<17QQHHHHQQQQQ", mm.read(uc + 40, 192))
    mask = mm.read_u64(uc + 40 + 256)
    new = Regs(**{name: getattr(regs, name) for name in Regs.__dataclass_fields__})
    for name, value in zip(_SIGCONTEXT_REGS, values[:17]):
        setattr(new, name, value)
    new.rflags = (regs.rflags & ~FIX_EFLAGS) | (values[17] & FIX_EFLAGS)
    fp_addr = values[-1]
    fxsave = mm.read(fp_addr, FXSAVE_SIZE) if fp_addr else None
    t.sigmask = mask & ~UNBLOCKABLE
    t.altstack = (0, SS_DISABLE, 0) if ss_flags & SS_DISABLE else (ss_sp, ss_flags & SS_AUTODISARM, ss_size)
    return new, fxsave

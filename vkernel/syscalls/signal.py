"""Signal syscalls, partial: dispositions and masks are kept, and a signal a process sends
itself takes its default action.  Handlers and frames come with the signals issue."""
from __future__ import annotations

import struct

from vkernel import abi
from vkernel.control import Killed
from vkernel.errors import SyscallError
from vkernel.task import SigAction, Thread

SIG_DFL, SIG_IGN = 0, 1
SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK = 0, 1, 2
_UNBLOCKABLE = (1 << (abi.SIGKILL - 1)) | (1 << (19 - 1))


def sys_rt_sigaction(t: Thread, sig: int, act: int, oact: int, sigsetsize: int) -> int:
    """rt_sigaction(2): records the disposition."""
    if sigsetsize != 8 or not 1 <= sig <= 64:
        raise SyscallError(abi.EINVAL)
    actions = t.process.sigactions
    old = actions.get(sig, SigAction())
    new = None
    if act:
        handler, flags, restorer, mask = struct.unpack("<QQQQ", t.process.mm.read(act, 32))
        if sig in (abi.SIGKILL, 19):
            raise SyscallError(abi.EINVAL)
        new = SigAction(handler, flags, restorer, mask)
    if oact:
        t.process.mm.write(oact, struct.pack("<QQQQ", old.handler, old.flags, old.restorer, old.mask))
    if new is not None:
        actions[sig] = new
    return 0


def sys_rt_sigprocmask(t: Thread, how: int, set_ptr: int, oset: int, sigsetsize: int) -> int:
    """rt_sigprocmask(2)."""
    if sigsetsize != 8:
        raise SyscallError(abi.EINVAL)
    old = t.sigmask
    if set_ptr:
        if how not in (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK):
            raise SyscallError(abi.EINVAL)
        value = t.process.mm.read_u64(set_ptr)
    if oset:
        t.process.mm.write_u64(oset, old)
    if set_ptr:
        if how == SIG_BLOCK:
            t.sigmask = old | value
        elif how == SIG_UNBLOCK:
            t.sigmask = old & ~value
        else:
            t.sigmask = value
        t.sigmask &= ~_UNBLOCKABLE
    return 0


def sys_sigaltstack(t: Thread, ss: int, old_ss: int) -> int:
    """sigaltstack(2): reports no alternate stack; accepts one."""
    if old_ss:
        t.process.mm.write(old_ss, struct.pack("<QiiQ", 0, 2, 0, 0))
    if ss:
        t.process.mm.read(ss, 24)
    return 0


def _deliver_to_self(t: Thread, sig: int) -> int | Killed:
    if sig == 0:
        return 0
    if not 1 <= sig <= 64:
        raise SyscallError(abi.EINVAL)
    action = t.process.sigactions.get(sig, SigAction())
    if action.handler == SIG_IGN or (action.handler == SIG_DFL and sig in abi.IGNORED_BY_DEFAULT):
        return 0
    if action.handler != SIG_DFL:
        # Running a handler needs signal frames; until then the default action applies.
        t.process.kernel.audit.record(t, "kill", "partial", "signal handler not run (frames missing)",
                                      {"signal": sig})
    return Killed(sig)


def sigpipe_on_epipe(t: Thread) -> Killed | None:
    """The SIGPIPE Linux sends the writer with every EPIPE (pipe_write, sk_stream_error).

    Its default action kills; ignored or blocked (it stays pending), the write just
    fails with EPIPE.  A handler cannot run yet (no frames), so the write fails then too.
    """
    if t.sigmask & (1 << (abi.SIGPIPE - 1)):
        return None
    handler = t.process.sigactions.get(abi.SIGPIPE, SigAction()).handler
    if handler == SIG_IGN:
        return None
    if handler != SIG_DFL:
        t.process.kernel.audit.record(t, "write", "partial", "SIGPIPE handler not run (frames missing)",
                                      {"signal": abi.SIGPIPE})
        return None
    return Killed(abi.SIGPIPE)


def _deliver_to_thread(t: Thread, tid: int, sig: int) -> int | Killed:
    """A signal to one thread of the caller's process (ESRCH for any other tid).

    A default action or SIG_IGN acts on the whole process, as in Linux.  A handler in
    another thread cannot run without frames: the signal is audited and dropped, which
    is what a handler that returns at once would look like (musl's pthread_cancel sends
    SIGCANCEL this way; the cancellation itself happens at the target's next
    cancellation point)."""
    target = next((th for th in t.process.threads if th.tid == tid), None)
    if target is None:
        raise SyscallError(abi.ESRCH)
    if target is t:
        return _deliver_to_self(t, sig)
    if not 0 <= sig <= 64:
        raise SyscallError(abi.EINVAL)
    handler = t.process.sigactions.get(sig, SigAction()).handler
    if sig and handler not in (SIG_DFL, SIG_IGN):
        t.process.kernel.audit.record(t, "tgkill", "partial", "signal handler not run (frames missing)",
                                      {"signal": sig, "tid": tid})
        return 0
    return _deliver_to_self(t, sig)


def sys_tgkill(t: Thread, tgid: int, tid: int, sig: int) -> int | Killed:
    """tgkill(2)."""
    if tgid <= 0 or tid <= 0:
        raise SyscallError(abi.EINVAL)
    if tgid != t.process.pid:
        raise SyscallError(abi.ESRCH)
    return _deliver_to_thread(t, tid, sig)


def sys_tkill(t: Thread, tid: int, sig: int) -> int | Killed:
    """tkill(2)."""
    if tid <= 0:
        raise SyscallError(abi.EINVAL)
    return _deliver_to_thread(t, tid, sig)

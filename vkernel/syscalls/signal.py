"""Signal syscalls: dispositions, masks, sending, waiting, alternate stacks, timers."""
from __future__ import annotations

import struct

from vkernel import abi, signals
from vkernel.control import Block, SigReturn
from vkernel.errors import SyscallError
from vkernel.pidfd import (PIDFD_SIGNAL_FLAGS, PIDFD_SIGNAL_PROCESS_GROUP, PIDFD_SIGNAL_THREAD,
                           PidFd)
from vkernel.sched import Timer, Wait
from vkernel.signals import SigInfo
from vkernel.syscalls.common import timespec_ns
from vkernel.task import Process, SigAction, Thread
from vkernel.vfs.procfs import ProcDir

SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK = 0, 1, 2
SIGSET_SIZE = 8
ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF = 0, 1, 2


def _check_signal(sig: int) -> None:
    if not 1 <= sig <= 64:
        raise SyscallError(abi.EINVAL)


def sys_rt_sigaction(t: Thread, sig: int, act: int, oact: int, sigsetsize: int) -> int:
    """rt_sigaction(2)."""
    if sigsetsize != SIGSET_SIZE:
        raise SyscallError(abi.EINVAL)
    _check_signal(sig)
    proc = t.process
    old = proc.sigactions.get(sig, SigAction())
    new = None
    if act:
        handler, flags, restorer, mask = struct.unpack("<QQQQ", proc.mm.read(act, 32))
        if sig in (abi.SIGKILL, 19):
            raise SyscallError(abi.EINVAL)
        new = SigAction(handler, flags, restorer, mask & ~signals.UNBLOCKABLE)
    if oact:
        proc.mm.write(oact, struct.pack("<QQQQ", old.handler, old.flags, old.restorer, old.mask))
    if new is not None:
        proc.sigactions[sig] = new
        if signals.ignored(proc, sig):
            # POSIX: setting a pending signal to be ignored discards it.
            for queue in [proc.pending] + [th.pending for th in proc.threads]:
                queue[:] = [info for info in queue if info.signo != sig]
    return 0


def sys_rt_sigprocmask(t: Thread, how: int, set_ptr: int, oset: int, sigsetsize: int) -> int:
    """rt_sigprocmask(2)."""
    if sigsetsize != SIGSET_SIZE:
        raise SyscallError(abi.EINVAL)
    old = t.sigmask
    value = 0
    if set_ptr:
        if how not in (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK):
            raise SyscallError(abi.EINVAL)
        value = t.process.mm.read_u64(set_ptr)
    if oset:
        t.process.mm.write_u64(oset, old)
    if set_ptr:
        new = old | value if how == SIG_BLOCK else old & ~value if how == SIG_UNBLOCK else value
        _set_mask(t, new)
    return 0


def _set_mask(t: Thread, mask: int) -> None:
    t.sigmask = mask & ~signals.UNBLOCKABLE
    if signals.next_signal(t):
        t.attention = True


def sys_rt_sigpending(t: Thread, set_ptr: int, sigsetsize: int) -> int:
    """rt_sigpending(2)."""
    if sigsetsize > SIGSET_SIZE:
        raise SyscallError(abi.EINVAL)
    t.process.mm.write(set_ptr, struct.pack("<Q", signals.pending_mask(t) & t.sigmask)[:sigsetsize])
    return 0


def sys_rt_sigreturn(t: Thread) -> SigReturn:
    """rt_sigreturn(2): back from a handler through the frame on the stack."""
    return SigReturn()


def sys_restart_syscall(t: Thread) -> int | Block:
    """restart_syscall(2): continue the wait a signal interrupted (the kernel puts this
    call on the guest's syscall instruction); EINTR when there is none, as Linux's
    do_no_restart_syscall."""
    block, t.restart_block = t.restart_block, None
    if block is None:
        raise SyscallError(abi.EINTR)
    return block.resume(t)  # type: ignore[return-value]


def sys_rt_sigsuspend(t: Thread, mask: int, sigsetsize: int) -> Block:
    """rt_sigsuspend(2): wait with ``mask`` for a handler to run; always EINTR."""
    if sigsetsize != SIGSET_SIZE:
        raise SyscallError(abi.EINVAL)
    new = t.process.mm.read_u64(mask)
    if t.saved_sigmask is None:
        t.saved_sigmask = t.sigmask
    t.sigmask = new & ~signals.UNBLOCKABLE
    return _wait_for_signal(t, "a signal (sigsuspend)")


def sys_pause(t: Thread) -> Block:
    """pause(2)."""
    return _wait_for_signal(t, "a signal (pause)")


def _wait_for_signal(t: Thread, describe: str) -> Block:
    sched = t.process.kernel.sched
    sched.block(Wait(t, describe, restart="never"))
    if signals.next_signal(t):
        t.interrupted_by = signals.next_signal(t)
        sched.wake(t, None)
    return Block()


def sys_rt_sigtimedwait(t: Thread, set_ptr: int, info_ptr: int, timeout: int, sigsetsize: int) -> int | Block:
    """rt_sigtimedwait(2): dequeue a pending signal of the set, waiting if need be."""
    if sigsetsize != SIGSET_SIZE:
        raise SyscallError(abi.EINVAL)
    mm = t.process.mm
    wanted = mm.read_u64(set_ptr) & ~signals.UNBLOCKABLE
    deadline = None
    if timeout:
        ns = timespec_ns(t, timeout)
        deadline = t.process.kernel.sched.now() + ns
        if ns == 0:
            deadline = None
    pending = signals.pending_mask(t) & wanted
    if pending:
        sig = (pending & -pending).bit_length()
        info = signals.dequeue(t, sig)
        if info_ptr:
            mm.write(info_ptr, info.pack())
        t.sigwait_set = 0
        return sig
    if timeout and deadline is None:
        raise SyscallError(abi.EAGAIN)
    # Signals of the set wake the thread though it blocks them; the syscall then runs
    # again and dequeues what arrived.
    t.sigwait_set = wanted
    t.process.kernel.sched.block(Wait(t, "a signal (sigtimedwait)", restart="never"), deadline,
                                 timeout_result=-abi.EAGAIN)
    return Block()


def sys_sigaltstack(t: Thread, ss: int, old_ss: int) -> int:
    """sigaltstack(2): the old state is taken before the new one is set."""
    mm = t.process.mm
    sp = t.process.cpu.reg("rsp")
    cur_sp, cur_flags, cur_size = t.altstack
    old = struct.pack("<QI4xQ", cur_sp, signals.altstack_state(t, sp) | (cur_flags & signals.SS_AUTODISARM),
                      cur_size)
    if ss:
        ss_sp, ss_flags, ss_size = struct.unpack("<QI4xQ", mm.read(ss, 24))
        signals.set_altstack(t, sp, ss_sp, ss_flags, ss_size)
    if old_ss:
        mm.write(old_ss, old)
    return 0


# -- sending ----------------------------------------------------------------------------

def _user_info(t: Thread, sig: int, code: int = signals.SI_USER) -> SigInfo:
    return SigInfo(sig, code, pid=t.process.pid, uid=t.process.creds.uid)


def targets_of(t: Thread, pid: int) -> list[Process]:
    """The processes kill(pid) addresses, as Linux: one, a group, or all but pid 1."""
    procs = [p for p in t.process.kernel.processes.values() if p.exit_code is None]
    if pid > 0:
        return [p for p in procs if p.pid == pid]
    if pid == 0:
        return [p for p in procs if p.pgid == t.process.pgid]
    if pid == -1:
        return [p for p in procs if p.pid != 1 and p is not t.process] or []
    return [p for p in procs if p.pgid == -pid]


def sys_kill(t: Thread, pid: int, sig: int) -> int:
    """kill(2)."""
    if not 0 <= sig <= 64:
        raise SyscallError(abi.EINVAL)
    if pid == -(1 << 31):
        raise SyscallError(abi.ESRCH)
    targets = targets_of(t, pid)
    if not targets:
        raise SyscallError(abi.ESRCH)
    if sig:
        for proc in targets:
            signals.send_to_process(t.process.kernel, proc, _user_info(t, sig))
    return 0


def _thread_in(proc: Process, tid: int) -> Thread:
    target = next((th for th in proc.threads if th.tid == tid), None)
    if target is None:
        raise SyscallError(abi.ESRCH)
    return target


def sys_tgkill(t: Thread, tgid: int, tid: int, sig: int) -> int:
    """tgkill(2)."""
    if tgid <= 0 or tid <= 0 or not 0 <= sig <= 64:
        raise SyscallError(abi.EINVAL)
    proc = t.process.kernel.processes.get(tgid)
    if proc is None or proc.exit_code is not None:
        raise SyscallError(abi.ESRCH)
    target = _thread_in(proc, tid)
    if sig:
        signals.send_to_thread(t.process.kernel, target, _user_info(t, sig, signals.SI_TKILL))
    return 0


def sys_tkill(t: Thread, tid: int, sig: int) -> int:
    """tkill(2)."""
    if tid <= 0 or not 0 <= sig <= 64:
        raise SyscallError(abi.EINVAL)
    target = t.process.kernel.find_thread(tid)
    if target is None:
        raise SyscallError(abi.ESRCH)
    if sig:
        signals.send_to_thread(t.process.kernel, target, _user_info(t, sig, signals.SI_TKILL))
    return 0


def _queued_info(t: Thread, sig: int, raw: bytes, pid: int) -> SigInfo:
    """The siginfo ``raw`` (as read from the guest) to send with ``sig`` to ``pid``."""
    code = struct.unpack_from("<i", raw, 8)[0]
    # Kernel codes (and SI_TKILL) may not be claimed towards another process.
    if (code >= 0 or code == signals.SI_TKILL) and pid != t.process.pid:
        raise SyscallError(abi.EPERM)
    return SigInfo(sig, code, raw=struct.pack("<i", sig) + raw[4:])


def sys_rt_sigqueueinfo(t: Thread, pid: int, sig: int, uinfo: int) -> int:
    """rt_sigqueueinfo(2): sigqueue's value reaches the handler's siginfo."""
    _check_signal(sig)
    info = _queued_info(t, sig, t.process.mm.read(uinfo, 128), pid)
    targets = targets_of(t, pid) if pid > 0 else []
    if not targets:
        raise SyscallError(abi.ESRCH)
    signals.send_to_process(t.process.kernel, targets[0], info)
    return 0


def sys_pidfd_send_signal(t: Thread, pidfd: int, sig: int, uinfo: int, flags: int) -> int:
    """pidfd_send_signal(2): kill(2) (or, with a siginfo, rt_sigqueueinfo) to the
    process the pidfd names, or its leading thread, or the process group it leads (at
    most one PIDFD_SIGNAL_* flag); ESRCH once it has been reaped, nothing for a zombie."""
    if flags & ~PIDFD_SIGNAL_FLAGS or bin(flags).count("1") > 1:
        raise SyscallError(abi.EINVAL)
    desc = t.process.fds.get(pidfd)
    kernel = t.process.kernel
    if isinstance(desc, PidFd):
        target = desc.process
    elif isinstance(desc.inode, ProcDir) and desc.inode.pid is not None:
        # An open /proc/PID directory names its process too (ESRCH once reaped).
        found = kernel.processes.get(desc.inode.pid)
        if found is None:
            raise SyscallError(abi.ESRCH)
        target = found
    else:
        raise SyscallError(abi.EBADF)
    if uinfo:
        raw = t.process.mm.read(uinfo, 128)
        if struct.unpack_from("<i", raw)[0] != sig:
            raise SyscallError(abi.EINVAL)
        info = _queued_info(t, sig, raw, target.pid)
    else:
        info = _user_info(t, sig)
    if not 0 <= sig <= 64:
        raise SyscallError(abi.EINVAL)
    if kernel.processes.get(target.pid) is not target:
        raise SyscallError(abi.ESRCH)
    if flags == PIDFD_SIGNAL_PROCESS_GROUP:
        # The group whose id is the pidfd's pid (ESRCH unless the process leads one).
        # (Not targets_of(t, -pid): for the container's pid 1 that would be kill(-1).)
        group = [p for p in kernel.processes.values() if p.pgid == target.pid and p.exit_code is None]
        if not group:
            raise SyscallError(abi.ESRCH)
        for proc in group if sig else ():
            signals.send_to_process(kernel, proc, info)
        return 0
    if not sig or target.exit_code is not None:
        return 0
    leader = next((th for th in target.threads if th.tid == target.pid), None)
    if flags == PIDFD_SIGNAL_THREAD and leader is not None:
        signals.send_to_thread(kernel, leader, info)
    else:
        signals.send_to_process(kernel, target, info)
    return 0


def sys_rt_tgsigqueueinfo(t: Thread, tgid: int, tid: int, sig: int, uinfo: int) -> int:
    """rt_tgsigqueueinfo(2)."""
    _check_signal(sig)
    info = _queued_info(t, sig, t.process.mm.read(uinfo, 128), tgid)
    proc = t.process.kernel.processes.get(tgid)
    if proc is None:
        raise SyscallError(abi.ESRCH)
    signals.send_to_thread(t.process.kernel, _thread_in(proc, tid), info)
    return 0


def sigpipe_on_epipe(t: Thread) -> None:
    """The SIGPIPE Linux sends the writer with every EPIPE (pipe_write, sk_stream_error);
    delivered on the way out of the syscall, which fails with EPIPE either way."""
    signals.send_to_thread(t.process.kernel, t, SigInfo(abi.SIGPIPE, signals.SI_USER, pid=t.process.pid,
                                                        uid=t.process.creds.uid))


# -- alarm and interval timers ---------------------------------------------------------------

def _arm_real_timer(proc: Process, value_ns: int, interval_ns: int) -> tuple[int, int]:
    """Set ITIMER_REAL; returns the old (remaining, interval)."""
    kernel = proc.kernel
    sched = kernel.sched
    old = (0, 0)
    if proc.alarm is not None:
        timer, interval = proc.alarm  # type: ignore[misc]
        if not timer.cancelled:
            old = (max(timer.deadline_ns - sched.now(), 1), interval)
        timer.cancelled = True
        proc.alarm = None
    if value_ns:
        def fire() -> None:
            if proc.exit_code is not None:
                return
            signals.send_to_process(kernel, proc, SigInfo(abi.SIGALRM, signals.SI_KERNEL))
            if interval_ns:
                proc.alarm = (sched.add_timer(sched.now() + interval_ns, fire), interval_ns)
            else:
                proc.alarm = None
        proc.alarm = (sched.add_timer(sched.now() + value_ns, fire), interval_ns)
    return old


def sys_alarm(t: Thread, seconds: int) -> int:
    """alarm(2)."""
    remaining, _ = _arm_real_timer(t.process, (seconds & 0xFFFFFFFF) * 10**9, 0)
    return (remaining + 999_999_999) // 10**9 if remaining else 0


def _pack_itimerval(pair: tuple[int, int]) -> bytes:
    value, interval = pair
    return struct.pack("<qqqq", interval // 10**9, (interval % 10**9) // 1000, value // 10**9, (value % 10**9) // 1000)


def sys_setitimer(t: Thread, which: int, new: int, old: int) -> int:
    """setitimer(2): ITIMER_REAL on the timer queue; ITIMER_VIRTUAL and ITIMER_PROF on
    the process's guest CPU time (see Process.cpu_timers)."""
    if which not in (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF):
        raise SyscallError(abi.EINVAL)
    value_ns = interval_ns = 0
    if new:
        i_sec, i_usec, v_sec, v_usec = struct.unpack("<qqqq", t.process.mm.read(new, 32))
        if not (0 <= i_usec < 10**6 and 0 <= v_usec < 10**6) or i_sec < 0 or v_sec < 0:
            raise SyscallError(abi.EINVAL)
        value_ns, interval_ns = v_sec * 10**9 + v_usec * 1000, i_sec * 10**9 + i_usec * 1000
    proc = t.process
    if which == ITIMER_REAL:
        previous = _arm_real_timer(proc, value_ns, interval_ns) if new else _current_real(proc)
    else:
        previous = _current_cpu(proc, which)
        if new:
            if value_ns:
                proc.cpu_timers[which] = (proc.cpu_ns + value_ns, interval_ns)
                # End the running slice so the next one is bounded by the new deadline.
                t.attention = True
            else:
                proc.cpu_timers.pop(which, None)
    if old:
        t.process.mm.write(old, _pack_itimerval(previous))
    return 0


def _current_cpu(proc: Process, which: int) -> tuple[int, int]:
    if which not in proc.cpu_timers:
        return (0, 0)
    # What is left depends on host CPU time: an input, as a clock read is.
    left, interval = proc.kernel.sources.host_call("itimer", which, _cpu_left, proc, which)
    return (left, interval)


def _cpu_left(proc: Process, which: int) -> tuple[int, int]:
    deadline, interval = proc.cpu_timers[which]
    return (max(deadline - proc.cpu_ns, 1), interval)


def _current_real(proc: Process) -> tuple[int, int]:
    if proc.alarm is None:
        return (0, 0)
    timer, interval = proc.alarm  # type: ignore[misc]
    assert isinstance(timer, Timer)
    return (max(timer.deadline_ns - proc.kernel.sched.now(), 1), interval) if not timer.cancelled else (0, 0)


def sys_getitimer(t: Thread, which: int, value: int) -> int:
    """getitimer(2)."""
    if which not in (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF):
        raise SyscallError(abi.EINVAL)
    current = _current_real(t.process) if which == ITIMER_REAL else _current_cpu(t.process, which)
    t.process.mm.write(value, _pack_itimerval(current))
    return 0


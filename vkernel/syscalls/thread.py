"""Threads and futexes: clone/clone3 for threads, futex(2), scheduling queries."""
from __future__ import annotations

import struct

from vkernel import abi
from vkernel.control import Block, Spawn, Yield
from vkernel.errors import SyscallError
from vkernel.futex import BITSET_MATCH_ANY, FUTEX_OWNER_DIED, FUTEX_TID_MASK, FUTEX_WAITERS
from vkernel.syscalls.common import read_timespec
from vkernel.syscalls.process import clone_process
from vkernel.task import Thread

CSIGNAL = 0xFF
CLONE_NEWTIME = 0x80      # inside CSIGNAL: only clone3 can ask for it
CLONE_VM = 0x100
CLONE_FS = 0x200
CLONE_FILES = 0x400
CLONE_SIGHAND = 0x800
CLONE_PIDFD = 0x1000
CLONE_PTRACE = 0x2000
CLONE_VFORK = 0x4000
CLONE_PARENT = 0x8000
CLONE_THREAD = 0x10000
CLONE_NEWNS = 0x20000
CLONE_SYSVSEM = 0x40000
CLONE_SETTLS = 0x80000
CLONE_PARENT_SETTID = 0x100000
CLONE_CHILD_CLEARTID = 0x200000
CLONE_DETACHED = 0x400000
CLONE_UNTRACED = 0x800000
CLONE_CHILD_SETTID = 0x1000000
CLONE_NEWCGROUP = 0x2000000
CLONE_NEWUTS = 0x4000000
CLONE_NEWIPC = 0x8000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_IO = 0x80000000
_NAMESPACES = CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
_THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD
CLONE_FLAG_NAMES = [(v, "CLONE_" + k) for k, v in (
    ("VM", CLONE_VM), ("FS", CLONE_FS), ("FILES", CLONE_FILES), ("SIGHAND", CLONE_SIGHAND),
    ("PIDFD", CLONE_PIDFD), ("VFORK", CLONE_VFORK), ("PARENT", CLONE_PARENT), ("THREAD", CLONE_THREAD),
    ("NEWNS", CLONE_NEWNS), ("SYSVSEM", CLONE_SYSVSEM), ("SETTLS", CLONE_SETTLS),
    ("PARENT_SETTID", CLONE_PARENT_SETTID), ("CHILD_CLEARTID", CLONE_CHILD_CLEARTID),
    ("CHILD_SETTID", CLONE_CHILD_SETTID), ("IO", CLONE_IO))]

def _clone(t: Thread, flags: int, stack: int, parent_tid: int, child_tid: int, tls: int,
           exit_signal: int = 0, pidfd_at: int = 0) -> Spawn:
    """The checks of Linux's copy_process, then a new thread in the caller's process."""
    if flags & CLONE_FS and flags & (CLONE_NEWNS | CLONE_NEWUSER):
        raise SyscallError(abi.EINVAL)
    if flags & CLONE_THREAD and not flags & CLONE_SIGHAND:
        raise SyscallError(abi.EINVAL)
    if flags & CLONE_SIGHAND and not flags & CLONE_VM:
        raise SyscallError(abi.EINVAL)
    if flags & _NAMESPACES:
        raise SyscallError(abi.EPERM)
    if not flags & CLONE_THREAD:
        return clone_process(t, flags, stack, parent_tid, child_tid, tls, exit_signal, pidfd_at)
    if flags & CLONE_PIDFD:                   # no thread pidfds (Linux before 6.9)
        raise SyscallError(abi.EINVAL)
    if flags & _THREAD_FLAGS != _THREAD_FLAGS:
        raise SyscallError(abi.EINVAL)
    kernel = t.process.kernel
    kernel.quota.check_threads()
    mm = t.process.mm
    if flags & CLONE_PARENT_SETTID:
        mm.check_access(parent_tid, 4, writable=True)
    if flags & CLONE_CHILD_SETTID:
        mm.check_access(child_tid, 4, writable=True)
    child = kernel.new_thread(t.process)
    child.start_regs = {"rax": 0}
    if stack:
        child.start_regs["rsp"] = stack
    if flags & CLONE_SETTLS:
        child.start_regs["fs_base"] = tls
    if flags & CLONE_CHILD_CLEARTID:
        child.clear_child_tid = child_tid
    child.sigmask = t.sigmask
    child.nice = t.nice
    if flags & CLONE_PARENT_SETTID:
        mm.write_i32(parent_tid, child.tid)
    if flags & CLONE_CHILD_SETTID:
        mm.write_i32(child_tid, child.tid)
    return Spawn(child, child.tid)


def sys_clone(t: Thread, flags: int, stack: int, parent_tid: int, child_tid: int, tls: int) -> Spawn:
    """clone(2) for threads (the x86-64 argument order: flags, stack, ptid, ctid, tls)."""
    if flags & CLONE_PIDFD and flags & CLONE_PARENT_SETTID:
        raise SyscallError(abi.EINVAL)
    return _clone(t, flags & ~0xFF, stack, parent_tid, child_tid, tls, flags & 0xFF, pidfd_at=parent_tid)


def sys_clone3(t: Thread, args: int, size: int) -> Spawn:
    """clone3(2): struct clone_args, versions 0 to 2."""
    if size > 4096:
        raise SyscallError(abi.E2BIG)
    if size < 64:
        raise SyscallError(abi.EINVAL)
    raw = t.process.mm.read(args, min(size, 88)).ljust(88, b"\0")
    flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup = \
        struct.unpack("<11Q", raw)
    if size > 88 and any(t.process.mm.read(args + 88, size - 88)):
        raise SyscallError(abi.E2BIG)
    if exit_signal > 64 or (flags & CLONE_THREAD and exit_signal) or set_tid_size or flags & CLONE_DETACHED:
        raise SyscallError(abi.EINVAL)
    if flags & CSIGNAL & ~CLONE_NEWTIME:     # clone3 takes exit_signal instead
        raise SyscallError(abi.EINVAL)
    if (stack == 0) != (stack_size == 0):
        raise SyscallError(abi.EINVAL)
    return _clone(t, flags, stack + stack_size if stack else 0, parent_tid, child_tid, tls, exit_signal, pidfd)


# -- futex ---------------------------------------------------------------------------------

FUTEX_WAIT, FUTEX_WAKE, FUTEX_FD, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP = 0, 1, 2, 3, 4, 5
FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET = 6, 7, 8, 9, 10
FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI, FUTEX_LOCK_PI2 = 11, 12, 13
FUTEX_PRIVATE_FLAG = 128
FUTEX_CLOCK_REALTIME = 256
FUTEX_OP_NAMES = {0: "FUTEX_WAIT", 1: "FUTEX_WAKE", 2: "FUTEX_FD", 3: "FUTEX_REQUEUE", 4: "FUTEX_CMP_REQUEUE",
                  5: "FUTEX_WAKE_OP", 6: "FUTEX_LOCK_PI", 7: "FUTEX_UNLOCK_PI", 8: "FUTEX_TRYLOCK_PI",
                  9: "FUTEX_WAIT_BITSET", 10: "FUTEX_WAKE_BITSET", 11: "FUTEX_WAIT_REQUEUE_PI",
                  12: "FUTEX_CMP_REQUEUE_PI", 13: "FUTEX_LOCK_PI2"}


def _deadline(t: Thread, timeout: int, absolute: bool, realtime: bool) -> int | None:
    """A futex timeout as a monotonic deadline in ns (None: wait forever)."""
    if timeout == 0:
        return None
    sec, nsec = read_timespec(t, timeout)
    if not 0 <= nsec < 1_000_000_000 or sec < 0:
        raise SyscallError(abi.EINVAL)
    ns = sec * 1_000_000_000 + nsec
    sched = t.process.kernel.sched
    now = sched.now()
    if not absolute:
        return now + ns
    if realtime:
        return now + (ns - t.process.kernel.sources.clock_ns(abi.CLOCK_REALTIME))
    return ns


def _wake_op(t: Thread, uaddr2: int, encoded: int) -> bool:
    """Apply FUTEX_WAKE_OP's operation to *uaddr2 and evaluate its comparison."""
    op, cmp = (encoded >> 28) & 0xF, (encoded >> 24) & 0xF
    oparg, cmparg = (encoded >> 12) & 0xFFF, encoded & 0xFFF
    if oparg & 0x800:
        oparg -= 0x1000
    if cmparg & 0x800:
        cmparg -= 0x1000
    if op & 8:
        oparg = 1 << (oparg & 31)   # Linux masks an out-of-range shift (and logs it)
        op &= 7
    mm = t.process.mm
    old = mm.read_i32(uaddr2)
    ops = {0: lambda v: oparg, 1: lambda v: v + oparg, 2: lambda v: v | oparg, 3: lambda v: v & ~oparg,
           4: lambda v: v ^ oparg}
    if op not in ops:
        raise SyscallError(abi.ENOSYS)
    new = ops[op](old) & 0xFFFFFFFF
    mm.write(uaddr2, struct.pack("<I", new))
    cmps = {0: old == cmparg, 1: old != cmparg, 2: old < cmparg, 3: old <= cmparg, 4: old > cmparg,
            5: old >= cmparg}
    if cmp not in cmps:
        raise SyscallError(abi.ENOSYS)
    return cmps[cmp]


_TIMEOUT_CMDS = (FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_LOCK_PI, FUTEX_LOCK_PI2, FUTEX_WAIT_REQUEUE_PI)


def sys_futex(t: Thread, uaddr: int, op: int, val: int, timeout: int, uaddr2: int, val3: int) -> int | Block:
    """futex(2), checks in Linux's order: the timeout first (EFAULT, EINVAL), then the
    op (ENOSYS), then the words."""
    kernel = t.process.kernel
    futexes = kernel.futexes
    mm = t.process.mm
    private = bool(op & FUTEX_PRIVATE_FLAG)
    realtime = bool(op & FUTEX_CLOCK_REALTIME)
    cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
    deadline = None
    if cmd in _TIMEOUT_CMDS:
        # Only FUTEX_WAIT's timeout is relative; FUTEX_LOCK_PI's is always CLOCK_REALTIME.
        deadline = _deadline(t, timeout, absolute=cmd != FUTEX_WAIT, realtime=realtime or cmd == FUTEX_LOCK_PI)
    if realtime and cmd not in (FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI, FUTEX_LOCK_PI2):
        raise SyscallError(abi.ENOSYS)
    name = FUTEX_OP_NAMES.get(cmd, "?")
    if cmd in (FUTEX_WAIT, FUTEX_WAIT_BITSET):
        bitset = BITSET_MATCH_ANY if cmd == FUTEX_WAIT else val3 & 0xFFFFFFFF
        if bitset == 0:
            raise SyscallError(abi.EINVAL)
        key = futexes.key(t, uaddr, private)
        if mm.read_i32(uaddr) & 0xFFFFFFFF != val & 0xFFFFFFFF:
            raise SyscallError(abi.EAGAIN)
        futexes.enqueue(t, key, bitset, f"{name} on {uaddr:#x}", deadline)
        return Block()
    if cmd in (FUTEX_WAKE, FUTEX_WAKE_BITSET):
        bitset = BITSET_MATCH_ANY if cmd == FUTEX_WAKE else val3 & 0xFFFFFFFF
        if bitset == 0:
            raise SyscallError(abi.EINVAL)
        return futexes.wake(futexes.key(t, uaddr, private), val, bitset)
    if cmd in (FUTEX_REQUEUE, FUTEX_CMP_REQUEUE):
        nwake, nmove = val, timeout & 0xFFFFFFFF
        if nwake < 0 or nmove > 0x7FFFFFFF:
            raise SyscallError(abi.EINVAL)
        key, key2 = futexes.key(t, uaddr, private), futexes.key(t, uaddr2, private)
        if cmd == FUTEX_CMP_REQUEUE and mm.read_i32(uaddr) & 0xFFFFFFFF != val3 & 0xFFFFFFFF:
            raise SyscallError(abi.EAGAIN)
        return futexes.requeue(key, key2, nwake, nmove)
    if cmd == FUTEX_WAKE_OP:
        key, key2 = futexes.key(t, uaddr, private), futexes.key(t, uaddr2, private)
        mm.check_access(uaddr2, 4, writable=True)
        hit = _wake_op(t, uaddr2, val3 & 0xFFFFFFFF)
        woken = futexes.wake(key, val)
        if hit:
            nwake2 = timeout & 0xFFFFFFFF     # the timeout slot carries an int count here
            woken += futexes.wake(key2, nwake2 - (1 << 32) if nwake2 & 0x80000000 else nwake2)
        return woken
    if cmd in (FUTEX_LOCK_PI, FUTEX_LOCK_PI2, FUTEX_TRYLOCK_PI):
        return _lock_pi(t, uaddr, private, cmd, deadline)
    if cmd == FUTEX_UNLOCK_PI:
        return _unlock_pi(t, uaddr, private)
    raise SyscallError(abi.ENOSYS)


def _lock_pi(t: Thread, uaddr: int, private: bool, cmd: int, deadline: int | None) -> int | Block:
    futexes = t.process.kernel.futexes
    mm = t.process.mm
    key = futexes.key(t, uaddr, private)
    mm.check_access(uaddr, 4, writable=True)
    word = mm.read_i32(uaddr) & 0xFFFFFFFF
    owner = word & FUTEX_TID_MASK
    if owner == t.tid:
        raise SyscallError(abi.EDEADLK)
    if owner == 0 or not t.process.kernel.thread_alive(owner):
        # Free, or its owner died: take it (keeping the waiters bit, marking the death).
        died = FUTEX_OWNER_DIED if owner or word & FUTEX_OWNER_DIED else 0
        mm.write(uaddr, struct.pack("<I", t.tid | (word & FUTEX_WAITERS) | died))
        return 0
    if cmd == FUTEX_TRYLOCK_PI:
        raise SyscallError(abi.EAGAIN)
    mm.write(uaddr, struct.pack("<I", word | FUTEX_WAITERS))
    futexes.enqueue(t, key, BITSET_MATCH_ANY, f"FUTEX_LOCK_PI on {uaddr:#x} (owner {owner})", deadline,
                    pi_owner=owner, uaddr=uaddr)
    return Block()


def _unlock_pi(t: Thread, uaddr: int, private: bool) -> int:
    futexes = t.process.kernel.futexes
    mm = t.process.mm
    key = futexes.key(t, uaddr, private)
    word = mm.read_i32(uaddr) & 0xFFFFFFFF
    if word & FUTEX_TID_MASK != t.tid:
        raise SyscallError(abi.EPERM)
    if not futexes.hand_over_pi(key, mm, uaddr):
        mm.write(uaddr, struct.pack("<I", 0))
    return 0


# -- scheduling queries ---------------------------------------------------------------------

SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE = 0, 1, 2, 3, 5


def _target(t: Thread, pid: int) -> Thread:
    if pid < 0:
        raise SyscallError(abi.EINVAL)
    if pid == 0:
        return t
    target = t.process.kernel.find_thread(pid)
    if target is None:
        raise SyscallError(abi.ESRCH)
    return target


PRIO_PROCESS, PRIO_PGRP, PRIO_USER = 0, 1, 2
NICE_MIN, NICE_MAX = -20, 19


def _priority_targets(t: Thread, which: int, who: int) -> list[Thread]:
    """The threads getpriority/setpriority address: ESRCH when none, EINVAL for ``which``."""
    kernel = t.process.kernel
    if who < 0:
        return []
    if which == PRIO_PROCESS:
        if who == 0:
            return [t]
        found = kernel.find_thread(who)
        return [found] if found is not None and found.process.exit_code is None else []
    if which == PRIO_PGRP:
        pgid = who or t.process.pgid
        return [p.threads[0] for p in kernel.processes.values()
                if p.pgid == pgid and p.exit_code is None and p.threads]
    if which == PRIO_USER:
        uid = who or t.process.creds.uid
        return [th for p in kernel.processes.values() if p.creds.uid == uid and p.exit_code is None
                for th in p.threads]
    raise SyscallError(abi.EINVAL)


def sys_getpriority(t: Thread, which: int, who: int) -> int:
    """getpriority(2): the lowest nice value among the targets, as the raw 20 - nice."""
    targets = _priority_targets(t, which, who)
    if not targets:
        raise SyscallError(abi.ESRCH)
    return 20 - min(th.nice for th in targets)


def sys_setpriority(t: Thread, which: int, who: int, prio: int) -> int:
    """setpriority(2): nice values clamped to -20..19; lowering one needs root (CAP_SYS_NICE)."""
    targets = _priority_targets(t, which, who)
    if not targets:
        raise SyscallError(abi.ESRCH)
    nice = min(max(prio, NICE_MIN), NICE_MAX)
    creds = t.process.creds
    for target in targets:
        other = target.process.creds
        if creds.euid != 0 and creds.euid not in (other.uid, other.euid):
            raise SyscallError(abi.EPERM)
        if nice < target.nice and creds.euid != 0:
            raise SyscallError(abi.EACCES)
    for target in targets:
        target.nice = nice
    return 0


def sys_sched_yield(t: Thread) -> int | Yield:
    """sched_yield(2): to the back of the run queue when another thread can run."""
    return Yield() if t.process.kernel.sched.others_runnable() else 0


def sys_sched_getscheduler(t: Thread, pid: int) -> int:
    """sched_getscheduler(2): every thread is SCHED_OTHER."""
    _target(t, pid)
    return SCHED_OTHER


def sys_sched_getparam(t: Thread, pid: int, param: int) -> int:
    """sched_getparam(2)."""
    _target(t, pid)
    t.process.mm.write_i32(param, 0)
    return 0


def sys_sched_setparam(t: Thread, pid: int, param: int) -> int:
    """sched_setparam(2): SCHED_OTHER threads only take priority 0."""
    _target(t, pid)
    if t.process.mm.read_i32(param) != 0:
        raise SyscallError(abi.EINVAL)
    return 0


def sys_sched_setscheduler(t: Thread, pid: int, policy: int, param: int) -> int:
    """sched_setscheduler(2): SCHED_OTHER/BATCH/IDLE with priority 0; real-time EPERM."""
    _target(t, pid)
    prio = t.process.mm.read_i32(param)
    if policy in (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE):
        if prio != 0:
            raise SyscallError(abi.EINVAL)
        return 0
    if policy in (SCHED_FIFO, SCHED_RR):
        if not 1 <= prio <= 99:
            raise SyscallError(abi.EINVAL)
        raise SyscallError(abi.EPERM)
    raise SyscallError(abi.EINVAL)


def sys_sched_get_priority_max(t: Thread, policy: int) -> int:
    """sched_get_priority_max(2)."""
    if policy in (SCHED_FIFO, SCHED_RR):
        return 99
    if policy in (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE):
        return 0
    raise SyscallError(abi.EINVAL)


def sys_sched_get_priority_min(t: Thread, policy: int) -> int:
    """sched_get_priority_min(2)."""
    if policy in (SCHED_FIFO, SCHED_RR):
        return 1
    if policy in (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE):
        return 0
    raise SyscallError(abi.EINVAL)

"""System information and randomness: uname, sysinfo, getrandom, prctl."""
from __future__ import annotations

import struct

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.task import Thread

UTS_RELEASE = b"6.1.0-vkernel"
UTS_VERSION = b"#1 SMP PREEMPT_DYNAMIC vkernel"
PR_SET_NAME, PR_GET_NAME = 15, 16
PR_SET_PDEATHSIG, PR_GET_PDEATHSIG, PR_GET_DUMPABLE, PR_SET_DUMPABLE = 1, 2, 3, 4
PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS = 38, 39


def sys_uname(t: Thread, buf: int) -> int:
    """uname(2)."""
    k = t.process.kernel
    fields = (b"Linux", k.hostname, UTS_RELEASE, UTS_VERSION, b"x86_64", b"(none)")
    t.process.mm.write(buf, b"".join(f[:64].ljust(65, b"\0") for f in fields))
    return 0


def sys_sethostname(t: Thread, name: int, length: int) -> int:
    """sethostname(2): the container's own hostname (its UTS namespace), root only."""
    if t.process.creds.euid != 0:
        raise SyscallError(abi.EPERM)
    if not 0 <= length <= 64:                 # __NEW_UTS_LEN
        raise SyscallError(abi.EINVAL)
    t.process.kernel.hostname = t.process.mm.read(name, length)
    return 0


def sys_sysinfo(t: Thread, info: int) -> int:
    """sysinfo(2)."""
    uptime = t.process.kernel.sources.clock_ns(abi.CLOCK_BOOTTIME) // 10**9
    total = 4 << 30
    # uptime, loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap,
    # procs, pad, totalhigh, freehigh, mem_unit
    data = struct.pack("<q3Q6QHH4xQQI", uptime, 0, 0, 0, total, total // 2, 0, 0, 0, 0,
                       len(t.process.kernel.processes), 0, 0, 0, 1)
    t.process.mm.write(info, data.ljust(112, b"\0"))
    return 0


def sys_getrandom(t: Thread, buf: int, length: int, flags: int) -> int:
    """getrandom(2)."""
    if flags & ~(abi.GRND_NONBLOCK | abi.GRND_RANDOM | abi.GRND_INSECURE):
        raise SyscallError(abi.EINVAL)
    if flags & abi.GRND_RANDOM and flags & abi.GRND_INSECURE:
        raise SyscallError(abi.EINVAL)
    if length == 0:
        return 0
    # Linux copies in chunks up to a fault: the bytes before it count, none is EFAULT.
    done = t.process.mm.accessible(buf, min(length, 0x1FFFFFF), writable=True)
    if not done:
        raise SyscallError(abi.EFAULT)
    t.process.mm.write(buf, t.process.kernel.sources.random_bytes(done))
    return done


def sys_prctl(t: Thread, option: int, arg2: int, arg3: int, arg4: int, arg5: int) -> int:
    """prctl(2): names, dumpable, no_new_privs, pdeathsig."""
    p = t.process
    if option == PR_SET_NAME:
        p.comm = p.mm.read_cstring(arg2, 4096)[:15]
        return 0
    if option == PR_GET_NAME:
        p.mm.write(arg2, p.comm[:15].ljust(16, b"\0"))
        return 0
    if option in (PR_GET_DUMPABLE,):
        return 1
    if option in (PR_SET_DUMPABLE, PR_SET_PDEATHSIG):
        return 0
    if option == PR_GET_PDEATHSIG:
        p.mm.write_i32(arg2, 0)
        return 0
    if option == PR_SET_NO_NEW_PRIVS:
        if arg2 != 1 or arg3 or arg4 or arg5:
            raise SyscallError(abi.EINVAL)
        return 0
    if option == PR_GET_NO_NEW_PRIVS:
        return 1
    raise SyscallError(abi.EINVAL)

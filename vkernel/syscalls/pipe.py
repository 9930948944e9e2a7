"""Pipe syscalls: pipe and pipe2 (the pipe object itself is vkernel/pipe.py)."""
from __future__ import annotations

import struct

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.pipe import Pipe
from vkernel.task import Thread

_PIPE2_FLAGS = abi.O_CLOEXEC | abi.O_NONBLOCK | abi.O_DIRECT | abi.O_NOTIFICATION_PIPE


def sys_pipe2(t: Thread, fildes: int, flags: int) -> int:
    """pipe2(2): the read end at the lowest free fd, the write end at the next."""
    if flags & ~_PIPE2_FLAGS:
        raise SyscallError(abi.EINVAL)
    if flags & abi.O_NOTIFICATION_PIPE:
        raise SyscallError(abi.ENOPKG)      # as a kernel built without watch queues
    proc = t.process
    kernel = proc.kernel
    read_end, write_end = Pipe(kernel.sched, kernel.numbers.new(), proc.creds.euid, proc.creds.egid).open_ends(flags)
    cloexec = bool(flags & abi.O_CLOEXEC)
    fds = proc.fds
    rfd = fds.install(read_end, cloexec)
    try:
        wfd = fds.install(write_end, cloexec)
    except SyscallError:
        fds.close(rfd)
        raise
    try:
        proc.mm.write(fildes, struct.pack("<ii", rfd, wfd))
    except SyscallError:
        fds.close(rfd)
        fds.close(wfd)
        raise
    return 0


def sys_pipe(t: Thread, fildes: int) -> int:
    """pipe(2)."""
    return sys_pipe2(t, fildes, 0)

"""What /proc shows of the kernel: the adapter between ProcFS and processes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from vkernel import abi
from vkernel.pipe import PipeEnd, PipeInode
from vkernel.sched import State
from vkernel.vfs.namespace import Location

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.task import Process
    from vkernel.vfs.file import FileDescription


class ProcessView:
    def __init__(self, proc: Process) -> None:
        self.proc = proc
        self.pid = proc.pid

    def proc_exe(self) -> Location | None:
        return self.proc.exe

    def proc_exe_path(self) -> bytes:
        return self.proc.exe.path if self.proc.exe is not None else self.proc.exe_path

    def proc_cwd(self) -> Location:
        return self.proc.cwd

    def proc_fds(self) -> dict[int, tuple[bytes, Location | None]]:
        return {fd: (e.description.path, self._target(e.description)) for fd, e in self.proc.fds.entries.items()}

    def _target(self, desc: FileDescription) -> Location | None:
        """Where /proc/PID/fd/N leads: the file it was opened at, or its pipe."""
        if isinstance(desc, PipeEnd):
            return Location(desc.path, PipeInode(desc.pipe, self.proc.kernel.numbers), None)
        return desc.location

    def proc_files(self) -> dict[str, Callable[[], bytes]]:
        p = self.proc
        return {
            "maps": lambda: p.mm.maps_text().encode(),
            "cmdline": lambda: b"".join(a + b"\0" for a in p.argv),
            "environ": lambda: b"".join(e + b"\0" for e in p.envp),
            "comm": lambda: p.comm + b"\n",
            "status": lambda: self._status().encode(),
            "stat": lambda: (f"{p.pid} ({p.comm.decode(errors='replace')}) {self.state()[0]} {p.ppid} {p.pgid} "
                             f"{p.sid} 0 -1 "
                             + "0 " * 44 + "0\n").encode(),
            "mounts": lambda: _mounts(p.kernel),
        }

    def state(self) -> str:
        """As Linux's task_state_array: the reader itself is running; a process whose
        threads all wait is sleeping."""
        p = self.proc
        if p.exit_code is not None:
            return "Z (zombie)"
        if p.stopped_by:
            return "T (stopped)"
        if p is p.kernel.current or any(t.state is State.RUNNABLE for t in p.threads):
            return "R (running)"
        return "S (sleeping)"

    def _status(self) -> str:
        p = self.proc
        c = p.creds
        return (f"Name:\t{p.comm.decode(errors='replace')}\nUmask:\t{p.umask:04o}\nState:\t{self.state()}\n"
                f"Tgid:\t{p.pid}\nPid:\t{p.pid}\nPPid:\t{p.ppid}\n"
                f"Uid:\t{c.uid}\t{c.euid}\t{c.suid}\t{c.euid}\nGid:\t{c.gid}\t{c.egid}\t{c.sgid}\t{c.egid}\n"
                f"Threads:\t{len(p.threads)}\n")


def _mounts(kernel: Kernel) -> bytes:
    lines = []
    for path, mount in sorted(kernel.ns.mounts.items()):
        opts = ",".join(mount.options) or "rw"
        lines.append(f"{mount.source} {path.decode(errors='replace')} {mount.fs.name} {opts} 0 0\n")
    return "".join(lines).encode()


class KernelProcView:
    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel

    def proc_processes(self) -> dict[int, ProcessView]:
        return {pid: ProcessView(p) for pid, p in self.kernel.processes.items()}

    def proc_current(self) -> ProcessView:
        assert self.kernel.current is not None
        return ProcessView(self.kernel.current)

    def proc_global_files(self) -> dict[str, Callable[[], bytes]]:
        src = self.kernel.sources
        return {
            "cpuinfo": lambda: (b"processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: vkernel x86-64 (unicorn)\n"
                                b"flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt\n\n"),
            "meminfo": lambda: b"MemTotal:        4194304 kB\nMemFree:         2097152 kB\nMemAvailable:    2097152 kB\n",
            "uptime": lambda: b"%.2f 0.00\n" % (src.clock_ns(7) / 1e9),
            "version": lambda: b"Linux version 6.1.0-vkernel (vkernel) #1 SMP PREEMPT_DYNAMIC\n",
            "loadavg": lambda: b"0.00 0.00 0.00 1/1 1\n",
            "stat": self._stat,
            "filesystems": lambda: b"nodev\ttmpfs\nnodev\tproc\nnodev\toverlay\n",
        }

    def _stat(self) -> bytes:
        """/proc/stat: no CPU time accounting (zeros), and the boot time ps(1) needs."""
        src = self.kernel.sources
        btime = (src.clock_ns(abi.CLOCK_REALTIME) - src.clock_ns(abi.CLOCK_BOOTTIME)) // 1_000_000_000
        return (b"cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\nintr 0\nctxt 0\nbtime %d\n"
                b"procs_running 1\nprocs_blocked 0\n" % btime)

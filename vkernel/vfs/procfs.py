"""/proc: generated views of kernel state.

Contents are produced when a file is opened (a snapshot, as Linux's seq_file gives for
small files).  ``/proc/self`` depends on the calling process, which the kernel exposes
through the ``ProcView`` it passes in.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs.file import FileDescription, copy_out
from vkernel.vfs.inode import Filesystem, Inode, InodeNumbers, Stat, dtype_of

if TYPE_CHECKING:
    from vkernel.vfs.namespace import Location


class ProcProcess(Protocol):
    """What /proc needs to know about one process."""
    pid: int

    def proc_exe(self) -> Location | None: ...
    def proc_exe_path(self) -> bytes: ...
    def proc_cwd(self) -> Location: ...
    def proc_files(self) -> dict[str, Callable[[], bytes]]: ...
    def proc_fds(self) -> dict[int, tuple[bytes, Location | None]]: ...


class ProcView(Protocol):
    def proc_processes(self) -> dict[int, ProcProcess]: ...
    def proc_current(self) -> ProcProcess: ...
    def proc_global_files(self) -> dict[str, Callable[[], bytes]]: ...


class ProcFS(Filesystem):
    name = "proc"
    magic = 0x9FA0

    def __init__(self, numbers: InodeNumbers, dev: int, view: ProcView) -> None:
        super().__init__(numbers, dev, readonly=True)
        self.view = view
        self._numbers: dict[tuple, int] = {}
        self.boot_ns = numbers.now_ns()
        self._root = ProcDir(self, ("root",), self._root_entries)

    def number(self, key: tuple) -> int:
        if key not in self._numbers:
            self._numbers[key] = self.numbers.new()
        return self._numbers[key]

    def root(self) -> Inode:
        return self._root

    def _root_entries(self) -> dict[bytes, Callable[[], Inode]]:
        out: dict[bytes, Callable[[], Inode]] = {}
        for pid, proc in sorted(self.view.proc_processes().items()):
            out[str(pid).encode()] = (lambda p=proc: self._process_dir(p))
        out[b"self"] = lambda: ProcLink(self, ("self",), lambda: str(self.view.proc_current().pid).encode())
        out[b"thread-self"] = lambda: ProcLink(self, ("thread-self",),
                                               lambda: b"%d/task/%d" % ((self.view.proc_current().pid,) * 2))
        for name, content in self.view.proc_global_files().items():
            out[name.encode()] = (lambda n=name, c=content: ProcFile(self, ("g", n), c))
        out[b"mounts"] = lambda: ProcLink(self, ("mounts",), lambda: b"self/mounts")
        return out

    def _process_dir(self, proc: ProcProcess) -> Inode:
        pid = proc.pid

        def entries() -> dict[bytes, Callable[[], Inode]]:
            out: dict[bytes, Callable[[], Inode]] = {
                b"exe": lambda: ProcLink(self, (pid, "exe"), proc.proc_exe_path, proc.proc_exe),
                b"cwd": lambda: ProcLink(self, (pid, "cwd"), lambda: proc.proc_cwd().path, proc.proc_cwd),
                b"root": lambda: ProcLink(self, (pid, "root"), lambda: b"/"),
                b"fd": lambda: ProcDir(self, (pid, "fd"), fd_entries, mode=0o500),
            }
            for name, content in proc.proc_files().items():
                out[name.encode()] = (lambda n=name, c=content: ProcFile(self, (pid, n), c))
            out[b"task"] = lambda: ProcDir(self, (pid, "task"),
                                           lambda: {str(pid).encode(): lambda: self._process_dir(proc)})
            return out

        def fd_entries() -> dict[bytes, Callable[[], Inode]]:
            return {str(fd).encode(): (lambda fd=fd, t=target: ProcLink(self, (pid, "fd", fd), lambda: t[0],
                                                                       lambda: t[1]))
                    for fd, target in sorted(proc.proc_fds().items())}

        return ProcDir(self, (pid,), entries, mode=0o555, pid=pid)


class ProcInode(Inode):
    def __init__(self, fs: ProcFS, key: tuple, mode: int) -> None:
        self.fs = fs
        self.ino = fs.number(key)
        self._mode = mode

    @property
    def mode(self) -> int:
        return self._mode

    def stat(self) -> Stat:
        t = self.fs.boot_ns  # type: ignore[attr-defined]
        return Stat(self.fs.dev, self.ino, self._mode, 2 if self.is_dir else 1, 0, 0, 0,
                    blksize=1024, atime_ns=t, mtime_ns=t, ctime_ns=t)


class ProcDir(ProcInode):
    def __init__(self, fs: ProcFS, key: tuple, listing: Callable[[], dict[bytes, Callable[[], Inode]]],
                 mode: int = 0o555, pid: int | None = None) -> None:
        super().__init__(fs, key, abi.S_IFDIR | mode)
        self.listing = listing
        self.pid = pid                 # /proc/PID: an open one names the process, as a pidfd

    def lookup(self, name: bytes) -> Inode:
        factory = self.listing().get(name)
        if factory is None:
            raise SyscallError(abi.ENOENT)
        return factory()

    def entries(self) -> list[tuple[bytes, int, int]]:
        out = []
        for name, factory in self.listing().items():
            child = factory()
            out.append((name, child.ino, dtype_of(child.mode)))
        return out

    def open(self, flags: int) -> FileDescription:
        if flags & abi.O_ACCMODE != abi.O_RDONLY:
            raise SyscallError(abi.EISDIR)
        return FileDescription(self, flags)


class ProcFile(ProcInode):
    def __init__(self, fs: ProcFS, key: tuple, content: Callable[[], bytes]) -> None:
        super().__init__(fs, key, abi.S_IFREG | 0o444)
        self.content = content

    def open(self, flags: int) -> FileDescription:
        if flags & abi.O_ACCMODE != abi.O_RDONLY:
            raise SyscallError(abi.EACCES)
        return SnapshotFile(self, flags, self.content())


class ProcLink(ProcInode):
    """A symlink; ``jump`` makes it a "magic" link that resolves to an object directly."""

    def __init__(self, fs: ProcFS, key: tuple, target: Callable[[], bytes],
                 jump: Callable[[], Location | None] | None = None) -> None:
        super().__init__(fs, key, abi.S_IFLNK | 0o777)
        self.target = target
        self.jump_to = jump

    def readlink(self) -> bytes:
        return self.target()

    def jump(self) -> Location | None:
        return self.jump_to() if self.jump_to is not None else None


class SnapshotFile(FileDescription):
    """A read-only file whose bytes were generated at open."""

    def __init__(self, inode: Inode, flags: int, data: bytes) -> None:
        super().__init__(inode, flags)
        self.data = data

    def pread(self, views: list[memoryview], offset: int) -> int:
        return copy_out(self.data, views, offset)

    def size(self) -> int:
        return len(self.data)


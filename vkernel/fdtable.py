"""File descriptor tables: fd numbers pointing at shared open file descriptions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs.file import FileDescription

DEFAULT_NOFILE = 1024


@dataclass
class FdEntry:
    description: FileDescription
    cloexec: bool = False


class FdTable:
    """One table per process (shared by its threads).

    Invariant: a description's ``refs`` counts the fd entries pointing at it across all
    tables, plus the file-backed VMAs mapping it; it is closed exactly when the count
    reaches zero.
    """

    def __init__(self, limit: int = DEFAULT_NOFILE) -> None:
        self.entries: dict[int, FdEntry] = {}
        self.limit = limit
        self.users = 1          # processes sharing this table (CLONE_FILES)
        # Told the limit before EMFILE, so the container's open_files quota can audit a hit.
        self.on_full: Callable[[int], None] | None = None

    def copy(self) -> FdTable:
        """fork without CLONE_FILES: same descriptions, new numbers table."""
        table = FdTable(self.limit)
        table.on_full = self.on_full
        for fd, entry in self.entries.items():
            table.entries[fd] = FdEntry(entry.description, entry.cloexec)
            entry.description.refs += 1
        return table

    def share(self) -> FdTable:
        self.users += 1
        return self

    def release(self) -> None:
        """A process stops using the table; the last one closes every fd."""
        self.users -= 1
        if self.users == 0:
            self.close_all()

    def close_cloexec(self) -> None:
        for fd in [fd for fd, entry in self.entries.items() if entry.cloexec]:
            self.close(fd)

    def get(self, fd: int) -> FileDescription:
        entry = self.entries.get(fd)
        if entry is None:
            raise SyscallError(abi.EBADF)
        return entry.description

    def entry(self, fd: int) -> FdEntry:
        entry = self.entries.get(fd)
        if entry is None:
            raise SyscallError(abi.EBADF)
        return entry

    def lowest_free(self, minimum: int = 0) -> int:
        fd = minimum
        while fd in self.entries:
            fd += 1
        if fd >= self.limit:
            if self.on_full is not None:
                self.on_full(self.limit)
            raise SyscallError(abi.EMFILE)
        return fd

    def install(self, description: FileDescription, cloexec: bool = False, minimum: int = 0) -> int:
        fd = self.lowest_free(minimum)
        self.place(fd, description, cloexec)
        return fd

    def place(self, fd: int, description: FileDescription, cloexec: bool = False) -> None:
        """Put ``description`` at ``fd``, closing what was there (dup2 semantics)."""
        if fd < 0 or fd >= self.limit:
            raise SyscallError(abi.EBADF)
        description.refs += 1
        old = self.entries.get(fd)
        self.entries[fd] = FdEntry(description, cloexec)
        if old is not None:
            release(old.description)

    def close(self, fd: int) -> None:
        entry = self.entries.pop(fd, None)
        if entry is None:
            raise SyscallError(abi.EBADF)
        release(entry.description)

    def close_all(self) -> None:
        for fd in list(self.entries):
            self.close(fd)


def release(description: FileDescription) -> None:
    description.refs -= 1
    if description.refs == 0:
        description.close()
        for hook in list(description.release_hooks):
            hook()

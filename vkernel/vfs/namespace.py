"""The container's mount table and the one path resolver (invariant 2).

A :class:`Location` is a canonical position: its path has no symlinks, no '.' or '..',
and its parent chain leads to the root.  Resolution walks one component at a time from
a Location, crosses mounts by canonical path, follows symlinks inside this namespace,
and stops '..' at the root, so no path can name anything outside the mounts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs.inode import NAME_MAX, PATH_MAX, Filesystem, Inode

MAX_SYMLINKS = 40


class Location:
    __slots__ = ("path", "inode", "parent")

    def __init__(self, path: bytes, inode: Inode, parent: Location | None) -> None:
        self.path = path
        self.inode = inode
        self.parent = parent

    def __repr__(self) -> str:
        return f"Location({self.path!r})"


@dataclass
class Mount:
    path: bytes
    fs: Filesystem
    source: str
    options: list[str] = field(default_factory=list)

    @property
    def readonly(self) -> bool:
        return self.fs.readonly


def join(parent: bytes, name: bytes) -> bytes:
    return parent + name if parent.endswith(b"/") else parent + b"/" + name


class Namespace:
    """Mounts by canonical path, and path resolution over them."""

    def __init__(self, root: Mount) -> None:
        self.mounts: dict[bytes, Mount] = {b"/": root}
        self.root = Location(b"/", root.fs.root(), None)
        # Called before any symlink is followed (the policy's [files] symlinks, in
        # vkernel/policy/paths.py): (namespace, link's directory, link, links so far);
        # it raises the refusal.  None follows every link.
        self.symlink_guard: Callable[[Namespace, Location, Location, int], None] | None = None

    def mount(self, mount: Mount) -> None:
        """Mount over a directory; it and its missing parents are created, as `docker -v` does."""
        path = mount.path.rstrip(b"/") or b"/"
        mount.path = path
        if path != b"/":
            parent_path, _, name = path.rpartition(b"/")
            parent = self.root
            for component in (c for c in parent_path.split(b"/") if c):
                try:
                    parent = self.resolve(parent, component)
                except SyscallError:
                    self._make_mountpoint(parent.inode, component)
                    parent = self.resolve(parent, component)   # ENOENT if it could not be made
            try:
                parent.inode.lookup(name)
            except SyscallError:
                self._make_mountpoint(parent.inode, name)
        self.mounts[path] = mount
        if path == b"/":
            self.root = Location(b"/", mount.fs.root(), None)

    @staticmethod
    def _make_mountpoint(parent: Inode, name: bytes) -> None:
        # The kernel's root overlay holds its mount points already (an in-memory bottom
        # layer, so none lands in a host-backed upper layer); elsewhere a missing one is
        # made where the parent can hold it (a read-only host mount cannot).
        try:
            parent.mkdir(name, 0o755, 0, 0)
        except SyscallError:
            pass

    def mount_of(self, loc: Location) -> Mount:
        """The mount a location lives on."""
        probe: Location | None = loc
        while probe is not None:
            mount = self.mounts.get(probe.path)
            if mount is not None and mount.fs is probe.inode.fs:
                return mount
            probe = probe.parent
        return self.mounts[b"/"]

    def step(self, loc: Location, name: bytes) -> Location:
        """One component below a directory, crossing into a mount if one is there.
        "." and ".." are the namespace's (invariant 2): never a filesystem's lookup."""
        if name == b".":
            return loc
        if name == b"..":
            return loc.parent or loc
        if len(name) > NAME_MAX:
            raise SyscallError(abi.ENAMETOOLONG)
        path = join(loc.path, name)
        mount = self.mounts.get(path)
        if mount is not None:
            return Location(path, mount.fs.root(), loc)
        return Location(path, loc.inode.lookup(name), loc)

    def resolve(self, start: Location, path: bytes, follow: bool = True) -> Location:
        """The object ``path`` names; ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG as Linux."""
        loc, _ = self._walk(start, path, follow, 0)
        return loc

    def resolve_parent(self, start: Location, path: bytes) -> tuple[Location, bytes, bool]:
        """(directory, last component, trailing slash) for calls that create or remove."""
        if not path:
            raise SyscallError(abi.ENOENT)
        if len(path) >= PATH_MAX:
            raise SyscallError(abi.ENAMETOOLONG)
        trailing = path.endswith(b"/")
        stripped = path.rstrip(b"/")
        if not stripped:
            return self.root, b".", True
        head, sep, name = stripped.rpartition(b"/")
        if sep and not head:
            directory = self.root
        elif sep:
            directory = self.resolve(start, head)
        else:
            directory = start
        if not directory.inode.is_dir:
            raise SyscallError(abi.ENOTDIR)
        if len(name) > NAME_MAX:
            raise SyscallError(abi.ENAMETOOLONG)
        return directory, name, trailing

    def follow_last(self, directory: Location, name: bytes, links: int = 0) -> tuple[Location | None, Location, bytes]:
        """Resolve ``name`` in ``directory`` following a final symlink, for O_CREAT.

        Returns (existing object or None, directory where it would be created, name).
        A dangling final symlink yields the place its target would be created.
        """
        while True:
            if name == b"..":
                return (directory.parent or directory), directory, name
            if name == b".":
                return directory, directory, name
            try:
                loc = self.step(directory, name)
            except SyscallError as exc:
                if exc.errno == abi.ENOENT:
                    return None, directory, name
                raise
            if not loc.inode.is_symlink:
                return loc, directory, name
            if self.symlink_guard is not None:
                self.symlink_guard(self, directory, loc, links)
            jumped = loc.inode.jump()
            if jumped is not None:
                return jumped, directory, name
            links += 1
            if links > MAX_SYMLINKS:
                raise SyscallError(abi.ELOOP)
            target = loc.inode.readlink()
            if not target:
                raise SyscallError(abi.ENOENT)
            directory, name, trailing = self.resolve_parent(directory, target)
            if trailing:
                return self.resolve(directory, join(b"", name) if name else b"."), directory, name

    def _walk(self, start: Location, path: bytes, follow_final: bool, links: int) -> tuple[Location, int]:
        if not path:
            raise SyscallError(abi.ENOENT)
        if len(path) >= PATH_MAX:
            raise SyscallError(abi.ENAMETOOLONG)
        loc = self.root if path.startswith(b"/") else start
        must_dir = path.endswith(b"/")
        pending = [c for c in reversed(path.split(b"/")) if c]
        while pending:
            name = pending.pop()
            if not loc.inode.is_dir:
                raise SyscallError(abi.ENOTDIR)
            if name == b".":
                continue
            if name == b"..":
                loc = loc.parent or loc
                continue
            child = self.step(loc, name)
            if child.inode.is_symlink and (pending or follow_final or must_dir):
                if self.symlink_guard is not None:
                    self.symlink_guard(self, loc, child, links)
                jumped = child.inode.jump()
                if jumped is not None:
                    loc = jumped
                    continue
                links += 1
                if links > MAX_SYMLINKS:
                    raise SyscallError(abi.ELOOP)
                target = child.inode.readlink()
                if not target:
                    raise SyscallError(abi.ENOENT)
                if target.startswith(b"/"):
                    loc = self.root
                if target.endswith(b"/") and not pending:
                    must_dir = True
                pending.extend(c for c in reversed(target.split(b"/")) if c)
                continue
            loc = child
        if must_dir and not loc.inode.is_dir:
            raise SyscallError(abi.ENOTDIR)
        return loc, links

"""[files] symlinks: the symlink policy, applied by the namespace's resolver.

The resolver (vkernel/vfs/namespace.py) calls the guard before it follows any symlink,
including /proc's magic links (/proc/self/root, /proc/PID/fd/N, /proc/self/cwd):

  follow            no guard at all: links are followed inside the container's root
  refuse-outside    a link whose target resolves onto another mount than the link's
                    own is refused with EACCES (as fs.protected_symlinks refuses)
  refuse            every link stored in the container's files (host mounts, the
                    overlay, tmpfs) is refused with ELOOP (as O_NOFOLLOW and
                    RESOLVE_NO_SYMLINKS report it); the kernel's own links in /proc
                    and /dev (/proc/self, /dev/stdin, magic links) are held to
                    refuse-outside instead, so /proc/self/... still works while
                    /proc/self/root and /proc/self/fd/N are refused

Each refusal is audited (action "deny", rule "files.symlinks").  Links that are not
followed (lstat, readlink, unlink, O_NOFOLLOW|O_PATH) are never refused.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.policy.quota import current_call
from vkernel.vfs.namespace import MAX_SYMLINKS

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.vfs.namespace import Location, Namespace

Guard = Callable[["Namespace", "Location", "Location", int], None]
KERNEL_FILESYSTEMS = ("proc", "devtmpfs")          # Mount.source of the kernel's /proc and /dev


def symlink_guard(kernel: Kernel, policy: str) -> Guard | None:
    """The namespace's guard for ``policy`` (None for "follow": nothing to check)."""
    if policy == "follow":
        return None

    def refuse(link: Location, target: bytes, errno: int, why: str) -> None:
        t, syscall = current_call(kernel)
        kernel.audit.record(t, syscall, "deny", f"symlink policy {policy}: {why}",
                            {"path": link.path.decode(errors="replace"),
                             "target": target.decode(errors="replace")}, rule="files.symlinks")
        raise SyscallError(errno)

    # Links already found to land inside their mount during the current outermost
    # check: the walk that checks a link meets the links along its target, and the
    # resolver meets them again afterwards; without this a chain of n links would be
    # walked 2**n times.  Cleared when a check starts from outside any other check,
    # so no verdict outlives the syscall that made it.
    landed_inside: set[bytes] = set()
    depth = [0]

    def guard(ns: Namespace, parent: Location, link: Location, links: int) -> None:
        if depth[0] == 0:
            landed_inside.clear()
        elif link.path in landed_inside:
            return
        jumped = link.inode.jump()
        target = jumped.path if jumped is not None else link.inode.readlink()
        home = ns.mount_of(link)
        if policy == "refuse" and home.source not in KERNEL_FILESYSTEMS:
            refuse(link, target, abi.ELOOP, "symlinks are not followed")
        depth[0] += 1
        try:
            dest = jumped if jumped is not None else _landing(ns, parent, target, links)
        finally:
            depth[0] -= 1
        if dest is not None and ns.mount_of(dest) is not home:
            refuse(link, target, abi.EACCES, f"the target is outside the link's mount {home.path.decode()}")
        landed_inside.add(link.path)

    return guard


def _landing(ns: Namespace, parent: Location, target: bytes, links: int) -> Location | None:
    """Where ``target`` leads from the link's directory: the object, or for a dangling
    link the directory its last component would be created in; None when the path
    itself fails (the resolver then reports that error)."""
    if not target or links >= MAX_SYMLINKS:
        return None                     # the resolver reports ENOENT or ELOOP itself
    try:
        # The resolver's own walk, with the links followed so far, so a loop of links
        # ends in ELOOP.  Any error but ENOENT is the one the resolver would meet on
        # the same walk (ELOOP, ENOTDIR, a refusal further along): it stands.
        return ns._walk(parent, target, True, links + 1)[0]
    except SyscallError as exc:
        if exc.errno != abi.ENOENT:
            raise
    try:
        return ns.resolve_parent(parent, target)[0]
    except SyscallError as exc:
        if exc.errno == abi.EACCES:
            raise
        return None

"""The host-path oracle (DESIGN.md invariant 2): while fuzzed calls run, every host call
the kernel makes with a path is checked against the container's mounts.

The kernel's modules that touch the host see an auditing stand-in for ``os`` (and for
hostfs's ``open_beneath``); each path argument is resolved to the host location it
names (a directory fd's own location from /proc/self/fd, joined with the name) and must
lie below one of the mounts' host directories.  Opened fds are checked the same way,
after the fact, so a host symlink that slipped through would show too.
"""
from __future__ import annotations

import functools
import os
import sys
from typing import Any, Callable

# The kernel's modules that call the host.
MODULES = ("vkernel.vfs.hostfs", "vkernel.vfs.file", "vkernel.vfs.devfs", "vkernel.vfs.overlay",
           "vkernel.vfs.layers", "vkernel.kernel", "vkernel.net.inet")
# Host paths the kernel opens by design, outside any mount: the controlling terminal
# behind the container's /dev/tty.
BY_DESIGN = ("/dev/tty",)
# os functions taking paths: name -> (positions of path arguments, their dir_fd keywords).
_PATH_ARGS: dict[str, tuple[tuple[int, str], ...]] = {
    "open": ((0, "dir_fd"),), "stat": ((0, "dir_fd"),), "lstat": ((0, "dir_fd"),),
    "mkdir": ((0, "dir_fd"),), "rmdir": ((0, "dir_fd"),), "unlink": ((0, "dir_fd"),),
    "remove": ((0, "dir_fd"),), "symlink": ((1, "dir_fd"),), "readlink": ((0, "dir_fd"),),
    "link": ((0, "src_dir_fd"), (1, "dst_dir_fd")), "rename": ((0, "src_dir_fd"), (1, "dst_dir_fd")),
    "replace": ((0, "src_dir_fd"), (1, "dst_dir_fd")), "chmod": ((0, "dir_fd"),), "chown": ((0, "dir_fd"),),
    "utime": ((0, "dir_fd"),), "access": ((0, "dir_fd"),), "truncate": ((0, ""),), "scandir": ((0, ""),),
    "listdir": ((0, ""),), "mknod": ((0, "dir_fd"),), "mkfifo": ((0, "dir_fd"),),
    "getxattr": ((0, ""),), "setxattr": ((0, ""),), "listxattr": ((0, ""),), "removexattr": ((0, ""),),
}


def fd_location(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return f"<fd {fd}: not open>"


class HostAudit:
    """Install with ``with HostAudit(roots):``; ``problems`` collects violations (the
    harness takes them after each call)."""

    def __init__(self, roots: list[str]) -> None:
        self.roots = [os.path.realpath(r) for r in roots]
        self.problems: list[str] = []
        self._saved: list[tuple[Any, str, Any]] = []
        self._proxy = _AuditedOs(self)
        self._wrapped_beneath: dict[int, Callable] = {}

    # -- checks ----------------------------------------------------------------------
    def inside(self, location: str) -> bool:
        if location in BY_DESIGN:
            return True
        return any(location == root or location.startswith(root.rstrip("/") + "/") for root in self.roots)

    def check_location(self, what: str, location: str) -> None:
        if not self.inside(location):
            self.problems.append(f"{what}: host path {location!r} is outside the container's mounts")

    def check_path(self, what: str, path: Any, dir_fd: int | None) -> None:
        if isinstance(path, int):
            return                      # an fd the kernel already holds (checked when opened)
        name = os.fsdecode(path)
        if name.startswith("/proc/self/fd/") and name[len("/proc/self/fd/"):].isdigit():
            # An fd's own link (hostfs names an O_PATH fd so for the xattr calls): where it points.
            self.check_location(what, fd_location(int(name[len("/proc/self/fd/"):])))
            return
        if ".." in name.split("/"):
            self.problems.append(f"{what}: host path {name!r} has a '..' component")
        if name.startswith("/"):
            location = os.path.normpath(name)
        elif dir_fd is None:
            self.problems.append(f"{what}: relative host path {name!r} without a directory fd")
            return
        else:
            location = os.path.normpath(os.path.join(fd_location(dir_fd), name))
        self.check_location(what, location)

    # -- wrappers --------------------------------------------------------------------
    def _wrap(self, name: str, real: Callable) -> Callable:
        spec = _PATH_ARGS[name]

        @functools.wraps(real)
        def audited(*args: Any, **kwargs: Any) -> Any:
            for pos, key in spec:
                path = args[pos] if pos < len(args) else kwargs.get(("src", "dst")[pos] if key.endswith("_dir_fd") else "path")
                if path is not None:
                    self.check_path(f"os.{name}", path, kwargs.get(key) if key else None)
            result = real(*args, **kwargs)
            if name == "open":
                self.check_location("os.open", fd_location(result))
            return result
        return audited

    def _open_beneath(self, real: Callable) -> Callable:
        @functools.wraps(real)
        def audited(root_fd: int, rel: bytes, flags: int, mode: int = 0) -> int:
            self.check_location("openat2 root", fd_location(root_fd))
            if rel.startswith(b"/") or b".." in rel.split(b"/"):
                self.problems.append(f"openat2: {rel!r} is not a plain path below its root")
            fd = real(root_fd, rel, flags, mode)
            self.check_location("openat2", fd_location(fd))
            return fd
        return audited

    def __enter__(self) -> HostAudit:
        proxy = self._proxy
        for name in MODULES:
            module = sys.modules.get(name)
            if module is not None and getattr(module, "os", None) is os:
                self._saved.append((module, "os", os))
                module.os = proxy       # type: ignore[attr-defined]
        hostfs = sys.modules.get("vkernel.vfs.hostfs")
        real = getattr(hostfs, "open_beneath", None)
        if real is not None:
            if id(real) not in self._wrapped_beneath:
                self._wrapped_beneath[id(real)] = self._open_beneath(real)
            for name in MODULES:             # hostfs's own, and where it was imported by name
                module = sys.modules.get(name)
                if module is not None and getattr(module, "open_beneath", None) is real:
                    self._saved.append((module, "open_beneath", real))
                    module.open_beneath = self._wrapped_beneath[id(real)]  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        for module, attr, value in reversed(self._saved):
            setattr(module, attr, value)
        self._saved.clear()

    def take(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems


class _AuditedOs:
    """``os`` with its path-taking functions audited; everything else is the real one
    (cached on first use, so the hot paths pay one dict lookup)."""

    def __init__(self, audit: HostAudit) -> None:
        self._audit = audit

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        value = self._audit._wrap(name, real) if name in _PATH_ARGS and callable(real) else real
        setattr(self, name, value)
        return value

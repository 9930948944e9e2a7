"""VFS unit tests: resolution never escapes the root, overlay copy-up and whiteouts,
host symlinks never followed by the host."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs.hostfs import HostFS
from vkernel.vfs.inode import InodeNumbers
from vkernel.vfs.layers import LowerLayer
from vkernel.vfs.memfs import MemFS
from vkernel.vfs.namespace import Mount, Namespace
from vkernel.vfs.overlay import OverlayFS


@pytest.fixture
def lower(tmp_path: Path) -> Path:
    root = tmp_path / "lower"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "conf").write_text("lower data")
    (root / "dir" / "sub").mkdir(parents=True)
    (root / "dir" / "a").write_text("a")
    os.symlink("/etc/conf", root / "abs_link")
    os.symlink("../../..", root / "dir" / "up")
    (tmp_path / "secret").write_text("outside")
    os.symlink(str(tmp_path / "secret"), root / "host_escape")
    return root


def overlay_ns(lower: Path) -> tuple[Namespace, OverlayFS]:
    numbers = InodeNumbers()
    host = HostFS(numbers, 1, str(lower), readonly=True)
    fs = OverlayFS(numbers, 2, [LowerLayer(host.root(), str(lower), marked=False)])
    return Namespace(Mount(b"/", fs, "overlay")), fs


def read_all(ns: Namespace, path: bytes) -> bytes:
    desc = ns.resolve(ns.root, path).inode.open(abi.O_RDONLY)
    buf = bytearray(4096)
    n = desc.pread([memoryview(buf)], 0)
    return bytes(buf[:n])


def test_dotdot_stops_at_root(lower: Path) -> None:
    ns, _ = overlay_ns(lower)
    assert ns.resolve(ns.root, b"/../../etc/../..").path == b"/"
    assert ns.resolve(ns.root, b"/dir/up/etc/conf").path == b"/etc/conf"


def test_symlinks_resolve_inside_the_namespace(lower: Path) -> None:
    ns, _ = overlay_ns(lower)
    assert read_all(ns, b"/abs_link") == b"lower data"      # "/etc/conf" means the container's
    with pytest.raises(SyscallError) as exc:
        ns.resolve(ns.root, b"/host_escape")                 # absolute host path: not in here
    assert exc.value.errno == abi.ENOENT


def test_symlink_loops_give_eloop(tmp_path: Path) -> None:
    root = tmp_path / "loop"
    root.mkdir()
    os.symlink("b", root / "a")
    os.symlink("a", root / "b")
    numbers = InodeNumbers()
    ns = Namespace(Mount(b"/", HostFS(numbers, 1, str(root)), "host"))
    with pytest.raises(SyscallError) as exc:
        ns.resolve(ns.root, b"/a")
    assert exc.value.errno == abi.ELOOP


def test_overlay_copy_up_keeps_lower_untouched(lower: Path) -> None:
    ns, _ = overlay_ns(lower)
    loc = ns.resolve(ns.root, b"/etc/conf")
    ino = loc.inode.ino
    desc = loc.inode.open(abi.O_WRONLY | abi.O_TRUNC)
    desc.write([b"upper data"])
    assert read_all(ns, b"/etc/conf") == b"upper data"
    assert (lower / "etc" / "conf").read_text() == "lower data"
    assert ns.resolve(ns.root, b"/etc/conf").inode.ino == ino     # copy-up keeps the inode number


def test_overlay_whiteout_and_opaque_directory(lower: Path) -> None:
    ns, _ = overlay_ns(lower)
    d = ns.resolve(ns.root, b"/dir").inode
    d.unlink(b"a")
    assert b"a" not in [name for name, _, _ in d.entries()]
    assert (lower / "dir" / "a").exists()
    with pytest.raises(SyscallError):
        ns.resolve(ns.root, b"/dir/a")
    d.rmdir(b"sub")
    d.mkdir(b"sub", 0o755, 0, 0)
    assert ns.resolve(ns.root, b"/dir/sub").inode.entries() == []
    root = ns.root.inode
    with pytest.raises(SyscallError) as exc:
        root.rmdir(b"dir")
    assert exc.value.errno == abi.ENOTEMPTY


def test_overlay_rename_of_lower_directory_is_exdev(lower: Path) -> None:
    ns, _ = overlay_ns(lower)
    root = ns.root.inode
    with pytest.raises(SyscallError) as exc:
        root.rename(b"dir", root, b"moved", 0)
    assert exc.value.errno == abi.EXDEV
    root.rename(b"abs_link", root, b"link2", 0)
    assert sorted(n for n, _, _ in root.entries()) == [b"dir", b"etc", b"host_escape", b"link2"]


def test_readonly_host_mount_refuses_writes(lower: Path) -> None:
    numbers = InodeNumbers()
    ns = Namespace(Mount(b"/", MemFS(numbers, 1), "tmpfs"))
    ns.mount(Mount(b"/ro", HostFS(numbers, 2, str(lower), readonly=True), str(lower)))
    etc = ns.resolve(ns.root, b"/ro/etc").inode
    with pytest.raises(SyscallError) as exc:
        etc.create(b"new", 0o644, 0, 0)
    assert exc.value.errno == abi.EROFS
    with pytest.raises(SyscallError):
        ns.resolve(ns.root, b"/ro/etc/conf").inode.open(abi.O_RDWR)
    assert ns.resolve(ns.root, b"/ro/..").path == b"/"


def test_host_symlinked_directory_is_not_followed_by_the_host(tmp_path: Path) -> None:
    """openat2(RESOLVE_NO_SYMLINKS): even a path we never resolved ourselves cannot
    take the host through a symlink."""
    from vkernel.vfs.hostfs import open_beneath
    root = tmp_path / "r"
    root.mkdir()
    os.symlink(str(tmp_path), root / "out")
    fd = os.open(root, os.O_PATH)
    try:
        with pytest.raises(OSError):
            open_beneath(fd, b"out/secret", os.O_RDONLY)
        with pytest.raises(OSError):
            open_beneath(fd, b"../r", os.O_RDONLY)
    finally:
        os.close(fd)

"""Extended attributes: tests/programs/fs_xattr.c natively and under vkemu on tmpfs, the
overlay's in-memory and host (--upper) writable layers, a read-write -v mount, with
copy-up from a --layer directory or tarball; the namespaces the container may not use."""
from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from conftest import program, run_native, run_vkemu
from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs import xattr
from vkernel.vfs.hostfs import HostFS
from vkernel.vfs.inode import InodeNumbers
from vkernel.vfs.layers import LowerLayer, load_tar
from vkernel.vfs.memfs import MemFS
from vkernel.vfs.overlay import OverlayFS


def host_has_user_xattrs(directory: Path) -> bool:
    probe = directory / ".xattr-probe"
    probe.write_text("")
    try:
        os.setxattr(probe, "user.probe", b"1")
        return True
    except OSError:
        return False
    finally:
        probe.unlink()


@pytest.fixture
def native_dir(tmp_path: Path) -> Path:
    if not host_has_user_xattrs(tmp_path):
        pytest.skip(f"the host filesystem of {tmp_path} has no user.* extended attributes")
    return tmp_path


def lower_file(directory: Path) -> Path:
    """A file carrying user.origin="lower", as fs_xattr.c expects of its LOWER."""
    path = directory / "lowerdata" / "file"
    path.parent.mkdir(parents=True)
    path.write_text("lower\n")
    os.setxattr(path, "user.origin", b"lower")
    return path


def native(prog: str, tmp_path: Path, with_lower: bool) -> bytes:
    args = [prog, str(tmp_path / "native")]
    if with_lower:
        args.append(str(lower_file(tmp_path / "native_lower")))
    res = run_native(args)
    assert res.returncode == 0, res.stderr
    assert b"get: 5 'hello'" in res.stdout
    return res.stdout


def xattrs(path: Path) -> dict[str, bytes]:
    return {name: os.getxattr(path, name) for name in os.listxattr(path)}


def test_xattrs_in_tmpfs_and_copied_up_from_a_layer(native_dir: Path, variant: str) -> None:
    prog = program("fs_xattr", variant)
    expected = native(prog, native_dir, with_lower=True)
    layer = native_dir / "layer"
    lower_file(layer)
    res = run_vkemu(["--layer", str(layer), prog, "/tmp/w", "/lowerdata/file"])
    assert res.returncode == 0, res.stderr
    assert res.stdout == expected
    assert xattrs(layer / "lowerdata" / "file") == {"user.origin": b"lower"}     # the layer untouched


def test_xattrs_in_a_host_upper_layer(native_dir: Path) -> None:
    prog = program("fs_xattr")
    expected = native(prog, native_dir, with_lower=True)
    layer, upper = native_dir / "layer", native_dir / "upper"
    lower_file(layer)
    upper.mkdir()
    res = run_vkemu(["--layer", str(layer), "--upper", str(upper), prog, "/w", "/lowerdata/file"])
    assert res.returncode == 0, res.stderr
    assert res.stdout == expected
    # The host directory holds what the guest set: the copy-up carried user.origin,
    # which the guest then removed; the lower file kept it.
    assert xattrs(upper / "lowerdata" / "file") == {"user.new": b"upper"}
    assert xattrs(layer / "lowerdata" / "file") == {"user.origin": b"lower"}
    assert xattrs(upper / "w" / "f") == xattrs(native_dir / "native" / "f")
    assert xattrs(upper / "w" / "d") == {"user.d": b"dir"}


def test_copy_up_from_a_tar_layer_keeps_its_xattrs(native_dir: Path) -> None:
    prog = program("fs_xattr")
    expected = native(prog, native_dir, with_lower=True)
    tar_path = native_dir / "layer.tar"
    with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("lowerdata/file")
        info.size, info.mode = 6, 0o644
        info.pax_headers = {"SCHILY.xattr.user.origin": "lower"}
        tar.addfile(info, io.BytesIO(b"lower\n"))
    res = run_vkemu(["--layer", str(tar_path), prog, "/tmp/w", "/lowerdata/file"])
    assert res.returncode == 0, res.stderr
    assert res.stdout == expected


def test_xattrs_on_a_read_write_volume(native_dir: Path) -> None:
    prog = program("fs_xattr")
    expected = native(prog, native_dir, with_lower=False)
    vol = native_dir / "vol"
    vol.mkdir()
    res = run_vkemu(["-v", f"{vol}:/vol:rw", prog, "/vol/w"])
    assert res.returncode == 0, res.stderr
    assert res.stdout == expected
    assert xattrs(vol / "w" / "f") == xattrs(native_dir / "native" / "f")


# -- the namespaces a container may not use, in-process ----------------------------------------

def errno_of(fn, *args) -> int:
    with pytest.raises(SyscallError) as exc:
        fn(*args)
    return exc.value.errno


def allow(mask: int) -> None:
    """The caller's DAC check, passed (root)."""


def test_trusted_and_security_need_cap_sys_admin(tmp_path: Path) -> None:
    """Root in a container has no CAP_SYS_ADMIN: trusted.* cannot be written and is
    invisible; security.* is read-only; system.* (ACLs) is not supported."""
    tar_path = tmp_path / "caps.tar"
    with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("bin/ping")
        info.mode = 0o755
        info.pax_headers = {"SCHILY.xattr.security.capability": "\x01\x00\x00\x02",
                            "SCHILY.xattr.trusted.note": "hidden", "SCHILY.xattr.user.kept": "yes",
                            "SCHILY.xattr.bogus.name": "x"}
        tar.addfile(info, io.BytesIO(b""))
    warnings: list[str] = []
    numbers = InodeNumbers()
    layer = load_tar(numbers, 1, str(tar_path), warnings.append)
    assert any("bogus.name" in w for w in warnings)
    fs = OverlayFS(numbers, 2, [LowerLayer(layer.root(), str(tar_path), marked=True)])
    ping = fs.root().lookup(b"bin").lookup(b"ping")
    assert xattr.visible(ping) == [b"security.capability", b"user.kept"]
    assert xattr.read(ping, b"security.capability", 0, allow) == b"\x01\x00\x00\x02"
    assert errno_of(xattr.read, ping, b"trusted.note", 0, allow) == abi.ENODATA
    assert errno_of(xattr.write, ping, b"trusted.x", b"v", 0, 0, allow) == abi.EPERM
    assert errno_of(xattr.write, ping, b"security.x", b"v", 0, 0, allow) == abi.EPERM
    assert errno_of(xattr.remove, ping, b"security.capability", 0, allow) == abi.EPERM
    assert errno_of(xattr.read, ping, b"system.posix_acl_access", 0, allow) == abi.EOPNOTSUPP
    # A user.* change copies the file up with every attribute it had.
    xattr.write(ping, b"user.more", b"1", abi.XATTR_CREATE, 0, allow)
    assert ping.upper is not None
    assert sorted(ping.upper.xattrs) == [b"security.capability", b"trusted.note", b"user.kept", b"user.more"]


def test_host_directories_show_only_user_xattrs(tmp_path: Path) -> None:
    if not host_has_user_xattrs(tmp_path):
        pytest.skip("no user.* extended attributes on the host filesystem")
    (tmp_path / "f").write_text("")
    os.setxattr(tmp_path / "f", "user.a", b"1")
    fs = HostFS(InodeNumbers(), 1, str(tmp_path), readonly=False)
    f = fs.root().lookup(b"f")
    assert xattr.visible(f) == [b"user.a"]
    assert errno_of(xattr.read, f, b"security.selinux", 0, allow) == abi.ENODATA
    # Never a host trusted.* or security.* attribute, even for root.
    assert errno_of(f.setxattr, b"trusted.overlay.opaque", b"y", 0) == abi.EOPNOTSUPP
    ro = HostFS(InodeNumbers(), 2, str(tmp_path), readonly=True).root().lookup(b"f")
    assert errno_of(xattr.write, ro, b"user.b", b"1", 0, 0, allow) == abi.EROFS


def test_xattr_bytes_count_against_the_writable_quota() -> None:
    class Space:
        held = 0

        def charge(self, delta: int, force: bool = False) -> None:
            if delta > 0 and self.held + delta > 100 and not force:
                raise SyscallError(abi.ENOSPC)
            self.held += delta

    fs = MemFS(InodeNumbers(), 1)
    fs.space = Space()  # type: ignore[assignment]
    f = fs.root().create(b"f", 0o644, 0, 0)
    f.setxattr(b"user.a", b"x" * 50, 0)
    assert errno_of(f.setxattr, b"user.b", b"x" * 50, 0) == abi.ENOSPC
    f.setxattr(b"user.a", b"x" * 10, abi.XATTR_REPLACE)
    assert fs.space.held == len(b"user.a") + 10
    fs.root().unlink(b"f")
    assert fs.space.held == 0


def test_host_xattr_calls_stay_below_the_mount(tmp_path: Path) -> None:
    """Invariant 2 as the fuzzer's host-path oracle checks it: hostfs names the file for
    the host's xattr calls by an fd opened beneath the mount."""
    from tools.fuzz.hostaudit import HostAudit
    if not host_has_user_xattrs(tmp_path):
        pytest.skip("no user.* extended attributes on the host filesystem")
    (tmp_path / "f").write_text("")
    with HostAudit([str(tmp_path)]) as audit:
        f = HostFS(InodeNumbers(), 1, str(tmp_path), readonly=False).root().lookup(b"f")
        f.setxattr(b"user.a", b"1", abi.XATTR_CREATE)
        assert f.getxattr(b"user.a") == b"1" and f.listxattr() == [b"user.a"]
        f.removexattr(b"user.a")
    assert audit.problems == []

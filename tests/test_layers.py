"""Root filesystems: --root, --layer (directories and tarballs with OCI whiteouts),
--upper (a writable layer kept on the host), the merged overlay's semantics, and the
seeded address-space layout (--seed)."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import program, run_native, run_vkemu
from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.vfs.hostfs import HostFS
from vkernel.vfs.inode import InodeNumbers
from vkernel.vfs.layers import LowerLayer, load_tar
from vkernel.vfs.namespace import Mount, Namespace
from vkernel.vfs.overlay import HostUpper, OverlayFS

BUSYBOX = "/bin/busybox"
pytestmark = pytest.mark.skipif(not Path(BUSYBOX).exists(), reason="busybox-static is not installed")


# -- building layers -----------------------------------------------------------------------------

def make_tree(root: Path, files: dict[str, str | None]) -> Path:
    """Files (text) and directories (None) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        if text is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    root.mkdir(parents=True, exist_ok=True)
    return root


def make_tar(path: Path, entries: list[tuple[str, str | None]], mode: str = "w:gz") -> Path:
    """A layer tarball: (name, text) files, (name, None) directories, in this order."""
    with tarfile.open(path, mode) as tar:
        for name, text in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if text is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                data = text.encode()
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    return path


def base_root(tmp_path: Path) -> Path:
    """A tiny container root: static busybox and its applet links, a few files."""
    root = make_tree(tmp_path / "root", {"etc/a": "a from root\n", "etc/b": "b from root\n",
                                         "data/x": "x\n", "data/y": "y\n", "keep/k": "k\n"})
    (root / "bin").mkdir()
    shutil.copy(BUSYBOX, root / "bin" / "busybox")
    for applet in ("sh", "ls", "cat", "stat", "echo", "rm", "mkdir", "mv", "ln"):
        os.symlink("busybox", root / "bin" / applet)
    return root


def image_layer(tmp_path: Path) -> Path:
    """Whiteout /etc/a, make /data opaque (only z stays), add /new/file."""
    return make_tar(tmp_path / "layer.tar.gz", [
        ("etc/", None), ("etc/.wh.a", ""), ("etc/c", "c from layer\n"),
        ("data/", None), ("data/.wh..wh..opq", ""), ("data/z", "z\n"),
        ("new/", None), ("new/file", "new\n"),
    ])


def overlay(lowers: list[LowerLayer], upper: Path | None = None) -> tuple[Namespace, OverlayFS, InodeNumbers]:
    numbers = lowers[0].root.fs.numbers
    writable = HostUpper(HostFS(numbers, 90, str(upper), readonly=False)) if upper is not None else None
    fs = OverlayFS(numbers, 91, lowers, writable)
    return Namespace(Mount(b"/", fs, "overlay")), fs, numbers


def host_layer(numbers: InodeNumbers, path: Path, marked: bool, dev: int) -> LowerLayer:
    return LowerLayer(HostFS(numbers, dev, str(path), readonly=True).root(), str(path), marked)


def names(ns: Namespace, path: bytes) -> list[bytes]:
    return sorted(n for n, _, _ in ns.resolve(ns.root, path).inode.entries())


def read(ns: Namespace, path: bytes) -> bytes:
    desc = ns.resolve(ns.root, path).inode.open(abi.O_RDONLY)
    buf = bytearray(1 << 16)
    n = desc.pread([memoryview(buf)], 0)
    desc.close()
    return bytes(buf[:n])


def write(ns: Namespace, path: bytes, data: bytes, flags: int = abi.O_WRONLY | abi.O_TRUNC) -> None:
    desc = ns.resolve(ns.root, path).inode.open(flags)
    desc.write([data])
    desc.sync()
    desc.close()


def enoent(ns: Namespace, path: bytes) -> bool:
    try:
        ns.resolve(ns.root, path)
    except SyscallError as exc:
        return exc.errno == abi.ENOENT
    return False


# -- the merged view, in-process --------------------------------------------------------------------

def test_tar_layer_whiteout_and_opaque_directory(tmp_path: Path) -> None:
    numbers = InodeNumbers()
    root = base_root(tmp_path)
    tar = load_tar(numbers, 2, str(image_layer(tmp_path)), warn=pytest.fail)
    ns, _, _ = overlay([LowerLayer(tar.root(), "layer", True), host_layer(numbers, root, False, 1)])
    assert names(ns, b"/etc") == [b"b", b"c"]                 # a whited out, markers never listed
    assert enoent(ns, b"/etc/a") and enoent(ns, b"/etc/.wh.a")
    assert names(ns, b"/data") == [b"z"]                      # opaque: x and y are gone
    assert enoent(ns, b"/data/x")
    assert read(ns, b"/new/file") == b"new\n" and read(ns, b"/etc/b") == b"b from root\n"
    assert names(ns, b"/keep") == [b"k"]


def test_layers_stack_in_command_line_order(tmp_path: Path) -> None:
    """The later layer is on top; a whiteout hides only the layers below it."""
    numbers = InodeNumbers()
    root = make_tree(tmp_path / "root", {"f": "root\n", "g": "root g\n"})
    first = make_tree(tmp_path / "l1", {"f": "layer 1\n", ".wh.g": "", "h": "h1\n"})
    second = make_tree(tmp_path / "l2", {"g": "layer 2\n", ".wh.h": ""})
    ns, _, _ = overlay([host_layer(numbers, second, True, 3), host_layer(numbers, first, True, 2),
                        host_layer(numbers, root, False, 1)])
    assert read(ns, b"/f") == b"layer 1\n"
    assert read(ns, b"/g") == b"layer 2\n"                    # whited out by l1, added back by l2
    assert names(ns, b"/") == [b"f", b"g"]


def test_root_layer_wh_files_are_plain_files(tmp_path: Path) -> None:
    numbers = InodeNumbers()
    root = make_tree(tmp_path / "root", {".wh.x": "plain\n", "x": "x\n"})
    ns, _, _ = overlay([host_layer(numbers, root, False, 1)])
    assert names(ns, b"/") == [b".wh.x", b"x"]


def test_whiteout_device_counts_in_a_directory_layer(tmp_path: Path) -> None:
    numbers = InodeNumbers()
    root = make_tree(tmp_path / "root", {"gone": "below\n"})
    layer = make_tree(tmp_path / "layer", {"kept": "k\n"})
    try:
        os.mknod(layer / "gone", 0o600 | 0o020000, os.makedev(0, 0))
    except PermissionError:
        pytest.skip("mknod of a character device needs privilege")
    ns, _, _ = overlay([host_layer(numbers, layer, True, 2), host_layer(numbers, root, False, 1)])
    assert names(ns, b"/") == [b"kept"] and enoent(ns, b"/gone")


def test_readdir_inode_numbers_match_stat_and_survive_copy_up(tmp_path: Path) -> None:
    numbers = InodeNumbers()
    root = base_root(tmp_path)
    tar = load_tar(numbers, 2, str(image_layer(tmp_path)), warn=pytest.fail)
    ns, fs, _ = overlay([LowerLayer(tar.root(), "layer", True), host_layer(numbers, root, False, 1)],
                        upper=make_tree(tmp_path / "upper", {}))
    before = {}
    for directory in (b"/", b"/etc", b"/data", b"/new"):
        for name, ino, _ in ns.resolve(ns.root, directory).inode.entries():
            path = directory.rstrip(b"/") + b"/" + name
            st = ns.resolve(ns.root, path, follow=False).inode.stat()
            assert (st.ino, st.dev) == (ino, fs.dev), path
            before[path] = ino
    write(ns, b"/etc/b", b"changed\n")
    write(ns, b"/new/file", b"changed too\n")
    assert ns.resolve(ns.root, b"/etc/b").inode.stat().ino == before[b"/etc/b"]
    assert ns.resolve(ns.root, b"/new/file").inode.stat().ino == before[b"/new/file"]
    assert dict((n, i) for n, i, _ in ns.resolve(ns.root, b"/etc").inode.entries())[b"b"] == before[b"/etc/b"]


@pytest.mark.parametrize("where", ["memory", "host"])
def test_copy_up_keeps_data_and_metadata(tmp_path: Path, where: str) -> None:
    numbers = InodeNumbers()
    root = make_tree(tmp_path / "root", {"etc/conf": "lower\n", "etc/other": "o\n"})
    os.chmod(root / "etc" / "conf", 0o640)
    os.chmod(root / "etc", 0o751)
    os.utime(root / "etc" / "conf", ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    upper = make_tree(tmp_path / "upper", {})
    ns, _, _ = overlay([host_layer(numbers, root, False, 1)], upper=upper if where == "host" else None)
    ns.resolve(ns.root, b"/etc/conf").inode.setattr(uid=os.getuid())    # a metadata-only copy-up
    st = ns.resolve(ns.root, b"/etc/conf").inode.stat()
    assert (st.mode & 0o7777, st.mtime_ns, st.gid) == (0o640, 1_600_000_000_000_000_000, os.getgid())
    assert ns.resolve(ns.root, b"/etc").inode.stat().mode & 0o7777 == 0o751
    write(ns, b"/etc/conf", b"upper\n")
    assert read(ns, b"/etc/conf") == b"upper\n" and (root / "etc" / "conf").read_text() == "lower\n"
    if where == "memory":
        assert not any(upper.iterdir())
        return
    assert (upper / "etc" / "conf").read_text() == "upper\n"
    assert os.stat(upper / "etc" / "conf").st_mode & 0o7777 == 0o640
    assert os.stat(upper / "etc").st_mode & 0o7777 == 0o751
    assert not (upper / "etc" / "other").exists()
    assert [p.name for p in (upper / "etc").iterdir()] == ["conf"]      # no copy-up temporary left


def test_host_upper_records_whiteouts_and_opaque_directories(tmp_path: Path) -> None:
    numbers = InodeNumbers()
    root = make_tree(tmp_path / "root", {"d/a": "a\n", "d/sub/s": "s\n", "e/x": "x\n"})
    upper = make_tree(tmp_path / "upper", {})
    ns, _, _ = overlay([host_layer(numbers, root, False, 1)], upper=upper)
    d = ns.resolve(ns.root, b"/d").inode
    d.unlink(b"a")
    (ns.resolve(ns.root, b"/d/sub").inode).unlink(b"s")
    d.rmdir(b"sub")
    d.mkdir(b"sub", 0o750, 0, 0)
    assert (upper / "d" / ".wh.a").is_file()
    assert (upper / "d" / "sub" / ".wh..wh..opq").is_file() and not (upper / "d" / ".wh.sub").exists()
    assert os.stat(upper / "d" / "sub").st_mode & 0o777 == 0o750
    assert names(ns, b"/d") == [b"sub"] and names(ns, b"/d/sub") == []
    ns.resolve(ns.root, b"/d").inode.open(abi.O_RDONLY | abi.O_DIRECTORY).sync()   # fsync of the upper dir
    with pytest.raises(SyscallError) as exc:
        d.create(b".wh.x", 0o644, 0, 0)
    assert exc.value.errno == abi.EPERM
    # A new overlay over the same upper directory sees the same merged view.
    ns2, _, _ = overlay([host_layer(InodeNumbers(), root, False, 1)], upper=upper)
    assert names(ns2, b"/d") == [b"sub"] and names(ns2, b"/d/sub") == [] and enoent(ns2, b"/d/a")


def test_rename_and_hard_links_in_the_upper_layer(tmp_path: Path) -> None:
    numbers = InodeNumbers()
    root = make_tree(tmp_path / "root", {"f": "f\n", "old/x": "x\n", "dir/": None})
    upper = make_tree(tmp_path / "upper", {})
    ns, _, _ = overlay([host_layer(numbers, root, False, 1)], upper=upper)
    top = ns.root.inode
    ino = ns.resolve(ns.root, b"/f").inode.ino
    top.rename(b"f", top, b"g", 0)
    assert enoent(ns, b"/f") and read(ns, b"/g") == b"f\n"
    assert ns.resolve(ns.root, b"/g").inode.ino == ino
    assert (upper / ".wh.f").is_file() and (upper / "g").read_text() == "f\n"
    # A directory made in the upper layer, renamed with its cached children.
    top.mkdir(b"made", 0o755, 0, 0)
    made = ns.resolve(ns.root, b"/made").inode
    made.create(b"inner", 0o644, 0, 0)
    write(ns, b"/made/inner", b"one\n")
    top.rename(b"made", ns.resolve(ns.root, b"/dir").inode, b"moved", 0)
    write(ns, b"/dir/moved/inner", b"two\n")
    assert (upper / "dir" / "moved" / "inner").read_text() == "two\n"
    # Renaming onto a whited-out lower directory shows none of the old entries.
    old = ns.resolve(ns.root, b"/old").inode
    old.unlink(b"x")
    top.rmdir(b"old")
    top.mkdir(b"fresh", 0o755, 0, 0)
    top.rename(b"fresh", top, b"old", 0)
    assert names(ns, b"/old") == []
    # Hard links: a lower file linked twice is one upper inode.
    top.link(b"g2", ns.resolve(ns.root, b"/g").inode)
    g, g2 = ns.resolve(ns.root, b"/g").inode, ns.resolve(ns.root, b"/g2").inode
    assert g.ino == g2.ino and g.stat().nlink == 2
    assert os.stat(upper / "g").st_ino == os.stat(upper / "g2").st_ino
    with pytest.raises(SyscallError) as exc:
        top.rename(b"keep_missing", top, b"x", 0)
    assert exc.value.errno == abi.ENOENT


def test_hostile_tarball_entries_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.tar"
    with tarfile.open(path, "w") as tar:
        def add(info: tarfile.TarInfo, data: bytes = b"") -> None:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data else None)
        add(tarfile.TarInfo("/abs"), b"absolute")
        add(tarfile.TarInfo("../escape"), b"up")
        add(tarfile.TarInfo("a/../../b"), b"up")
        link = tarfile.TarInfo("hl")
        link.type, link.linkname = tarfile.LNKTYPE, "../../etc/passwd"
        add(link)
        dev = tarfile.TarInfo("dev")
        dev.type, dev.devmajor, dev.devminor = tarfile.CHRTYPE, 1, 3
        add(dev)
        sym = tarfile.TarInfo("sym")
        sym.type, sym.linkname = tarfile.SYMTYPE, "/etc/passwd"
        add(sym)
        add(tarfile.TarInfo("ok"), b"fine\n")
        good_link = tarfile.TarInfo("ok2")
        good_link.type, good_link.linkname = tarfile.LNKTYPE, "ok"
        add(good_link)
    warnings: list[str] = []
    numbers = InodeNumbers()
    fs = load_tar(numbers, 1, str(path), warnings.append)
    assert sorted(fs.root().children) == [b"ok", b"ok2", b"sym"]
    assert fs.root().children[b"ok"] is fs.root().children[b"ok2"] and fs.root().children[b"ok"].nlink == 2
    assert len(warnings) == 5 and all("refused" in w for w in warnings)
    assert not (tmp_path / "escape").exists() and not Path("/abs").exists()
    with pytest.raises(SyscallError) as exc:
        fs.root().children[b"ok"].open(abi.O_RDWR)
    assert exc.value.errno == abi.EROFS


def test_truncated_tarball_keeps_what_was_read(tmp_path: Path) -> None:
    good = make_tar(tmp_path / "l.tar", [("a", "a" * 3000), ("b", "b" * 3000)], mode="w")
    cut = tmp_path / "cut.tar"
    cut.write_bytes(good.read_bytes()[:5000])
    warnings: list[str] = []
    fs = load_tar(InodeNumbers(), 1, str(cut), warnings.append)
    assert list(fs.root().children) == [b"a"] and warnings


# -- vkemu --root / --layer / --upper -------------------------------------------------------------

def test_busybox_sees_the_merged_view(tmp_path: Path) -> None:
    root = base_root(tmp_path)
    layer = image_layer(tmp_path)
    res = run_vkemu(["--root", str(root), "--layer", str(layer), str(root / "bin" / "busybox"), "sh", "-c",
                     "ls /etc /data /new; cat /etc/b /etc/c /new/file; cat /etc/a || echo no-a"])
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode() == ("/data:\nz\n\n/etc:\nb\nc\n\n/new:\nfile\n"
                                   "b from root\nc from layer\nnew\nno-a\n")


def test_root_replaces_the_host_root(tmp_path: Path) -> None:
    root = base_root(tmp_path)
    res = run_vkemu(["--root", str(root), str(root / "bin" / "busybox"), "ls", "/"])
    assert res.returncode == 0, res.stderr
    # The root's own entries and the mount points, nothing of the host's.
    assert res.stdout.decode().split() == ["bin", "data", "dev", "etc", "keep", "proc", "tmp"]


def test_st_dev_differs_per_mount(tmp_path: Path) -> None:
    root = base_root(tmp_path)
    vol = make_tree(tmp_path / "vol", {"v": "v\n"})
    res = run_vkemu(["--root", str(root), "--layer", str(image_layer(tmp_path)), "-v", f"{vol}:/vol",
                     str(root / "bin" / "busybox"), "stat", "-c", "%d", "/", "/etc/b", "/etc/c", "/tmp",
                     "/proc", "/vol", "/vol/v"])
    assert res.returncode == 0, res.stderr
    root_dev, b, c, tmp, proc, vol_dev, v = res.stdout.split()
    assert root_dev == b == c                      # one overlay mount, whatever layer a file is in
    assert vol_dev == v
    assert len({root_dev, tmp, proc, vol_dev}) == 4


def test_upper_survives_the_run(tmp_path: Path) -> None:
    root = base_root(tmp_path)
    upper = make_tree(tmp_path / "upper", {})
    busybox = str(root / "bin" / "busybox")
    res = run_vkemu(["--root", str(root), "--upper", str(upper), busybox, "sh", "-c",
                     "echo hello > /created; rm /etc/a; echo more >> /etc/b; mkdir -p /d/e; "
                     "mv /keep/k /keep/k2"])
    assert res.returncode == 0, res.stderr
    assert (upper / "created").read_text() == "hello\n"
    assert (upper / "etc" / "b").read_text() == "b from root\nmore\n"
    assert (upper / "etc" / ".wh.a").is_file() and (root / "etc" / "a").exists()
    assert (upper / "d" / "e").is_dir()
    assert not (upper / "dev").exists() and not (upper / "proc").exists()   # mount points stay out
    res = run_vkemu(["--root", str(root), "--upper", str(upper), busybox, "sh", "-c",
                     "cat /created /etc/b; ls /etc /keep"])
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode() == "hello\nb from root\nmore\n/etc:\nb\n\n/keep:\nk2\n"


def test_bad_layer_and_root_options(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file at all" * 40)
    res = run_vkemu(["--layer", str(junk), BUSYBOX, "true"])
    assert res.returncode == 2 and b"not a readable tar file" in res.stderr
    res = run_vkemu(["--root", str(tmp_path / "missing"), BUSYBOX, "true"])
    assert res.returncode == 2 and b"not a directory" in res.stderr
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        tar.addfile(tarfile.TarInfo("../outside"))
    res = run_vkemu(["--layer", str(evil), BUSYBOX, "true"])
    assert res.returncode == 0
    assert b"warning: layer" in res.stderr and b"refused" in res.stderr


def _library_closure(prog: str) -> list[str]:
    out = subprocess.run(["ldd", prog], capture_output=True, text=True, check=True).stdout
    return re.findall(r"(/\S+)", out)


def test_dynamic_program_under_root(tmp_path: Path) -> None:
    """ld.so and the libraries come from --root (only the ones /bin/ls needs are copied)."""
    if not shutil.which("ldd"):
        pytest.skip("ldd is not installed")
    root = make_tree(tmp_path / "root", {"only-here": "x\n"})
    res = run_vkemu(["--root", str(root), "/bin/ls", "/"])
    assert res.returncode == 126 and b"No such file or directory" in res.stderr   # no ld.so in the root
    for lib in _library_closure("/bin/ls"):
        dest = root / lib.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(os.path.realpath(lib), dest)
    res = run_vkemu(["--root", str(root), "/bin/ls", "/"])
    assert res.returncode == 0, res.stderr
    top = sorted(p.name for p in root.iterdir())
    assert res.stdout.decode().split() == sorted(set(top) | {"dev", "proc", "tmp"})


# -- the seeded layout ---------------------------------------------------------------------------

ET_DYN_BASE = 0x555555554000
MMAP_TOP = 0x7FFFF7FFF000
STACK_TOP = 0x7FFFFFFFF000


def _addresses(out: bytes) -> dict[str, int]:
    return {k: int(v, 16) for k, v in (line.split("=") for line in out.decode().splitlines()[1:])}


def test_layout_without_a_seed_is_linuxs_with_randomisation_off() -> None:
    """A static PIE lands where `setarch -R` puts it natively (the mmap area's top)."""
    prog = program("aslr", "gcc-static-pie")
    if not shutil.which("setarch"):
        pytest.skip("setarch is not installed")
    native = subprocess.run(["setarch", "-R", prog], capture_output=True)
    if native.returncode != 0:
        pytest.skip("setarch -R is not permitted here")
    emu = run_vkemu([prog])
    assert emu.returncode == 0, emu.stderr
    assert emu.stdout.splitlines()[:2] == native.stdout.splitlines()[:2]


def test_seed_chooses_a_repeatable_layout() -> None:
    prog = program("aslr", "gcc-static-pie")
    native = run_native([prog])
    assert native.returncode == 0
    runs = {seed: run_vkemu(["--seed", str(seed), prog]) for seed in (1, 2)}
    again = run_vkemu(["--seed", "1", prog])
    for res in (*runs.values(), again):
        assert res.returncode == 0, res.stderr
        assert res.stdout.splitlines()[0] == native.stdout.splitlines()[0]      # page offsets as Linux
        where = _addresses(res.stdout)
        for key in ("main", "map"):                  # a static PIE and mmap: the mmap area
            assert STACK_TOP - (17 << 30) - (1 << 40) <= where[key] < MMAP_TOP, key
        assert STACK_TOP - (16 << 30) - (8 << 20) <= where["stack"] < STACK_TOP
    assert again.stdout == runs[1].stdout
    one, two = (_addresses(r.stdout) for r in runs.values())
    assert all(one[key] != two[key] for key in ("main", "map", "stack"))


def test_seed_moves_a_dynamic_pie_and_its_interpreter() -> None:
    maps = {seed: run_vkemu(["--seed", str(seed), "/bin/cat", "/proc/self/maps"]) for seed in (7, 8)}
    first = maps[7].stdout.decode().splitlines()
    base = int(first[0].split("-")[0], 16)
    assert ET_DYN_BASE <= base < ET_DYN_BASE + (1 << 40) and base % 4096 == 0
    interp = [line for line in first if "ld-linux" in line]
    assert interp and int(interp[0].split("-")[0], 16) < STACK_TOP - (16 << 30)    # below the stack's range
    assert run_vkemu(["--seed", "7", "/bin/cat", "/proc/self/maps"]).stdout == maps[7].stdout
    assert maps[8].stdout.decode().splitlines()[0] != first[0]


def test_special_files_in_the_upper_layer(tmp_path: Path) -> None:
    """A bound AF_UNIX path is a socket inode in either kind of upper layer (a real
    socket file in a host one); other special files only in a memory one."""
    numbers = InodeNumbers()
    root = make_tree(tmp_path / "root", {"f": "f\n"})
    ns, _, _ = overlay([host_layer(numbers, root, False, 1)])
    ns.root.inode.mknod(b"sock", abi.S_IFSOCK | 0o755, 0, 0)
    assert ns.resolve(ns.root, b"/sock").inode.stat().mode & abi.S_IFMT == abi.S_IFSOCK
    upper = make_tree(tmp_path / "upper", {})
    ns, _, _ = overlay([host_layer(numbers, root, False, 1)], upper=upper)
    ns.root.inode.mknod(b"sock", abi.S_IFSOCK | 0o755, 0, 0)
    assert ns.resolve(ns.root, b"/sock").inode.stat().mode & abi.S_IFMT == abi.S_IFSOCK
    assert (upper / "sock").is_socket()
    with pytest.raises(SyscallError) as exc:
        ns.root.inode.mknod(b"fifo", abi.S_IFIFO | 0o644, 0, 0)
    assert exc.value.errno == abi.EPERM

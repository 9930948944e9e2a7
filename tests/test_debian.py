"""Debian's own dynamically linked programs (python3, sqlite3, lua5.4, coreutils, bash)
under vkemu, differential against native runs: same stdout, same exit status.

The inputs live in tests/debian/ and a directory the test fills with fixed metadata
(owner root, fixed mtimes), both mounted at their host paths so that every path the
programs print is the same in and out of the container."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_native, run_vkemu

DATA = Path(__file__).resolve().parent / "debian"
FIXED_TIME = 1_000_000_000          # 2001-09-09: `ls -l` prints the year, not the time


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory whose `ls -la` is the same on every run: contents, modes, owner, times."""
    top = tmp_path_factory.mktemp("lsroot")
    d = top / "d"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("hello\n")
    (d / "big").write_bytes(b"x" * 5000)
    (d / "empty").write_bytes(b"")
    (d / "link").symlink_to("a.txt")
    modes = {"a.txt": 0o640, "big": 0o644, "empty": 0o600, "sub": 0o755}
    for name, mode in modes.items():
        os.chmod(d / name, mode)
    os.chmod(d, 0o755)
    os.chmod(top, 0o755)
    for path in [d / "link", *(d / n for n in modes), d, top]:
        if os.geteuid() == 0:
            os.chown(path, 0, 0, follow_symlinks=False)
        os.utime(path, (FIXED_TIME, FIXED_TIME), follow_symlinks=False)
    return top


def _compare(args: list[str], mounts: list[Path], timeout: float = 300) -> None:
    if not Path(args[0]).exists():
        pytest.skip(f"{args[0]} is not installed")
    flags = [f for m in mounts for f in ("-v", f"{m}:{m}")]
    native = run_native(args)
    emu = run_vkemu(flags + args, timeout=timeout)
    assert native.returncode == 0, native.stderr.decode(errors="replace")
    assert emu.stdout.decode(errors="replace") == native.stdout.decode(errors="replace"), \
        emu.stderr.decode(errors="replace")
    assert emu.returncode == native.returncode


def test_python3_threads_hashlib_sqlite_json() -> None:
    _compare(["/usr/bin/python3", "-c", (DATA / "python_mix.py").read_text()], [])


def test_sqlite3_in_memory() -> None:
    _compare(["/usr/bin/sqlite3", ":memory:", (DATA / "queries.sql").read_text()], [])


def test_lua_script() -> None:
    _compare(["/usr/bin/lua5.4", str(DATA / "script.lua")], [DATA])


def test_ls_la_fixed_directory(tree: Path) -> None:
    _compare(["/bin/ls", "-la", str(tree / "d")], [tree])


def test_ls_la_root_matches_host() -> None:
    """The container root shows the host root's mode, owner, links and times (the
    in-memory upper layer's own tmpfs root must not show through)."""
    _compare(["/bin/ls", "-ld", "/", "/usr", "/etc/.."], [])


def test_sort() -> None:
    _compare(["/usr/bin/sort", "-t:", "-k3,3n", "-k1,1r", str(DATA / "queries.sql"), "/etc/os-release"], [DATA])


def test_bash_features() -> None:
    _compare(["/bin/bash", str(DATA / "bash_features.sh")], [DATA])


def test_coreutils() -> None:
    _compare(["/bin/bash", str(DATA / "coreutils.sh"), str(DATA / "python_mix.py")], [DATA])


def test_ps_lists_the_container() -> None:
    """procps needs /proc/stat's btime (and the per-process files) to list processes."""
    res = run_vkemu(["/bin/ps", "-o", "pid=,ppid=,comm="])
    assert res.returncode == 0, res.stderr.decode(errors="replace")
    assert res.stdout.split() == [b"1", b"0", b"ps"]


def test_proc_stat_boot_time_is_the_hosts() -> None:
    def btime(text: bytes) -> int:
        return int(next(line for line in text.splitlines() if line.startswith(b"btime ")).split()[1])
    emu = run_vkemu(["/bin/cat", "/proc/stat"])
    assert abs(btime(emu.stdout) - btime(Path("/proc/stat").read_bytes())) <= 1


def test_sethostname_is_the_containers() -> None:
    """hostname(1) as root sets the container's name (its own UTS namespace), not the host's."""
    res = run_vkemu(["/bin/bash", "-c", "hostname box.example; hostname; uname -n; "
                     "/usr/bin/python3 -c 'import socket; socket.sethostname(\"x\" * 65)' 2>&1 | tail -1"])
    assert res.stdout.decode().splitlines() == ["box.example", "box.example",
                                                 "OSError: [Errno 22] Invalid argument"]
    assert Path("/proc/sys/kernel/hostname").read_text().strip() != "box.example"

"""Dynamically linked Debian programs: ld.so is loaded from the container's root and maps
the shared libraries itself (file-backed executable mappings of attested files)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import run_native, run_vkemu

CASES = {
    "ls-la": ["/bin/ls", "-la", "/usr/share/doc/busybox-static"],
    "sort": ["/usr/bin/sort", "-r", "/etc/os-release"],
    "bash": ["/bin/bash", "-c", "x=$((6*7)); for i in 1 2 3; do echo $i $x; done; echo ${BASH_VERSINFO[0]}"],
    "python3": ["/usr/bin/python3", "-c",
                "import json, hashlib, re; print(json.dumps({'k': [1, 2]}), hashlib.sha256(b'vk').hexdigest(),"
                " re.sub('a+', 'b', 'caaat'))"],
    "sqlite3": ["/usr/bin/sqlite3", ":memory:",
                "create table t(x); insert into t values (1),(2),(3); select sum(x), count(*) from t;"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_dynamic_program_matches_native(name: str) -> None:
    args = CASES[name]
    if not Path(args[0]).exists():
        pytest.skip(f"{args[0]} is not installed")
    native, emu = run_native(args), run_vkemu(args, timeout=300)
    assert native.returncode == 0
    assert emu.stdout.decode() == native.stdout.decode()
    assert emu.returncode == native.returncode


def test_missing_interpreter_is_enoent(tmp_path: Path) -> None:
    """A program whose PT_INTERP does not exist in the container: execve's ENOENT."""
    prog = tmp_path / "ls"
    shutil.copy("/bin/ls", prog)
    data = bytearray(prog.read_bytes())
    i = data.find(b"/lib64/ld-linux-x86-64.so.2")
    data[i:i + 27] = b"/lib64/ld-missing-x86-64.so"
    prog.write_bytes(bytes(data))
    res = run_vkemu([str(prog)])
    assert res.returncode == 126
    assert b"No such file or directory" in res.stderr or b"ENOENT" in res.stderr

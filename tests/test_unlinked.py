"""An open file outlives its name (tests/programs/fs_unlinked.c): fstat gives st_nlink 0
and I/O, ftruncate, fchmod, fchown, futimens keep working, on tmpfs, the overlay's
in-memory and host (--upper) writable layers and a read-write -v mount."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import program, run_native, run_vkemu


@pytest.mark.parametrize("where", ["tmpfs", "memory-upper", "host-upper", "volume"])
def test_open_file_after_unlink(tmp_path: Path, where: str) -> None:
    prog = program("fs_unlinked")
    (tmp_path / "native").mkdir()
    expected = run_native([prog, str(tmp_path / "native")])
    assert expected.returncode == 0 and b"after unlink: nlink 0 size 11" in expected.stdout
    host = tmp_path / "host"
    host.mkdir()
    args = {"tmpfs": [prog, "/tmp"],
            "memory-upper": [prog, "/"],
            "host-upper": ["--upper", str(host), prog, "/"],
            "volume": ["-v", f"{host}:/vol:rw", prog, "/vol"]}[where]
    res = run_vkemu(args)
    assert res.returncode == 0, res.stderr
    assert res.stdout == expected.stdout
    if where in ("host-upper", "volume"):
        assert list(host.iterdir()) == []       # the file and its successor are gone

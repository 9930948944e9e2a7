"""Hostile layer tarballs: a decompression bomb, huge declared sizes, a huge pax header,
too many entries.  Each is refused whole, in one line, without reading past the limit;
vkemu exits 2 as for any unusable layer and writes nothing."""
from __future__ import annotations

import gzip
import io
import lzma
import tarfile
from pathlib import Path

import pytest

from conftest import program, run_vkemu
from vkernel.vfs.inode import InodeNumbers
from vkernel.vfs.layers import LayerError, TarLimits, load_tar

SMALL = TarLimits(total_bytes=1 << 20, entry_bytes=256 << 10, entries=100)


def header(name: str, size: int, kind: bytes = tarfile.REGTYPE) -> bytes:
    """A tar header alone: it declares ``size`` bytes that never follow."""
    info = tarfile.TarInfo(name)
    info.size, info.type, info.mode = size, kind, 0o644
    return info.tobuf(format=tarfile.GNU_FORMAT)


def load(path: Path, limits: TarLimits = SMALL) -> list[str]:
    warnings: list[str] = []
    load_tar(InodeNumbers(), 1, str(path), warnings.append, limits)
    return warnings


def refused(path: Path, limits: TarLimits = SMALL) -> str:
    with pytest.raises(LayerError) as exc:
        load(path, limits)
    message = str(exc.value)
    assert "\n" not in message and str(path) in message and "refused" in message
    return message


def test_decompression_bomb(tmp_path: Path) -> None:
    """4 MiB of zeros in files of 128 KiB each: tiny compressed, past 1 MiB uncompressed."""
    bomb = tmp_path / "bomb.tar.gz"
    with gzip.open(bomb, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
        for i in range(32):
            info = tarfile.TarInfo(f"zeros{i}")
            info.size = 128 << 10
            tar.addfile(info, io.BytesIO(bytes(info.size)))
    assert bomb.stat().st_size < 64 << 10
    assert "uncompressed tarball is over the limit of 1 MiB" in refused(bomb)


def test_huge_declared_sizes(tmp_path: Path) -> None:
    path = tmp_path / "huge.tar.gz"
    path.write_bytes(gzip.compress(header("big", 100 << 30) + bytes(4096)))
    assert "'big' of 107374182400 bytes is over the limit of 256 KiB" in refused(path)
    pax = tmp_path / "pax.tar"
    pax.write_bytes(header("././@PaxHeader", 8 << 30, tarfile.XHDTYPE) + bytes(4096))
    assert "an entry is over the limit" in refused(pax)
    longname = tmp_path / "longname.tar.xz"
    longname.write_bytes(lzma.compress(header("././@LongLink", 8 << 30, tarfile.GNUTYPE_LONGNAME) + bytes(4096)))
    assert "an entry is over the limit" in refused(longname)


def test_too_many_entries(tmp_path: Path) -> None:
    path = tmp_path / "many.tar.bz2"
    with tarfile.open(path, "w:bz2") as tar:
        for i in range(101):
            tar.addfile(tarfile.TarInfo(f"f{i}"), io.BytesIO(b""))
    assert "more than 100 entries" in refused(path)
    assert load(path, TarLimits(entries=101)) == []


def test_within_the_limits_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("etc/ok")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"ok\n"))
    assert load(path) == []


def test_vkemu_refuses_a_bomb_in_one_line(tmp_path: Path) -> None:
    layer = tmp_path / "layer.tar.gz"
    layer.write_bytes(gzip.compress(header("big", 100 << 30) + bytes(4096)))
    before = sorted(p.name for p in tmp_path.iterdir())
    res = run_vkemu(["--layer", str(layer), program("hello_args")])
    assert res.returncode == 2
    lines = res.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vkemu: ") and "over the limit of 1 GiB" in lines[0], lines
    assert res.stdout == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_policy_sets_the_limit(tmp_path: Path) -> None:
    layer = tmp_path / "layer.tar"
    with tarfile.open(layer, "w") as tar:
        info = tarfile.TarInfo("blob")
        info.size = 64 << 10
        tar.addfile(info, io.BytesIO(bytes(info.size)))
    policy = tmp_path / "policy.toml"
    policy.write_text('[quotas]\nlayer_bytes = "32K"\n')
    res = run_vkemu(["--policy", str(policy), "--layer", str(layer), program("hello_args")])
    assert res.returncode == 2 and b"over the limit of 32 KiB" in res.stderr, res.stderr

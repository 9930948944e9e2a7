"""Shared fixtures: building C programs once per run and running them under vkemu."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "programs"
sys.path.insert(0, str(REPO))

from tools.cbuild import available_variants, build  # noqa: E402


@dataclass
class Result:
    returncode: int
    stdout: bytes
    stderr: bytes


def run_vkemu(args: list[str], *, timeout: float = 120, strict: bool = True, input: bytes | None = b"",
              cwd: Path | str | None = None) -> Result:
    """Run vkemu as a user would (a separate process); strict makes kernel bugs fatal."""
    flags = ["--strict"] if strict else []
    if args[:1] == ["run"]:
        args, flags = args[1:], ["run"] + flags
    cmd = [sys.executable, "-m", "tools.vkemu"] + flags + args
    env_cwd = str(cwd) if cwd is not None else str(REPO)
    proc = subprocess.run(cmd, capture_output=True, timeout=timeout, input=input, cwd=env_cwd,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LC_ALL": "C"})
    assert b"internal error" not in proc.stderr, proc.stderr.decode(errors="replace")
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_native(args: list[str], *, timeout: float = 60, input: bytes | None = b"",
               cwd: Path | str | None = None) -> Result:
    proc = subprocess.run(args, capture_output=True, timeout=timeout, input=input,
                          cwd=str(cwd) if cwd is not None else None,
                          env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
    # Death by signal N as a shell (and vkemu) reports it: 128+N.
    code = 128 - proc.returncode if proc.returncode < 0 else proc.returncode
    return Result(code, proc.stdout, proc.stderr)


def read_audit(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(params=available_variants())
def variant(request) -> str:
    """Every toolchain variant installed here: gcc-static, gcc-static-pie, musl-static."""
    return request.param


def program(name: str, variant: str = "gcc-static") -> str:
    """tests/programs/NAME.c (or NAME.cpp, for a C++ variant) built with ``variant``."""
    source = PROGRAMS / f"{name}.c"
    if not source.exists():
        source = PROGRAMS / f"{name}.cpp"
    return str(build(source, variant))

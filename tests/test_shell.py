"""Differential tests: shell scripts run by Debian's busybox sh, natively and under vkemu.

Each ``tests/scripts/NAME.sh`` runs as ``/bin/busybox sh NAME.sh`` twice: natively, and
under ``vkemu --strict``, with the same working directory (a fresh scratch directory at
the same host path both times, mounted read-write for vkemu), the same small
environment and an empty pipe as stdin.  stdout and the exit status must be identical,
and stderr too unless the script is listed in ``STDERR_VARIES``.

Debian's busybox is built with FEATURE_SH_STANDALONE, so ``sh`` runs its own applets
for plain command names (``ls`` is the applet, never the dynamically linked /bin/ls);
a directory of busybox symlinks, first in PATH, covers the few programs that look
names up in PATH themselves.  Both runs start in a new session, so that ``kill 0``
reaches only the script's own processes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, Result

BUSYBOX = "/bin/busybox"
SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"
SCRIPTS = sorted(SCRIPTS_DIR.glob("*.sh"))
TIMEOUT = 120  # seconds per run

# The vkemu CLI with the repository importable, without leaking PYTHONPATH to the guest.
VKEMU = [sys.executable, "-c",
         f"import sys; sys.path.insert(0, {str(REPO)!r}); from tools.vkemu import main; sys.exit(main())"]

# Scripts whose stderr is not compared.  stop_cont: ash prints "Terminated" for a
# background job when it happens to reap it, and natively the SIGCHLDs of stops and
# continues make that moment depend on host timing.
STDERR_VARIES: set[str] = {"stop_cont"}

pytestmark = pytest.mark.skipif(not os.path.exists(BUSYBOX),
                                reason=f"{BUSYBOX} is missing (Debian's busybox-static is not installed)")


@pytest.fixture(scope="session")
def applets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of symlinks to busybox, one per applet."""
    bindir = tmp_path_factory.mktemp("applets")
    subprocess.run([BUSYBOX, "--install", "-s", str(bindir)], check=True)
    return bindir


def _env(applets: Path) -> dict[str, str]:
    return {"PATH": f"{applets}:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "TZ": "UTC", "HOME": "/root"}


def _fresh(work: Path) -> Path:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    return work


def _run(cmd: list[str], work: Path, applets: Path) -> Result:
    proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, input=b"", cwd=work,
                          env=_env(applets), start_new_session=True)
    # Death by signal N as a shell (and vkemu) reports it: 128+N.
    code = 128 - proc.returncode if proc.returncode < 0 else proc.returncode
    return Result(code, proc.stdout, proc.stderr)


def run_script_native(script: Path, work: Path, applets: Path) -> Result:
    return _run([BUSYBOX, "sh", str(script)], _fresh(work), applets)


def run_script_vkemu(script: Path, work: Path, applets: Path) -> Result:
    # The scripts are mounted too: the checkout may live under /tmp, which the
    # container replaces with its own tmpfs.
    cmd = VKEMU + ["--strict", "-v", f"{work}:{work}:rw", "-v", f"{applets}:{applets}:ro",
                   "-v", f"{script.parent}:{script.parent}:ro", BUSYBOX, "sh", str(script)]
    result = _run(cmd, _fresh(work), applets)
    assert b"internal error" not in result.stderr, result.stderr.decode(errors="replace")
    return result


def test_enough_scripts() -> None:
    assert len(SCRIPTS) >= 30


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_script_matches_native(script: Path, applets: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    native = run_script_native(script, work, applets)
    assert native.stdout, f"{script.name} prints nothing natively: {native.stderr.decode(errors='replace')}"
    emu = run_script_vkemu(script, work, applets)
    stderrs = (f"native stderr:\n{native.stderr.decode(errors='replace')}\n"
               f"vkemu stderr:\n{emu.stderr.decode(errors='replace')}")
    assert emu.stdout.decode(errors="replace") == native.stdout.decode(errors="replace"), stderrs
    assert emu.returncode == native.returncode, stderrs
    if script.stem not in STDERR_VARIES:
        assert emu.stderr.decode(errors="replace") == native.stderr.decode(errors="replace")

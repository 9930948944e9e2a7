"""vkemu tui, headless: commands come from stdin.  A recording of a program that
passes descriptors over a socket and has one syscall refused by its policy is opened,
filtered, searched, jumped in and stepped back over; registers, disassembly and
memory come from re-executing the recording to the chosen event."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, program


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("tui")
    policy = tmp / "deny.toml"
    policy.write_text('[syscalls]\ndefault_action = "allow"\n\n[[syscalls.rule]]\nnames = ["uname"]\n'
                      'action = "errno"\nerrno = "EPERM"\n')
    out = tmp / "run.vkr"
    prog = program("tui_demo")
    done = subprocess.run([sys.executable, "-m", "tools.vkemu", "record", "-o", str(out), "--policy", str(policy),
                           prog], cwd=str(REPO), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return out


def _tui(recording: Path, commands: str) -> str:
    done = subprocess.run([sys.executable, "-m", "tools.vkemu", "tui", str(recording)], cwd=str(REPO),
                          input=commands.encode(), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode()


def test_timeline_filter_and_audit_inline(recording: Path) -> None:
    out = _tui(recording, "f syscall=uname\nf result=error\nf\nq\n")
    assert "uname(" in out and "-1 EPERM" in out
    assert "audit: errno" in out, "the policy's refusal appears under its syscall"
    assert "(filter: syscall=uname, 1 shown)" in out


def test_search_jump_and_step_back(recording: Path) -> None:
    out = _tui(recording, "/sendmsg\nn\np\nj 3\ng\nq\n")
    assert "sendmsg(" in out
    assert "event 3 of" in out and "event 0 of" in out


def test_registers_code_and_memory_as_of_an_event(recording: Path) -> None:
    """At the write of the greeting: rax is the byte count the call returned, RIP is
    after a syscall instruction, and the buffer (rsi) holds the text."""
    out = _tui(recording, "/hello from tui\nr\nd 2\nx rsi 16\nq\n")
    assert "registers of tid 1 at event" in out
    assert "rax      0x0000000000000010" in out        # 16 bytes written
    rip = int(re.search(r"rip\s+(0x[0-9a-f]+)", out).group(1), 16)
    assert f"=> {rip:#x}:" in out, "the disassembly starts at RIP"
    assert "hello from tui" in out.split("memory at", 1)[1]


def test_bad_recording_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vkr"
    bad.write_bytes(b"not a recording")
    done = subprocess.run([sys.executable, "-m", "tools.vkemu", "tui", str(bad)], cwd=str(REPO),
                          capture_output=True, timeout=60)
    assert done.returncode == 2
    assert b"vkemu:" in done.stderr

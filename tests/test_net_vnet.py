"""The in-kernel network (--net vnet): the TCP, UDP and epoll programs that run over
host sockets in test_net.py give the same output over vnet as natively, with no host
socket, and two runs give the same trace (ports included)."""
from __future__ import annotations

import re

import pytest

from conftest import program, run_native, run_vkemu


def _compare(prog: str, args: list[str] | None = None) -> str:
    args = args or []
    native, emu = run_native([prog] + args), run_vkemu(["--net", "vnet", prog] + args)
    assert native.returncode == 0, native.stdout.decode(errors="replace")
    assert emu.stdout.decode() == native.stdout.decode(), emu.stderr.decode(errors="replace")[-2000:]
    assert emu.returncode == native.returncode
    return emu.stdout.decode()


@pytest.mark.parametrize("name", ["net_tcp", "net_udp", "net_badinput"])
def test_vnet_matches_native(name: str, variant: str) -> None:
    assert "FAIL" not in _compare(program(name, variant))


@pytest.mark.parametrize("mode", ["lt", "et"])
def test_vnet_epoll_echo_server(mode: str) -> None:
    out = _compare(program("net_epoll"), [mode, "200", "4"])
    assert "200 connections accepted, 200 closed, 900000 bytes echoed" in out


def test_vnet_is_deterministic() -> None:
    """No host socket and ports handed out in order: two traces are identical apart
    from clock values."""
    prog = program("net_tcp")
    traces = []
    for _ in range(2):
        emu = run_vkemu(["--net", "vnet", "--trace", prog])
        assert emu.returncode == 0, emu.stderr.decode(errors="replace")[-2000:]
        text = emu.stderr.decode(errors="replace")
        assert "htons(32768)" in text or "htons(3276" in text, "ephemeral ports from the start of the range"
        text = re.sub(r'getrandom\(".*?", ', 'getrandom(RANDOM, ', text)
        traces.append(re.sub(r"tv_(n?sec)=\d+", r"tv_\1=N", text))
    assert traces[0] == traces[1]


def test_bad_net_mode_is_a_usage_error() -> None:
    emu = run_vkemu(["--net", "internet", program("net_tcp")])
    assert emu.returncode == 2
    assert b"bad --net 'internet'" in emu.stderr


def test_vnet_run_records_and_replays(tmp_path) -> None:
    """A vnet run has no host socket to record: its replay follows the recording, and
    the recorded policy keeps the replay on vnet."""
    import subprocess
    import sys

    from conftest import REPO
    rec = tmp_path / "tcp.vkr"
    prog = program("net_tcp")
    done = subprocess.run([sys.executable, "-m", "tools.vkemu", "record", "-o", str(rec), "--net", "vnet", prog],
                          cwd=str(REPO), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    check = subprocess.run([sys.executable, "-m", "tools.vkemu", "replay", "--check", str(rec)], cwd=str(REPO),
                           capture_output=True, timeout=300)
    assert check.returncode == 0, check.stderr.decode(errors="replace")[-2000:]
    assert b"followed the recording" in check.stderr
    stats = subprocess.run([sys.executable, "-m", "tools.vkemu", "stats", str(rec)], cwd=str(REPO),
                           capture_output=True, timeout=60)
    assert b"socket" in stats.stdout


@pytest.mark.parametrize("case", ["socket", "socket_unix", "socket_inet"])
def test_ltp_socket_cases_over_vnet(case: str) -> None:
    """The LTP-style socket cases print the same over vnet as natively."""
    from ltp_subset import run as ltp
    binary = ltp.build_case(case, "gcc-static")
    native = ltp.run_native(binary)
    assert native.returncode == 0, "\n".join(ltp.failed_lines(native.stdout))
    emu = ltp.run_vkemu(binary, options=("--net", "vnet"))
    same, why = ltp.compare(native, emu)
    assert same, why + "\n" + emu.stderr[-2000:]

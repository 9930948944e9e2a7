"""Pseudo-terminals: C programs run natively and under vkemu with the same output
(/dev/ptmx pairs, the line discipline, raw mode and VMIN/VTIME, readiness, a child with
the slave as controlling terminal, hang-up, a session leader's exit), Python's pty module and script(1), and
the line discipline object on its own."""
from __future__ import annotations

import random
import shutil

import pytest

from conftest import program, run_native, run_vkemu
from tools.cbuild import build
from vkernel import abi
from vkernel.ldisc import LineDiscipline, Termios


@pytest.mark.parametrize("name", ["pty_basic", "pty_raw", "pty_session", "pty_hangup"])
def test_pty_program_matches_native(name: str, variant: str) -> None:
    prog = program(name, variant)
    native, emu = run_native([prog]), run_vkemu([prog])
    assert native.returncode == 0, native.stdout
    assert emu.stdout.decode() == native.stdout.decode()
    assert emu.returncode == native.returncode


PYTHON_PTY = r"""
import os, pty, sys, tty
pid, fd = pty.fork()
if pid == 0:
    print("child", os.isatty(0), os.isatty(1), os.getsid(0) == os.getpid(), os.tcgetpgrp(0) == os.getpgrp())
    print("hello", input("name? "))
    sys.exit(7)
out = b""
while b"name? " not in out:
    out += os.read(fd, 1024)
os.write(fd, b"world\n")
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError as exc:
        print("master read", exc.errno)
        break
    out += chunk
print(out)
print("status", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
m, s = pty.openpty()
print("openpty", os.isatty(m), os.ttyname(s).startswith("/dev/pts/"))
tty.setraw(s)
os.write(m, b"\x03\r")
print(os.read(s, 10))
"""


@pytest.mark.skipif(shutil.which("python3") is None, reason="needs /usr/bin/python3")
def test_python_pty_module_matches_native() -> None:
    cmd = ["/usr/bin/python3", "-c", PYTHON_PTY]
    native, emu = run_native(cmd), run_vkemu(cmd)
    assert native.returncode == 0, native.stderr
    assert b"hello world" in native.stdout
    assert emu.stdout.decode() == native.stdout.decode()
    assert emu.returncode == native.returncode


@pytest.mark.skipif(shutil.which("python3") is None, reason="needs /usr/bin/python3")
def test_python_pty_spawn_matches_native() -> None:
    code = "import pty, sys; sys.exit(pty.spawn(['/bin/sh', '-c', 'echo hi; tty | cut -c1-9; exit 3']) >> 8)"
    cmd = ["/usr/bin/python3", "-c", code]
    native, emu = run_native(cmd), run_vkemu(cmd)
    assert native.stdout == b"hi\r\n/dev/pts/\r\n" and native.returncode == 3
    assert emu.stdout == native.stdout
    assert emu.returncode == native.returncode


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) from util-linux")
def test_script_runs_a_command_on_a_pty() -> None:
    cmd = ["/usr/bin/script", "-qc", "echo hi; test -t 0 && echo stdin-tty; tty | cut -c1-9", "/dev/null"]
    native, emu = run_native(cmd), run_vkemu(cmd)
    assert native.stdout == b"hi\r\nstdin-tty\r\n/dev/pts/\r\n"
    assert emu.stdout == native.stdout
    assert emu.returncode == native.returncode == 0


def test_reading_an_own_pty_is_a_reported_deadlock(tmp_path) -> None:
    src = tmp_path / "ptyread.c"
    src.write_text("#define _GNU_SOURCE\n#include <fcntl.h>\n#include <stdlib.h>\n#include <unistd.h>\n"
                   "int main(void) { char c; int m = posix_openpt(O_RDWR | O_NOCTTY); unlockpt(m);\n"
                   "int s = open(ptsname(m), O_RDWR | O_NOCTTY); return read(s, &c, 1); }\n")
    res = run_vkemu([str(build(src))], timeout=60)
    err = res.stderr.decode()
    assert "deadlock: every thread waits forever" in err
    assert "/dev/pts/0 to change" in err


# -- the line discipline on its own -----------------------------------------------------------

def _ldisc() -> tuple[LineDiscipline, bytearray, list[int]]:
    echoed = bytearray()
    sent: list[int] = []
    ldisc = LineDiscipline(Termios(), echoed.extend, sent.append, lambda: 0)
    return ldisc, echoed, sent


def _read(ldisc: LineDiscipline, size: int = 64) -> bytes | None:
    buf = bytearray(size)
    n = ldisc.read_canonical([memoryview(buf)])
    return None if n is None else bytes(buf[:n])


def test_canonical_lines_are_read_one_at_a_time() -> None:
    ldisc, echoed, _ = _ldisc()
    ldisc.receive(b"ab\x7fc\rsecond\n")
    assert echoed == b"ab\b \bc\r\nsecond\r\n"
    assert ldisc.readable() == 10
    assert _read(ldisc) == b"ac\n"
    assert _read(ldisc, 3) == b"sec"
    assert _read(ldisc) == b"ond\n"
    assert _read(ldisc) is None


def test_veof_ends_a_line_unseen_and_alone_is_end_of_file() -> None:
    ldisc, echoed, _ = _ldisc()
    ldisc.receive(b"xy\x04\x04")
    assert echoed == b"xy"
    assert _read(ldisc) == b"xy"
    assert _read(ldisc) == b""
    assert _read(ldisc) is None


def test_signal_characters_flush_echo_and_signal() -> None:
    ldisc, echoed, sent = _ldisc()
    ldisc.receive(b"typed\x03\x1c\x1a")
    assert sent == [abi.SIGINT, abi.SIGQUIT, abi.SIGTSTP]
    assert echoed == b"typed^C^\\^Z"
    assert ldisc.held() == 0


def test_ixon_stops_echo_until_start() -> None:
    ldisc, echoed, _ = _ldisc()
    ldisc.receive(b"\x13ab")
    assert ldisc.stopped and echoed == b""
    ldisc.receive(b"\x11")
    assert not ldisc.stopped and echoed == b"ab"


def test_a_full_canonical_line_keeps_replacing_its_last_byte() -> None:
    """As Linux: every byte is echoed, the line keeps 4095 and its end."""
    ldisc, echoed, _ = _ldisc()
    ldisc.receive(b"a" * 4095 + b"bcd\n")
    assert len(echoed) == 4100
    assert _read(ldisc, 8192) == b"a" * 4095 + b"\n"


def test_bulk_output_processing_matches_the_byte_loop() -> None:
    rng = random.Random(8)
    bulk, _, _ = _ldisc()
    loop, _, _ = _ldisc()
    for _ in range(200):
        data = bytes(rng.choice(b"ab\t\n\r\b\x01\xc3") for _ in range(rng.randrange(12)))
        assert bulk.process_output(data) == loop._output_loop(data)
        assert (bulk.column, bulk.canon_column) == (loop.column, loop.canon_column)

"""The GDB remote stub (vkemu --gdb): Debian's real gdb in batch mode against programs
under vkemu (compared with gdb on the native program where ptrace works), and a raw
socket client sending malformed packets."""
from __future__ import annotations

import random
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

from conftest import PROGRAMS, REPO
from tools.cbuild import build
from tools.gdbstub import REGISTERS, checksum, escape, target_xml, unescape

needs_gdb = pytest.mark.skipif(shutil.which("gdb") is None, reason="gdb is not installed (bootstrap.sh installs it)")
ENV = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LC_ALL": "C"}


def debug_build(name: str, variant: str = "gcc-static") -> str:
    return str(build(PROGRAMS / f"{name}.c", variant, ["-g", "-O0", "-pthread"]))


class Vkemu:
    """vkemu --gdb on a free port, stopped before the program's first instruction
    (``argv`` replaces the --strict run of ``program``, e.g. with a replay)."""

    def __init__(self, program: str, argv: list[str] | None = None) -> None:
        argv = argv or ["--strict", "--gdb", "127.0.0.1:0", program]
        self.proc = subprocess.Popen([sys.executable, "-m", "tools.vkemu", *argv],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     cwd=str(REPO), env=ENV)
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline().decode()
        match = re.search(r"waiting for gdb on 127\.0\.0\.1:(\d+)", line)
        assert match, line
        self.port = int(match.group(1))

    def finish(self, timeout: float = 60) -> tuple[int, bytes, bytes]:
        out, err = self.proc.communicate(timeout=timeout)
        assert b"internal error" not in err and b"gdb stub: error" not in err, err
        return self.proc.returncode, out, err


def gdb_batch(program: str, commands: list[str], remote_port: int | None) -> str:
    """gdb -batch with ``commands`` on ``program``: remote at the port, else native."""
    start = ["-ex", f"target remote 127.0.0.1:{remote_port}"] if remote_port is not None else []
    args = ["gdb", "-batch", "-nx"] + start + [a for c in commands for a in ("-ex", c)] + [program]
    proc = subprocess.run(args, capture_output=True, timeout=90, cwd=str(REPO), env=ENV)
    return proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")


def under_vkemu(program: str, commands: list[str]) -> tuple[str, int, bytes]:
    vk = Vkemu(program)
    output = gdb_batch(program, commands, vk.port)
    code, out, _ = vk.finish()
    return output, code, out


def lines_with(output: str, pattern: str) -> list[str]:
    """The lines matching ``pattern``, with what differs between a remote and a native
    session (the inferior's name) made the same."""
    found = [re.sub(r"\((Remote target|process \d+)\)", "(inferior)", line) for line in output.splitlines()
             if re.search(pattern, line)]
    assert found, f"no line matches {pattern!r} in:\n{output}"
    return found


def line_with(output: str, pattern: str) -> str:
    found = [line for line in output.splitlines() if re.search(pattern, line)]
    assert found, f"no line matches {pattern!r} in:\n{output}"
    return found[0]


@needs_gdb
def test_break_main_step_registers_memory_continue():
    program = debug_build("gdb_hello")
    output, code, out = under_vkemu(program, [
        "break main", "continue", "info registers rip", "x/s message", "stepi", "info registers rip",
        "info registers", "info registers fs_base gs_base", "p counter", "set var message[0] = 'J'", "p message",
        "continue"])
    assert "Breakpoint 1, main () at" in output
    rips = [int(m, 16) for m in re.findall(r"^rip\s+(0x[0-9a-f]+)", output, re.M)]
    assert len(rips) == 3 and rips[0] < rips[1] == rips[2], output
    assert '<message>:\t"hello from the guest"' in output
    assert re.search(r"^cs\s+0x33\b", output, re.M) and re.search(r"^ss\s+0x2b\b", output, re.M)
    fs_base = int(line_with(output, r"^fs_base\s").split()[1], 16)
    assert fs_base != 0                                # glibc's TLS was set up before main
    assert re.search(r"^eflags\s+0x[0-9a-f]+\s+\[.*IF", output, re.M)
    assert "$1 = 0" in output and '$2 = "Jello from the guest"' in output
    assert "exited with code 03" in output
    # The write gdb made is what the program printed.
    assert code == 3 and out == b"Jello from the guest 42\n"


@needs_gdb
def test_same_view_as_native_gdb():
    """The lines a user reads at a breakpoint match gdb on the native program."""
    program = debug_build("gdb_hello")
    commands = ["break add", "continue", "bt", "info registers rip", "x/s message", "p $cs", "p $ss",
                "stepi 4", "info registers rip", "finish", "next", "next", "continue"]
    native = gdb_batch(program, ["break add", "run"] + commands[2:], None)
    if "Breakpoint 1, add" not in native:
        pytest.skip("native gdb cannot run programs here (no ptrace)")
    remote, code, _ = under_vkemu(program, commands)
    for pattern in (r"^Breakpoint 1, add", r"^#0 ", r"^#1 ", r"^rip ", r"<message>:", r"^\$1 = ", r"^\$2 = ",
                    r"^Value returned", r"^15\t", r"^16\t", r"exited with code"):
        assert lines_with(remote, pattern) == lines_with(native, pattern), pattern
    assert code == 3


@needs_gdb
def test_static_pie_is_relocated_through_auxv():
    program = debug_build("gdb_hello", "gcc-static-pie")
    output, code, _ = under_vkemu(program, ["break add", "continue", "x/s message", "continue"])
    assert "Breakpoint 1, add (a=40, b=2)" in output
    assert '<message>:\t"hello from the guest"' in output
    assert code == 3


@needs_gdb
def test_threads_are_listed_with_guest_tids():
    program = debug_build("gdb_threads")
    output, code, out = under_vkemu(program, [
        "break all_started", "continue", "info threads", "thread 3", "bt", "kill"])
    assert "hit Breakpoint 1, all_started ()" in output
    ids = re.findall(r"^[* ] (\d)\s+Thread (\d+) ", output, re.M)
    assert [tid for _, tid in ids] == ["1", "2", "3"], output
    assert re.search(r"^#\d .* in worker \(arg=0x0\) at .*gdb_threads\.c", output, re.M)
    assert "killed" in output
    assert code == 137 and b"joined" not in out


@needs_gdb
def test_crash_reports_sigsegv_then_terminates():
    program = debug_build("gdb_crash")
    output, code, out = under_vkemu(program, ["continue", "bt 1", "continue"])
    assert "Program received signal SIGSEGV, Segmentation fault." in output
    assert re.search(r"^#0 .* crash \(\) at .*gdb_crash\.c:8", output, re.M)
    assert "Program terminated with signal SIGSEGV" in output
    assert code == 139 and out == b"about to crash\n"


@needs_gdb
def test_signals_are_reported_before_delivery_as_natively():
    """SIGUSR1 (passed on to its handler), then abort()'s SIGABRT, which kills."""
    program = debug_build("gdb_signal")
    commands = ["continue", "continue", "continue"]
    remote, code, _ = under_vkemu(program, commands)
    expected = ["Program received signal SIGUSR1, User defined signal 1.", "Program received signal SIGABRT, Aborted.",
                "Program terminated with signal SIGABRT, Aborted."]
    assert [line for line in remote.splitlines() if line.startswith("Program ")] == expected, remote
    assert code == 134
    native = gdb_batch(program, ["run"] + commands[1:], None)
    if "Program received signal SIGUSR1" in native:
        assert [line for line in native.splitlines() if line.startswith("Program ")] == expected, native


@needs_gdb
def test_detach_lets_the_program_finish():
    program = debug_build("gdb_hello")
    output, code, out = under_vkemu(program, ["break add", "continue", "detach"])
    assert "[Inferior 1 (Remote target) detached]" in output
    assert code == 3 and out == b"hello from the guest 42\n"


# -- a raw client -------------------------------------------------------------------------

class RawClient:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _read(self) -> None:
        data = self.sock.recv(65536)
        assert data, "the stub hung up"
        self.buf += data

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def packet(self, payload: bytes) -> bytes:
        """Send a well-framed packet; the stub's ack, then its reply (acked)."""
        self.send_raw(b"$%s#%02x" % (payload, checksum(payload)))
        return self.reply()

    def reply(self) -> bytes:
        while not self.buf:
            self._read()
        ack, self.buf = self.buf[:1], self.buf[1:]
        assert ack == b"+", ack
        return self.next_packet()

    def next_packet(self) -> bytes:
        while b"#" not in self.buf or len(self.buf) < self.buf.index(b"#") + 3:
            self._read()
        start, end = self.buf.index(b"$"), self.buf.index(b"#")
        payload = self.buf[start + 1:end]
        assert int(self.buf[end + 1:end + 3], 16) == checksum(payload)
        self.buf = self.buf[end + 3:]
        self.send_raw(b"+")
        return payload


def test_malformed_packets_get_errors_and_the_stub_lives():
    vk = Vkemu(debug_build("gdb_hello"))
    client = RawClient(vk.port)
    # A bad checksum is nacked; nothing else happens.
    client.send_raw(b"$g#00")
    while not client.buf:
        client._read()
    assert client.buf[:1] == b"-"
    client.buf = client.buf[1:]
    for bad in (b"mzz,4", b"m10", b"M0,4:zz", b"X0,8:ab", b"p999", b"pzz", b"P0=12", b"Hx1", b"H",
                b"Z0,zz,1", b"Z0", b"vCont;q", b"vCont;Czz", b"qXfer:features:read:target.xml:zz",
                b"qXfer:features:read", b"Tzz", b"G00", b"qThreadExtraInfo,99"):
        assert client.packet(bad).startswith(b"E"), bad
    assert client.packet(b"Z0,%x,1" % (1 << 64)).startswith(b"E")
    # Random packets in the commands that do not resume: each one gets a reply.
    rng = random.Random(9)
    for _ in range(300):
        tail = bytes(rng.choice(b"0123456789abcdefxyz,:;=-.p#$}*\x03\xff") for _ in range(rng.randrange(12)))
        client.packet(rng.choice([b"g", b"m", b"M", b"X", b"p", b"P", b"H", b"T", b"Z", b"z", b"q", b"?"]) + escape(tail))
    assert client.packet(b"qXfer:features:read:nosuch.xml:0,100") == b"E00"
    assert client.packet(b"\xff\xfe junk") == b""                    # unknown: unsupported
    assert client.packet(b"bc") == b"" and client.packet(b"bs") == b""  # reverse: only in a replay
    assert client.packet(b"m0,10") == b"E14"                          # unmapped
    stop = client.packet(b"?")
    assert stop.startswith(b"T05thread:1;"), stop
    # Registers: the whole file, in the target description's order.
    regs = bytes.fromhex(client.packet(b"g").decode())
    assert len(regs) == sum(r.bits // 8 for r in REGISTERS)
    rip = int.from_bytes(regs[16 * 8:17 * 8], "little")
    assert client.packet(b"p10") == regs[128:136].hex().encode()
    # W^X: code cannot be written, even by the debugger; data can.
    assert client.packet(b"M%x,1:90" % rip) == b"E14"
    assert client.packet(b"m%x,1" % rip) != b"E14"
    xml = client.packet(b"qXfer:features:read:target.xml:0,3fff")
    assert xml.startswith(b"l<?xml") and b"org.gnu.gdb.i386.segments" in xml
    client.packet(b"D")
    code, out, err = vk.finish()
    assert code == 3 and out == b"hello from the guest 42\n"
    assert b"gdb stub: error" not in err, err


def test_interrupt_stops_a_spinning_program():
    vk = Vkemu(str(build(PROGRAMS / "spin.c", "gcc-static")))
    client = RawClient(vk.port)
    assert client.packet(b"QStartNoAckMode") == b"OK"
    client.send_raw(b"$vCont;c#a8")
    time.sleep(1.0)
    client.send_raw(b"\x03")
    while b"#" not in client.buf:
        client._read()
    end = client.buf.index(b"#")
    stop = client.buf[client.buf.index(b"$") + 1:end]
    assert stop.startswith(b"T02thread:1;"), stop       # SIGINT, seen before the program
    client.buf = client.buf[end + 3:]
    client.send_raw(b"$k#6b")
    code, out, _ = vk.finish()
    assert code == 137 and out == b"spinning\n"


def test_gdb_hanging_up_ends_the_program():
    vk = Vkemu(debug_build("gdb_hello"))
    client = RawClient(vk.port)
    assert client.packet(b"qSupported:swbreak+").startswith(b"PacketSize=")
    client.sock.close()
    code, out, _ = vk.finish()
    assert code == 137 and out == b""


def test_bad_address_is_a_usage_error():
    proc = subprocess.run([sys.executable, "-m", "tools.vkemu", "--gdb", "nowhere", "/bin/true"], capture_output=True,
                          timeout=60, cwd=str(REPO), env=ENV)
    assert proc.returncode == 2 and b"--gdb nowhere: expected HOST:PORT" in proc.stderr


def test_framing_helpers_round_trip():
    data = bytes(range(256)) + b"#$}*"
    assert unescape(escape(data)) == data
    assert b"$" not in escape(b"$#") and b"#" not in escape(b"$#")
    xml = target_xml()
    assert xml.count("<reg ") == len(REGISTERS)
    assert all(f'name="{name}"' in xml for name in ("rip", "eflags", "fs_base", "gs_base", "orig_rax", "xmm15"))

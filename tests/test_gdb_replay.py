"""`vkemu replay --gdb`: Debian's real gdb over a replay, backwards too (reverse-stepi,
reverse-continue, the start of history, threads), and a raw client: malformed packets,
refused writes, ^C and detach."""
from __future__ import annotations

import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from elftools.elf.elffile import ELFFile

from conftest import REPO
from test_gdb import ENV, RawClient, Vkemu, debug_build, gdb_batch, needs_gdb
from tools.gdbstub import ReplayDebugger, checksum, escape


def record(tmp_path: Path, program: str, *args: str) -> tuple[Path, bytes, int]:
    """``vkemu record`` of ``program``: the recording, the program's stdout and status."""
    path = tmp_path / "run.vkr"
    proc = subprocess.run([sys.executable, "-m", "tools.vkemu", "record", "-o", str(path), "--strict", program, *args],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=60, cwd=str(REPO), env=ENV)
    assert path.exists(), proc.stderr
    return path, proc.stdout, proc.returncode


class Replay(Vkemu):
    """vkemu replay --gdb on a free port, stopped before the program's first instruction."""

    def __init__(self, recording: Path) -> None:
        super().__init__(str(recording), ["replay", "--gdb", "127.0.0.1:0", str(recording)])


def under_replay(tmp_path: Path, program: str, commands: list[str]) -> tuple[str, int, bytes, bytes, int]:
    """gdb's output, the replay's status and stdout, and the recorded stdout and status."""
    path, recorded_out, recorded_status = record(tmp_path, program)
    replay = Replay(path)
    output = gdb_batch(program, commands, replay.port)
    code, out, _ = replay.finish()
    return output, code, out, recorded_out, recorded_status


def rip_values(output: str) -> list[int]:
    return [int(m, 16) for m in re.findall(r"^rip\s+(0x[0-9a-f]+)", output, re.M)]


@needs_gdb
def test_reverse_stepi_and_reverse_continue_in_a_loop(tmp_path: Path):
    program = debug_build("gdb_loop")
    output, code, out, recorded_out, recorded_status = under_replay(tmp_path, program, [
        "break main", "continue", "info registers rip",
        "stepi", "info registers rip", "stepi", "stepi", "info registers rip",
        "reverse-stepi", "reverse-stepi", "info registers rip",
        "break tick", "continue", "continue", "continue", "p counter",
        "reverse-continue", "p counter", "info registers rip", "bt 1",
        "delete", "continue"])
    assert "Breakpoint 1, main (argc=1, " in output
    at_main, first_step, third_step, back = rip_values(output)[:4]
    assert at_main < first_step and third_step not in (at_main, first_step)
    assert back == first_step, output                  # two instructions back from the third step
    # Third hit of tick: counter is 1 + 2; back at the second hit, it is 1 again.
    assert "Breakpoint 2, tick (i=3)" in output and "$1 = 3" in output
    assert "Breakpoint 2, tick (i=2)" in output.split("$1 = 3", 1)[1] and "$2 = 1" in output, output
    assert re.search(r"^#0 +tick \(i=2\) at .*gdb_loop\.c:11", output, re.M)
    assert "exited with code 07" in output
    # The replay ends as the recording did; its output is shown once, however many
    # times reverse execution ran the program again.
    assert recorded_status == code == 7 and out == recorded_out == b"".join(
        b"turn %d: %d\n" % (i, i * (i + 1) // 2) for i in range(1, 6))


@needs_gdb
def test_start_of_history_and_read_only_state(tmp_path: Path):
    program = debug_build("gdb_loop")
    output, code, out, _, _ = under_replay(tmp_path, program, [
        "reverse-stepi", "info registers rip", "break tick", "continue", "continue",
        "delete", "reverse-continue", "info registers rip",
        "set var counter = 5", "p counter", "kill"])
    # Nothing before the first instruction: gdb says so, and stays at the entry point.
    assert output.count("No more reverse-execution history.") == 2, output
    rips = rip_values(output)
    assert len(rips) == 2 and rips[0] == rips[1]
    # A replay's memory cannot be changed (it would leave the recording).
    assert "Cannot access memory at address" in output and "$1 = 0" in output
    # Killed before exit: stdout (a pipe, so fully buffered) was never flushed.
    assert code == 137 and out == b""


@needs_gdb
def test_reverse_continue_across_threads(tmp_path: Path):
    """The schedule stays the recorded one: a breakpoint hit by each worker, and back."""
    program = debug_build("gdb_threads")
    output, code, out, recorded_out, _ = under_replay(tmp_path, program, [
        "break worker", "continue", "continue", "info threads", "reverse-continue", "info threads",
        "delete", "continue"])
    hits = re.findall(r"^Thread (\d+) hit Breakpoint 1, worker", output, re.M)
    assert len(hits) == 3 and hits[0] != hits[1] and hits[2] == hits[0], output
    assert "exited normally" in output
    assert code == 0 and out == recorded_out == b"all started\njoined\n"


def test_malformed_packets_in_a_replay(tmp_path: Path):
    path, recorded_out, _ = record(tmp_path, debug_build("gdb_loop"))
    replay = Replay(path)
    client = RawClient(replay.port)
    features = client.packet(b"qSupported:swbreak+").split(b";")
    assert b"ReverseStep+" in features and b"ReverseContinue+" in features
    for bad in (b"b", b"bx", b"bcc", b"bs1", b"mzz,4", b"M0,4:zz", b"Z0,zz,1", b"vCont;q", b"Hx1", b"pzz"):
        assert client.packet(bad).startswith(b"E"), bad
    # Random packets of the kinds that do not resume (at the start, going back does not
    # either): each one gets a reply.
    rng = random.Random(9)
    for _ in range(200):
        tail = bytes(rng.choice(b"0123456789abcdefxyz,:;=-.p#$}*\x03\xff") for _ in range(rng.randrange(10)))
        client.packet(rng.choice([b"b", b"g", b"m", b"M", b"X", b"p", b"P", b"H", b"T", b"Z", b"z", b"?"]) + escape(tail))
    stop = client.packet(b"?")
    assert stop.startswith(b"T05thread:"), stop
    regs = bytes.fromhex(client.packet(b"g").decode())
    rip = int.from_bytes(regs[16 * 8:17 * 8], "little")
    # Nothing that would make the replay leave its recording: no register or memory writes.
    assert client.packet(b"P10=" + (rip + 1).to_bytes(8, "little").hex().encode()).startswith(b"E")
    assert client.packet(b"G" + regs.hex().encode()) == b"OK"      # unchanged: nothing to refuse
    assert client.packet(b"G" + bytes(len(regs)).hex().encode()).startswith(b"E")
    rsp = int.from_bytes(regs[7 * 8:8 * 8], "little")
    assert client.packet(b"M%x,1:00" % rsp).startswith(b"E")
    # Backwards from the start: history begins here.
    assert client.packet(b"bs") == stop + b"replaylog:begin;"
    assert client.packet(b"bc") == stop + b"replaylog:begin;"
    client.packet(b"D")
    code, out, _ = replay.finish()
    assert code == 7 and out == recorded_out


def test_interrupt_then_detach_in_a_replay(tmp_path: Path):
    """gdb's ^C stops a replay that spins, which can then go back; detached, it runs on
    to the recorded end."""
    program = debug_build("gdb_loop")
    with open(program, "rb") as f:
        spins = ELFFile(f).get_section_by_name(".symtab").get_symbol_by_name("spins")[0]["st_value"]
    path, recorded_out, _ = record(tmp_path, program, "300000")
    replay = Replay(path)
    client = RawClient(replay.port)
    assert client.packet(b"QStartNoAckMode") == b"OK"

    def request(payload: bytes) -> bytes:
        client.send_raw(b"$%s#%02x" % (payload, checksum(payload)))
        return client.next_packet()

    client.send_raw(b"$vCont;c#a8")
    time.sleep(0.3)                                # the spin takes a second or more, counted
    client.send_raw(b"\x03")
    assert client.next_packet().startswith(b"T02thread:1;")
    spun = int.from_bytes(bytes.fromhex(request(b"m%x,8" % spins).decode()), "little")
    assert 0 < spun < 300000                       # stopped in the middle of the spin
    assert request(b"bs").startswith(b"T05thread:1;")
    back = int.from_bytes(bytes.fromhex(request(b"m%x,8" % spins).decode()), "little")
    assert back in (spun, spun - 1)
    assert request(b"D") == b"OK"
    code, out, _ = replay.finish()
    assert code == 7 and out == recorded_out


def test_reverse_step_finds_the_threads_previous_instruction():
    """From the turn log: a thread's last instruction before P is P - 1 in its slice, or
    the end of its previous slice (turns of other threads and processes in between)."""
    a, b = socket.socketpair()
    debugger = ReplayDebugger(a)
    # turn -> (position as it began, tid): tid 1 runs [0, 50) and [80, 120), tid 2
    # [50, 80) and [120, ...); turn 4 ran another process (no instruction counted).
    debugger.turns = {1: (0, 1), 2: (50, 2), 3: (80, 1), 4: (120, 0), 5: (120, 2)}
    assert debugger._last_of_thread(1, 100) == 99
    assert debugger._last_of_thread(1, 80) == 49
    assert debugger._last_of_thread(1, 200) == 119
    assert debugger._last_of_thread(2, 60) == 59
    assert debugger._last_of_thread(2, 130) == 129
    assert debugger._last_of_thread(2, 50) is None and debugger._last_of_thread(1, 0) is None
    debugger.close()
    b.close()

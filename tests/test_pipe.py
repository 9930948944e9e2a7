"""Pipes: differential runs (native vs vkemu) with threads and processes as the other
party, a deadlock report naming the pipe, and the Pipe object's blocking rules."""
from __future__ import annotations

import pytest

from conftest import program, run_native, run_vkemu
from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.pipe import Pipe
from vkernel.sched import Scheduler, State
from vkernel.sources import Sources
from vkernel.task import Thread
from vkernel.waitq import WouldBlock
from tools.cbuild import build


@pytest.mark.parametrize("name", ["pipe_threads", "pipe_nonblock", "pipe_fork", "pipe_proc_reopen"])
def test_pipe_program_matches_native(name: str, variant: str) -> None:
    prog = program(name, variant)
    native, emu = run_native([prog]), run_vkemu([prog])
    assert native.returncode == 0, native.stdout
    assert emu.stdout.decode() == native.stdout.decode()
    assert emu.returncode == native.returncode


def test_reading_an_own_empty_pipe_is_a_reported_deadlock(tmp_path) -> None:
    src = tmp_path / "selfread.c"
    src.write_text("#include <unistd.h>\nint main(void) { int p[2]; char c; pipe(p); return read(p[0], &c, 1); }\n")
    res = run_vkemu([str(build(src))], timeout=60)
    err = res.stderr.decode()
    assert "deadlock: every thread waits forever" in err
    assert "read waiting for pipe:[" in err


# -- the Pipe object on its own: a real scheduler, threads that never run ---------------------

def _setup() -> tuple[Scheduler, Pipe, list[Thread]]:
    sched = Scheduler(Sources())
    pipe = Pipe(sched, 99, 0, 0)
    threads = [Thread(tid=n, process=None) for n in (1, 2)]  # type: ignore[arg-type]
    return sched, pipe, threads


def _park_write(pipe: Pipe, end, t: Thread, data: bytes) -> WouldBlock:
    with pytest.raises(WouldBlock) as info:
        end.write([memoryview(data)])
    assert isinstance(info.value.park(t), Block)
    return info.value


def test_blocked_write_completes_in_the_kernel_as_readers_drain() -> None:
    sched, pipe, (writer, _) = _setup()
    rd, wr = pipe.open_ends(0)
    data = bytes(range(256)) * 1024                  # 256 KiB: four pipes' worth
    exc = _park_write(pipe, wr, writer, data)
    assert exc.done == 65536 and writer.state is State.BLOCKED
    out = bytearray()
    buf = bytearray(50000)
    while len(out) < len(data):
        out += buf[:rd.read([memoryview(buf)])]
    assert bytes(out) == data
    assert writer.state is State.RUNNABLE and writer.pending_result == len(data)
    assert not pipe.pending


def test_blocked_writer_gets_its_count_or_a_rerun_when_readers_go() -> None:
    sched, pipe, (partial, empty) = _setup()
    rd, wr = pipe.open_ends(0)
    _park_write(pipe, wr, partial, b"x" * 70000)     # 65536 went in
    _park_write(pipe, wr, empty, b"y" * 10)          # nothing went in
    rd.close()
    assert partial.pending_result == 65536
    assert empty.pending_result is None and empty.restart_nr is not None
    with pytest.raises(SyscallError) as info:
        wr.write([b"z"])
    assert info.value.errno == abi.EPIPE


def test_a_parked_writer_that_exits_leaves_nothing_pending() -> None:
    sched, pipe, (writer, _) = _setup()
    rd, wr = pipe.open_ends(0)
    _park_write(pipe, wr, writer, b"x" * 70000)
    sched.forget(writer)
    assert not pipe.pending
    assert rd.read([memoryview(bytearray(1 << 20))]) == 65536   # only what went in before
    assert pipe.nbytes == 0 and writer.pending_result is None


def test_growing_the_pipe_moves_pending_bytes_in() -> None:
    sched, pipe, (writer, _) = _setup()
    rd, wr = pipe.open_ends(0)
    _park_write(pipe, wr, writer, b"x" * 100000)
    assert pipe.resize(1 << 17, privileged=False) == 1 << 17
    assert pipe.nbytes == 100000 and writer.pending_result == 100000


def test_reader_parks_and_reruns_on_data_or_last_writer() -> None:
    sched, pipe, (reader, _) = _setup()
    rd, wr = pipe.open_ends(0)
    with pytest.raises(WouldBlock) as info:
        rd.read([memoryview(bytearray(10))])
    info.value.park(reader)
    wr.write([b"hi"])
    assert reader.state is State.RUNNABLE and reader.restart_nr is not None
    assert not pipe.read_waiters.waits


def test_resize_rules() -> None:
    sched, pipe, _ = _setup()
    assert pipe.resize(0, privileged=False) == abi.PAGE_SIZE
    assert pipe.resize(5 * abi.PAGE_SIZE, privileged=False) == 8 * abi.PAGE_SIZE
    with pytest.raises(SyscallError) as info:
        pipe.resize(2 << 20, privileged=False)
    assert info.value.errno == abi.EPERM
    assert pipe.resize(2 << 20, privileged=True) == 2 << 20
    with pytest.raises(SyscallError) as info:
        pipe.resize((1 << 31) + 1, privileged=True)
    assert info.value.errno == abi.EINVAL

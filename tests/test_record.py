"""Record and replay (tools/record.py): round trips, offline replay, divergence, bad files."""
from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from conftest import REPO, program, run_vkemu
from tools.record import (FORMAT_VERSION, MAGIC, Recording, RecordingError, decode_value, encode_value)


def record(tmp_path: Path, args: list[str], name: str = "run.vkr", input: bytes = b"", trace: bool = True):
    """``vkemu record``; returns (the result, the recording's path, the trace text)."""
    out = tmp_path / name
    trace_file = tmp_path / (name + ".trace")
    opts = ["--strict"] + ([f"--trace={trace_file}"] if trace else [])
    res = run_vkemu(["record", "-o", str(out)] + opts + args, strict=False, input=input)
    return res, out, trace_file.read_text() if trace else ""


def replay(tmp_path: Path, path: Path, *extra: str, name: str = "replay.trace"):
    """``vkemu replay`` with no stdin; returns (the result, the trace text)."""
    trace_file = tmp_path / name
    res = run_vkemu(["replay", "--strict", f"--trace={trace_file}", *extra, str(path)], strict=False, input=None)
    return res, trace_file.read_text() if trace_file.exists() else ""


def assert_round_trip(tmp_path: Path, args: list[str], input: bytes = b"") -> None:
    rec, path, rec_trace = record(tmp_path, args, input=input)
    rep, rep_trace = replay(tmp_path, path)
    assert (rep.stdout, rep.stderr, rep.returncode) == (rec.stdout, rec.stderr, rec.returncode)
    assert rep_trace == rec_trace and rec_trace.count("\n") > 10
    check = run_vkemu(["replay", "--check", str(path)], strict=False, input=None)
    assert check.returncode == 0, check.stderr
    assert b"followed the recording" in check.stderr and check.stdout == b""


@pytest.mark.parametrize("name,args", [
    ("hello_args", ["one", "two words"]),      # single-threaded
    ("threads_basic", []),                     # threads, futexes, counted quanta
    ("threads_spin", []),                      # slices a timer cut short (stored as cuts)
    ("pipe_threads", []),                      # threads handing bytes through a pipe
    ("proc_fork", []),                         # fork, wait, exit statuses
    ("signals_basic", []),                     # handlers, masks, kill, SIGPIPE death
    ("net_tcp", []),                           # host TCP sockets: replayed without the host
])
def test_round_trip(tmp_path: Path, name: str, args: list[str]) -> None:
    assert_round_trip(tmp_path, [program(name)] + args)


def test_round_trip_shell_with_children_and_tmpfs_times(tmp_path: Path) -> None:
    """busybox sh forks and execs busybox applets; file times on /tmp and the clock
    come from the recording."""
    script = 'echo hi > /tmp/x; busybox stat -c "%y %z" /tmp/x; busybox date +%s; busybox ls /tmp'
    assert_round_trip(tmp_path, ["/bin/busybox", "sh", "-c", script])


def test_round_trip_thread_reading_stdin(tmp_path: Path) -> None:
    assert_round_trip(tmp_path, [program("stdin_thread")], input=b"typed")


def test_inputs_replay_offline(tmp_path: Path) -> None:
    """A host file, stdin, clocks, random bytes, stat times and a child: the replay
    prints exactly what the recording did, after the file and its mount are gone and
    with no stdin at all."""
    vol = tmp_path / "vol"
    vol.mkdir()
    (vol / "in.txt").write_text("data in the file\n")
    rec, path, rec_trace = record(tmp_path, ["-v", f"{vol}:/data", program("record_inputs"), "/data/in.txt"],
                                  input=b"x" * 5000)
    assert rec.returncode == 5
    assert b"file: 17 bytes: data in the file" in rec.stdout and b"stdin: 5000 bytes" in rec.stdout
    assert b"child exit 7" in rec.stdout
    (vol / "in.txt").unlink()
    vol.rmdir()
    rep, rep_trace = replay(tmp_path, path)
    assert (rep.stdout, rep.returncode) == (rec.stdout, rec.returncode)
    assert rep_trace == rec_trace
    # A second recording of the same program differs (time and randomness are inputs).
    vol.mkdir()
    (vol / "in.txt").write_text("data in the file\n")
    again, _, _ = record(tmp_path, ["-v", f"{vol}:/data", program("record_inputs"), "/data/in.txt"],
                         name="again.vkr", input=b"x" * 5000)
    assert again.stdout != rec.stdout


def test_host_signal_replays_at_the_same_point(tmp_path: Path) -> None:
    """SIGINT sent to vkemu while recording: the guest counts syscalls until it
    arrives, so the replay prints the same count only if it delivers it at the same
    syscall."""
    path = tmp_path / "sig.vkr"
    cmd = [sys.executable, "-m", "tools.vkemu", "record", "-o", str(path), "--strict", program("record_sigint")]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LC_ALL": "C"})
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.startswith(b"signal 2 after ")
    rep, _ = replay(tmp_path, path)
    assert (rep.stdout, rep.returncode) == (b"ready\n" + out, 0)


def test_divergence_against_another_program(tmp_path: Path) -> None:
    _, path, _ = record(tmp_path, [program("hello_args"), "x"], trace=False)
    res = run_vkemu(["replay", "--check", "--program", program("threads_basic"), str(path)], strict=False,
                    input=None)
    assert res.returncode == 125
    line = res.stderr.decode().strip().splitlines()[-1]
    assert line.startswith("vkemu: replay diverged at event ") and "recorded " in line and "replay has" in line
    assert "tid 1" in line


def test_divergence_against_other_arguments(tmp_path: Path) -> None:
    """The same program recorded with other arguments: its output differs, caught at
    the write that differs (the bytes are compared by checksum)."""
    _, path, _ = record(tmp_path, [program("hello_args"), "x"], trace=False)
    rec = Recording.open(str(path))
    rec.header["argv"] = rec.header["argv"][:1] + ["y"]
    edited = tmp_path / "edited.vkr"
    write_recording(edited, rec)
    res = run_vkemu(["replay", "--check", str(edited)], strict=False, input=None)
    assert res.returncode == 125
    assert b"host write of fd" in res.stderr and b"other bytes" in res.stderr


def write_recording(path: Path, rec: Recording) -> None:
    """Write ``rec`` back (to build test files with a changed header)."""
    def record_bytes(kind: bytes, payload: bytes) -> bytes:
        return struct.pack("<cII", kind, len(payload), zlib.crc32(payload)) + payload
    data = MAGIC + record_bytes(b"H", json.dumps(rec.header).encode())
    data += record_bytes(b"P", zlib.compress(rec.program))
    for _, chunk in rec.chunks:
        data += record_bytes(b"C", chunk)
    data += record_bytes(b"E", json.dumps(rec.end).encode())
    path.write_bytes(data)


def test_truncated_corrupt_and_incompatible_recordings(tmp_path: Path) -> None:
    _, path, _ = record(tmp_path, [program("hello_args")], trace=False)
    data = path.read_bytes()
    cases = tmp_path / "cases"
    cases.mkdir()
    truncated = cases / "truncated.vkr"
    truncated.write_bytes(data[:len(data) // 2])
    res = run_vkemu(["replay", str(truncated)], strict=False, input=None)
    assert res.returncode == 2
    assert res.stderr.count(b"\n") == 1 and b"truncated at byte offset" in res.stderr
    corrupt = cases / "corrupt.vkr"
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    corrupt.write_bytes(bytes(flipped))
    res = run_vkemu(["replay", str(corrupt)], strict=False, input=None)
    assert res.returncode == 2
    assert res.stderr.count(b"\n") == 1 and b"corrupt at byte offset" in res.stderr
    rec = Recording.open(str(path))
    rec.header.update(format=FORMAT_VERSION + 1, vkemu="9.9")
    newer = cases / "newer.vkr"
    write_recording(newer, rec)
    res = run_vkemu(["replay", str(newer)], strict=False, input=None)
    assert res.returncode == 2
    assert b"vkemu 9.9" in res.stderr and b"this is vkemu " in res.stderr and res.stderr.count(b"\n") == 1
    junk = cases / "junk.vkr"
    junk.write_bytes(b"\x00" * 40)
    assert run_vkemu(["replay", str(junk)], strict=False, input=None).returncode == 2
    assert run_vkemu(["stats", str(truncated)], strict=False, input=None).returncode == 2


def test_stats_summarises_the_syscalls(tmp_path: Path) -> None:
    _, path, trace = record(tmp_path, [program("hello_args"), "a"])
    res = run_vkemu(["stats", str(path)], strict=False, input=None)
    assert res.returncode == 0
    lines = res.stdout.decode().splitlines()
    total = next(line for line in lines if line.endswith(" total")).split()
    # Every syscall the trace shows is counted: one trace line each, plus exit's.
    assert int(total[1]) == sum(1 for line in trace.splitlines() if not line.startswith("+++"))
    write = next(line for line in lines if line.endswith(" write")).split()
    assert write[1] == "1"


def test_values_round_trip() -> None:
    st = os.stat(REPO)
    back = decode_value(json.loads(json.dumps(encode_value([st, b"\x00\xff", (1, "a"), None]))))
    assert back[0] == st and back[0].st_mtime_ns == st.st_mtime_ns and back[0].st_blocks == st.st_blocks
    assert back[1:] == [b"\x00\xff", [1, "a"], None]


def test_missing_recording_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="No such file"):
        Recording.open(str(tmp_path / "none.vkr"))


def test_ctrl_c_while_recording_a_loop_without_syscalls(tmp_path: Path) -> None:
    """The guest never makes another syscall: the recording cuts it between two
    instructions after a grace period and stores the point; a replay that takes long
    to find it can itself be stopped by a signal."""
    path = tmp_path / "spin.vkr"
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LC_ALL": "C"}
    proc = subprocess.Popen([sys.executable, "-m", "tools.vkemu", "record", "-o", str(path), program("spin")],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None and proc.stdout.readline() == b"spinning\n"
    # The line is out while the write(2) handler still runs; a signal that arrives
    # before it returns is taken at that syscall boundary and needs no cut.
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 128 + signal.SIGINT
    rec = Recording.open(str(path))
    assert rec.end["wait_status"] == signal.SIGINT and len(rec.end["cuts"]) == 1
    replaying = subprocess.Popen([sys.executable, "-m", "tools.vkemu", "replay", str(path)], cwd=REPO,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    assert replaying.stdout is not None and replaying.stdout.readline() == b"spinning\n"
    time.sleep(0.5)
    if replaying.poll() is None:
        replaying.send_signal(signal.SIGTERM)
    out, err = replaying.communicate(timeout=30)
    if replaying.returncode == 128 + signal.SIGINT:
        # On a loaded machine the guest ran few loops before the cut: the replay found it.
        assert out == b"" and err == b""
    else:
        assert replaying.returncode == 128 + signal.SIGTERM
        assert err.strip().splitlines()[-1] == b"vkemu: replay interrupted by SIGTERM"


def test_malformed_event_with_a_valid_checksum(tmp_path: Path) -> None:
    """A crafted file whose framing is right but whose event is not: exit 2, one line."""
    from tools.record import _CHUNK_HEAD
    _, path, _ = record(tmp_path, [program("hello_args")], trace=False)
    rec = Recording.open(str(path))
    offset, payload = rec.chunks[0]
    size, packed = _CHUNK_HEAD.unpack_from(payload)
    events = json.loads(zlib.decompress(payload[_CHUNK_HEAD.size:_CHUNK_HEAD.size + size]))
    events[next(i for i, e in enumerate(events) if e[0] == "c")] = ["c"]
    text = zlib.compress(json.dumps(events).encode())
    rec.chunks[0] = (offset, _CHUNK_HEAD.pack(len(text), packed) + text + payload[_CHUNK_HEAD.size + size:])
    crafted = tmp_path / "crafted.vkr"
    write_recording(crafted, rec)
    res = run_vkemu(["replay", str(crafted)], strict=False, input=None)
    assert res.returncode == 2
    assert res.stderr.count(b"\n") == 1 and b"is malformed" in res.stderr


# -- state checksums -----------------------------------------------------------------------

def _events(rec: Recording) -> list[list]:
    """The events of ``rec``'s chunks as stored (data events keep their lengths)."""
    from tools.record import _CHUNK_HEAD
    out = []
    for _, payload in rec.chunks:
        size, _ = _CHUNK_HEAD.unpack_from(payload)
        out.append(json.loads(zlib.decompress(payload[_CHUNK_HEAD.size:_CHUNK_HEAD.size + size])))
    return out


def _with_events(rec: Recording, chunks: list[list]) -> Recording:
    from tools.record import _CHUNK_HEAD
    new = []
    for (offset, payload), events in zip(rec.chunks, chunks):
        size, packed = _CHUNK_HEAD.unpack_from(payload)
        text = zlib.compress(json.dumps(events).encode())
        new.append((offset, _CHUNK_HEAD.pack(len(text), packed) + text + payload[_CHUNK_HEAD.size + size:]))
    rec.chunks = new
    return rec


def test_memory_divergence_is_reported_at_the_checksum(tmp_path: Path) -> None:
    """A build whose seed (in .data) differs computes another table: same syscalls,
    same output, same registers; only the memory digest of the checksum differs."""
    exe = program("record_memcheck")
    _, path, _ = record(tmp_path, [exe], trace=False)
    assert run_vkemu(["replay", "--check", str(path)], strict=False, input=None).returncode == 0
    data = Path(exe).read_bytes()
    seed = struct.pack("<Q", 0x12345EEDCAFEF00D)
    assert data.count(seed) == 1
    patched = tmp_path / "patched"
    patched.write_bytes(data.replace(seed, struct.pack("<Q", 0x12345EEDCAFEF00F)))
    res = run_vkemu(["replay", "--check", "--program", str(patched), str(path)], strict=False, input=None)
    assert res.returncode == 125
    line = res.stderr.decode().strip().splitlines()[-1]
    assert "checksum after syscall #1024, tid 1, getppid" in line and "recorded memory of pid 1" in line


def test_tampered_checksums_name_registers_and_memory(tmp_path: Path) -> None:
    _, path, _ = record(tmp_path, [program("record_memcheck")], trace=False)
    rec = Recording.open(str(path))
    chunks = _events(rec)
    checksums = [e for events in chunks for e in events if e[0] == "G"]
    # One every 1024 syscalls and one at exit_group; the first has a memory digest.
    assert len(checksums) == 3 and checksums[0][1] == 1024 and isinstance(checksums[0][4], str)
    checksums[0][3][1] ^= 0x10                     # rbx
    write_recording(tmp_path / "regs.vkr", _with_events(rec, chunks))
    res = run_vkemu(["replay", "--check", str(tmp_path / "regs.vkr")], strict=False, input=None)
    assert res.returncode == 125 and b"recorded registers rbx=" in res.stderr and b"replay has rbx=" in res.stderr
    checksums[0][3][1] ^= 0x10
    checksums[0][4] = "00000000"
    write_recording(tmp_path / "mem.vkr", _with_events(Recording.open(str(path)), chunks))
    res = run_vkemu(["replay", "--check", str(tmp_path / "mem.vkr")], strict=False, input=None)
    assert res.returncode == 125 and b"recorded memory of pid 1 with digest 00000000" in res.stderr


# -- inputs that depend on host CPU time ----------------------------------------------------

def test_itimer_virtual_and_prof_round_trip(tmp_path: Path) -> None:
    """The loop counts printed at each SIGVTALRM/SIGPROF are the replay's only if it
    delivers them at the same instruction."""
    rec, path, _ = record(tmp_path, [program("record_itimer")], trace=False)
    assert rec.returncode == 0 and b"ordered: 1" in rec.stdout
    rep, _ = replay(tmp_path, path)
    assert (rep.stdout, rep.returncode) == (rec.stdout, 0)
    assert sum(1 for e in Recording.open(str(path)).events() if e[0] == "V") >= 3


def test_cpu_quota_signal_round_trip(tmp_path: Path) -> None:
    policy = tmp_path / "cpu.toml"
    policy.write_text("[quotas]\ncpu_seconds = 0.3\n")
    rec, path, _ = record(tmp_path, ["--policy", str(policy), program("record_cpu_quota")], trace=False)
    assert (rec.stdout, rec.returncode) == (b"spinning\nxcpu\n", 3)
    rep, _ = replay(tmp_path, path)
    assert (rep.stdout, rep.returncode) == (rec.stdout, rec.returncode)


# -- layers, mounts, trust -------------------------------------------------------------------

def test_layers_replay_and_a_missing_tarball_is_named(tmp_path: Path) -> None:
    """A tarball layer is found by its sha256 (at its path or given with --layer); a
    directory layer's files are in the recording."""
    import tarfile
    tree = tmp_path / "tree" / "etc"
    tree.mkdir(parents=True)
    (tree / "from_tar.txt").write_text("in the tarball\n")
    tar = tmp_path / "layer.tar"
    with tarfile.open(tar, "w") as t:
        t.add(tree, arcname="etc")
    layer_dir = tmp_path / "dirlayer" / "etc"
    layer_dir.mkdir(parents=True)
    (layer_dir / "from_dir.txt").write_text("in the directory\n")
    args = ["--layer", str(tar), "--layer", str(layer_dir.parent), "/bin/busybox", "cat", "/etc/from_tar.txt",
            "/etc/from_dir.txt"]
    rec, path, _ = record(tmp_path, args, trace=False)
    assert (rec.stdout, rec.returncode) == (b"in the tarball\nin the directory\n", 0)
    (layer_dir / "from_dir.txt").unlink()
    layer_dir.rmdir()
    moved = tmp_path / "elsewhere.tar"
    tar.rename(moved)
    missing = run_vkemu(["replay", str(path)], strict=False, input=None)
    assert missing.returncode == 2 and missing.stdout == b"" and missing.stderr.count(b"\n") == 1
    assert f"needs layer {tar} (a tarball with sha256 ".encode() in missing.stderr
    assert b"give it with --layer FILE" in missing.stderr
    rep = run_vkemu(["replay", "--layer", str(moved), str(path)], strict=False, input=None)
    assert (rep.stdout, rep.returncode) == (rec.stdout, 0)
    tar.write_bytes(b"another tarball")
    changed = run_vkemu(["replay", str(path)], strict=False, input=None)
    assert changed.returncode == 2 and f"layer {tar} has changed".encode() in changed.stderr


def test_policy_mounts_and_trust_replay_offline(tmp_path: Path) -> None:
    """The policy's [[mounts]] and what its [trust] vouches for are in the recording:
    the replay runs after the mounted directory, the key and the manifest are gone, and
    refuses the unsigned program again."""
    from test_policy import _trust_policy
    data = tmp_path / "data"
    data.mkdir()
    (data / "m.txt").write_text("mounted\n")
    trust = _trust_policy(tmp_path, ["/bin/busybox"]).read_text()
    policy = tmp_path / "p.toml"
    policy.write_text(f'{trust}\n[[mounts]]\nhost = "{data}"\nguest = "/data"\n')
    script = f"busybox cat /data/m.txt; {program('hello_args')} x; echo status $?"
    rec, path, _ = record(tmp_path, ["--policy", str(policy), "/bin/busybox", "sh", "-c", script], trace=False)
    assert rec.stdout == b"mounted\nstatus 126\n" and rec.returncode == 0
    for name in ("k", "k.pub", "m.json"):
        (tmp_path / name).unlink()
    (data / "m.txt").unlink()
    data.rmdir()
    rep, _ = replay(tmp_path, path)
    assert (rep.stdout, rep.stderr, rep.returncode) == (rec.stdout, rec.stderr, 0)

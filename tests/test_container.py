"""The container's view: host root read-only under a memory layer, -v mounts, tracing."""
from __future__ import annotations

from pathlib import Path

from conftest import program, run_vkemu


def test_default_writes_never_reach_the_host() -> None:
    target = Path("/var/tmp/vkernel-test-never-written.txt")
    target.unlink(missing_ok=True)
    res = run_vkemu([program("files_demo"), str(target)])
    assert res.returncode == 0
    assert b"read back: written by guest" in res.stdout
    assert not target.exists()


def test_rw_volume_writes_reach_the_host(tmp_path: Path) -> None:
    res = run_vkemu(["-v", f"{tmp_path}:/data:rw", program("files_demo"), "/data/out.txt"])
    assert res.returncode == 0
    assert (tmp_path / "out.txt").read_text() == "written by guest\n"


def test_ro_volume_refuses_writes(tmp_path: Path) -> None:
    res = run_vkemu(["-v", f"{tmp_path}:/data:ro", program("files_demo"), "/data/out.txt"])
    assert res.returncode == 1
    assert b"Read-only file system" in res.stderr
    assert not (tmp_path / "out.txt").exists()


def test_proc_self_exe_names_the_program(tmp_path: Path) -> None:
    res = run_vkemu([program("files_demo"), "/tmp/x"])
    assert b"exe ends with files_demo: 1" in res.stdout


def test_trace_lines_are_strace_style(tmp_path: Path) -> None:
    log = tmp_path / "trace.txt"
    res = run_vkemu([f"--trace={log}", program("files_demo"), "/tmp/x"])
    assert res.returncode == 0
    lines = log.read_text().splitlines()
    assert 'openat(AT_FDCWD, "/tmp/x", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3' in lines
    assert 'write(3, "written by guest\\n", 17) = 17' in lines
    assert ('openat(AT_FDCWD, "/nonexistent/file", O_RDONLY) = -1 ENOENT (No such file or directory)'
            in lines)
    assert lines[-2:] == ["exit_group(0) = ?", "+++ exited with 0 +++"]


def test_a_host_stdin_read_blocks_only_its_thread() -> None:
    """The reader parks on the host fd; the other thread keeps running meanwhile."""
    import subprocess
    import sys
    from conftest import REPO
    # The writer waits long enough for vkemu to start and the ticker to tick 5 times
    # (100 ms) even on a loaded machine.
    writer = subprocess.Popen(["sh", "-c", "sleep 2; echo hello"], stdout=subprocess.PIPE)
    res = subprocess.run([sys.executable, "-m", "tools.vkemu", "--strict", program("stdin_thread")],
                         stdin=writer.stdout, capture_output=True, cwd=str(REPO), timeout=60)
    writer.wait()
    assert res.returncode == 0, res.stderr
    assert res.stdout == b"read 6, ticks while reading 5\n"

"""The fuzz harness (tools/fuzz): a bounded campaign finds nothing, and a planted bug is
found, minimised to the one call that triggers it, and reproduced by --repro."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.fuzz import cli
from tools.fuzz.campaign import Budget, campaign, read_sequence
from tools.fuzz.driver import Harness
from tools.fuzz.gen import Call, select_rows
from vkernel import kernel as kernel_module
from vkernel.syscalls.table import BY_NAME

SEED = 20240601
ITERATIONS = 30_000          # about 10 s on the CI machine


@pytest.fixture(scope="module")
def harness() -> Harness:
    return Harness()


def test_campaign_finds_nothing(harness: Harness, tmp_path: Path) -> None:
    stats = campaign(SEED, select_rows(None), Budget(iterations=ITERATIONS), tmp_path, harness)
    reports = [Path(path).read_text() for path in stats.findings.values()]
    assert not stats.findings, "\n".join(reports)
    assert stats.executions >= ITERATIONS
    assert len(stats.exercised) > 0.9 * len(select_rows(None))


@pytest.fixture
def planted_bug(monkeypatch: pytest.MonkeyPatch) -> str:
    """getppid raises: a kernel bug the harness must report (invariant 3)."""
    nr = BY_NAME["getppid"].nr
    plain = kernel_module._plain_invoker

    def invoker(number: int):
        if number == nr:
            def broken(t, regs):
                raise ZeroDivisionError("planted")
            return broken
        return plain(number)

    monkeypatch.setattr(kernel_module, "_plain_invoker", invoker)
    return "getppid"


def test_planted_bug_is_found_minimised_and_reproduced(planted_bug: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    harness = Harness()
    stats = campaign(SEED, select_rows(["proc"]), Budget(iterations=3_000), tmp_path, harness)
    assert len(stats.findings) == 1
    signature, path = next(iter(stats.findings.items()))
    assert signature.startswith("exception:getppid:ZeroDivisionError@")
    calls, doc = read_sequence(Path(path))
    assert [call.name for call in calls] == ["getppid"]
    assert doc["finding"]["kind"] == "exception"

    assert cli.main(["--repro", path]) == cli.EXIT_FINDINGS
    out = capsys.readouterr().out
    assert "getppid() = -1 EIO" in out
    assert "FINDING exception (as recorded)" in out
    assert "ZeroDivisionError: planted" in out


def test_repro_of_a_clean_sequence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seq = tmp_path / "clean.json"
    calls = [Call("getpid", []), Call("pipe2", [{"ptr": "out", "off": 0}, {"int": 0}]),
             Call("write", [{"fd": "pipe_w", "pick": 0}, {"ptr": "slot", "off": 0, "data": "6869"}, {"int": 2}]),
             Call("read", [{"fd": "pipe_r", "pick": 0}, {"ptr": "out", "off": 64}, {"int": 16}])]
    seq.write_text(json.dumps({"format": "vkemu-fuzz-sequence", "version": 1, "seed": 0, "sequence": 0,
                               "finding": None, "calls": [c.to_json() for c in calls]}))
    assert cli.main(["--repro", str(seq)]) == 0
    out = capsys.readouterr().out
    assert 'write(1, "hi", 2) = 2' in out       # the harness closed stdio: the pipe is 0, 1
    assert 'read(0, "hi", 16) = 2' in out


@pytest.mark.parametrize("content", ["not json", '{"format": "other"}',
                                     '{"format": "vkemu-fuzz-sequence", "version": 1, "calls": [{"name": "nosuch", "args": []}]}',
                                     '{"format": "vkemu-fuzz-sequence", "version": 1, "calls": [{"name": "read", "args": [5]}]}'])
def test_corrupt_sequence_file_exits_2(tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]) -> None:
    seq = tmp_path / "bad.json"
    seq.write_text(content)
    assert cli.main(["--repro", str(seq)]) == cli.EXIT_USAGE
    assert "vkemu fuzz:" in capsys.readouterr().err


def test_bad_options_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--families", "nosuch"]) == cli.EXIT_USAGE
    assert "unknown family" in capsys.readouterr().err
    assert cli.main(["--seconds", "1", "--iterations", "5"]) == cli.EXIT_USAGE
    assert cli.main(["--jobs", "0"]) == cli.EXIT_USAGE


# -- regressions: each bug the fuzzer found, as the sequence that showed it --------------

def _i(value: int) -> dict:
    return {"int": value & (1 << 64) - 1}


def _p(path: str) -> dict:
    return {"path": path, "at": "slot"}


def _results(harness: Harness, calls: list[Call]) -> list[int | None]:
    outcomes = harness.run_sequence(calls)
    assert not [f for o in outcomes for f in o.findings]
    return [o.result for o in outcomes]


def test_large_uids_are_unsigned(harness: Harness) -> None:
    """setreuid(0x80000000) made getuid return a negative 'errno' and getresuid crash."""
    calls = [Call("setreuid", [_i(0x80000000), _i(-1)]), Call("getuid", []),
             Call("getresuid", [{"ptr": "out", "off": 0}, {"ptr": "out", "off": 4}, {"ptr": "out", "off": 8}]),
             Call("setuid", [_i(-1)])]
    assert _results(harness, calls) == [0, 0x80000000, 0, -22]


def test_truncate_is_for_regular_files_and_sparse(harness: Harness) -> None:
    """truncate of /dev/random to 5e18 bytes raised MemoryError."""
    calls = [Call("truncate", [_p("/dev/random"), _i(5821871617657175890)]),
             Call("open", [_p("/tmp/big"), _i(0o102), _i(0o644)]),                     # O_RDWR|O_CREAT
             Call("ftruncate", [{"fd": "file", "pick": 0}, _i(1 << 40)]),
             Call("pread64", [{"fd": "file", "pick": 0}, {"ptr": "out", "off": 0}, _i(16), _i((1 << 40) - 8)]),
             Call("pwrite64", [{"fd": "file", "pick": 0}, {"ptr": "slot", "off": 0, "data": "00"}, _i(1), _i(1 << 40)])]
    assert _results(harness, calls) == [-22, 0, 0, 8, -28]                               # EINVAL, ..., ENOSPC


def test_sendfile_into_the_same_file_ends(harness: Harness) -> None:
    """sendfile(fd, fd, &off, huge) chased its own writes for minutes."""
    calls = [Call("open", [_p("/tmp/f0"), _i(0o102), _i(0o644)]),
             Call("write", [{"fd": "file", "pick": 0}, {"ptr": "slot", "off": 0, "data": "616263"}, _i(3)]),
             Call("sendfile", [{"fd": "file", "pick": 0}, {"fd": "file", "pick": 0}, {"ptr": "out", "off": 1},
                               _i(5638480378759783377)])]
    assert _results(harness, calls) == [0, 3, 3]


def test_getrandom_fills_up_to_the_fault(harness: Harness) -> None:
    """getrandom drew 32 MiB from the host before looking at the buffer."""
    calls = [Call("getrandom", [{"ptr": "cross", "off": 16}, _i(1 << 30), _i(0)]),
             Call("getrandom", [{"ptr": "none", "off": 0}, _i(16), _i(0)])]
    assert _results(harness, calls) == [16, -14]

"""Build and run the LTP-style conformance cases natively, under vkemu, or both.

    python3 -m ltp_subset.run [--vkemu | --compare] [--variant V ...] [CASE ...]

Every case (one ``ltp_subset/<case>.c``) is built for every toolchain variant with
``tools.cbuild``.  A case/variant passes when its exit status is 0 or, with
``--compare``, when the native run and the vkemu run print the same stdout and exit with
the same status.  The last line is ``N passed, N failed``; the exit status is 0 iff
none failed.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tools import cbuild

CASES_DIR = Path(__file__).resolve().parent
REPO_ROOT = CASES_DIR.parent
TIMEOUT = 120  # seconds per run


@dataclass
class RunResult:
    """The outcome of one run of one binary."""

    returncode: int | None  # None when the run timed out or could not start
    stdout: str
    stderr: str
    error: str = ""  # why there is no returncode

    def status(self) -> str:
        if self.returncode is None:
            return self.error or "no status"
        return f"exit {self.returncode}"


def cases() -> list[str]:
    """Every case name: the stems of ``ltp_subset/*.c``, sorted."""
    return sorted(p.stem for p in CASES_DIR.glob("*.c"))


def source(case: str) -> Path:
    return CASES_DIR / f"{case}.c"


def build_flags(variant: str) -> list[str]:
    """Extra compiler flags: the variant's name (it names the scratch directory) and a
    digest of tst.h, so that the build cache (keyed on the .c file) sees header edits."""
    digest = hashlib.sha256((CASES_DIR / "tst.h").read_bytes()).hexdigest()[:16]
    return [f'-DTST_VARIANT="{variant}"', f"-DTST_H_DIGEST={digest}"]


def build_case(case: str, variant: str) -> Path:
    """Build one case with one variant; raises ``tools.cbuild.BuildError``."""
    return cbuild.build(source(case), variant, build_flags(variant))


def _run(cmd: list[str], timeout: float) -> RunResult:
    try:
        proc = subprocess.run(
            cmd,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if exc.stdout else ""
        err = exc.stderr.decode(errors="replace") if exc.stderr else ""
        return RunResult(None, out, err, f"timeout after {timeout:g} s")
    except OSError as exc:
        return RunResult(None, "", "", f"cannot start: {exc}")
    return RunResult(
        proc.returncode,
        proc.stdout.decode(errors="replace"),
        proc.stderr.decode(errors="replace"),
    )


def vkemu_command(binary: Path | str, options: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "tools.vkemu", "--strict", *options, str(binary)]


def run_native(binary: Path | str, timeout: float = TIMEOUT) -> RunResult:
    return _run([str(binary)], timeout)


def run_vkemu(binary: Path | str, timeout: float = TIMEOUT, options: tuple[str, ...] = ()) -> RunResult:
    """The case under vkemu; ``options`` go before the program (e.g. --net vnet)."""
    return _run(vkemu_command(binary, options), timeout)


def failed_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if "TFAIL" in line]


def compare(native: RunResult, vkemu: RunResult) -> tuple[bool, str]:
    """Whether the vkemu run matches the native one (stdout and exit status), and a
    short description of the first difference."""
    problems = []
    if native.returncode is None or vkemu.returncode is None or native.returncode != vkemu.returncode:
        problems.append(f"native {native.status()}, vkemu {vkemu.status()}")
    if native.stdout != vkemu.stdout:
        diff = difflib.unified_diff(
            native.stdout.splitlines(), vkemu.stdout.splitlines(), "native", "vkemu", lineterm="", n=0
        )
        lines = [line for line in diff if not line.startswith(("---", "+++", "@@"))]
        shown = lines[:8]
        more = f" (+{len(lines) - len(shown)} more)" if len(lines) > len(shown) else ""
        problems.append("stdout differs:\n    " + "\n    ".join(shown) + more)
    return (not problems, "; ".join(problems))


def check_one(case: str, variant: str, mode: str, timeout: float = TIMEOUT) -> tuple[bool, str]:
    """Build and run one case/variant in ``mode`` (native, vkemu or compare)."""
    try:
        binary = build_case(case, variant)
    except cbuild.BuildError as exc:
        return False, f"build failed: {exc}"
    if mode == "compare":
        native = run_native(binary, timeout)
        vk = run_vkemu(binary, timeout)
        ok, why = compare(native, vk)
        if ok:
            return True, _summary(native)
        if vk.returncode is None or vk.returncode != native.returncode:
            tail = vk.stderr.strip().splitlines()[-3:]
            if tail:
                why += "\n    vkemu stderr: " + "\n    ".join(tail)
        return False, why
    result = run_native(binary, timeout) if mode == "native" else run_vkemu(binary, timeout)
    if result.returncode == 0:
        return True, _summary(result)
    why = result.status()
    fails = failed_lines(result.stdout)
    if fails:
        why += "\n    " + "\n    ".join(fails[:10])
        if len(fails) > 10:
            why += f"\n    (+{len(fails) - 10} more TFAIL lines)"
    tail = result.stderr.strip().splitlines()[-3:]
    if tail:
        why += "\n    stderr: " + "\n    ".join(tail)
    return False, why


def _summary(result: RunResult) -> str:
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines and lines[-1].startswith("summary:") else result.status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m ltp_subset.run", description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--vkemu", action="store_true", help="run under python3 -m tools.vkemu")
    mode.add_argument("--compare", action="store_true", help="run natively and under vkemu and compare")
    parser.add_argument("--variant", action="append", metavar="V",
                        help=f"toolchain variant (repeatable; default: all available of {', '.join(cbuild.VARIANTS)})")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="run this many case/variants at once")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per run (default %(default)s)")
    parser.add_argument("cases", nargs="*", metavar="CASE", help="case names (default: all)")
    args = parser.parse_args(argv)

    all_cases = cases()
    selected = args.cases or all_cases
    unknown = [c for c in selected if c not in all_cases]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(all_cases)}")
    variants = args.variant or cbuild.available_variants()
    bad = [v for v in variants if v not in cbuild.VARIANTS]
    if bad:
        parser.error(f"unknown variant(s): {', '.join(bad)}; known: {', '.join(cbuild.VARIANTS)}")
    run_mode = "compare" if args.compare else "vkemu" if args.vkemu else "native"

    jobs = [(c, v) for c in selected for v in variants]
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(check_one, c, v, run_mode, args.timeout) for c, v in jobs]
        for (case, variant), fut in zip(jobs, futures):
            ok, why = fut.result()
            if ok:
                passed += 1
            else:
                failed += 1
            print(f"{'PASS' if ok else 'FAIL'} {case} [{variant}] {run_mode}: {why}", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

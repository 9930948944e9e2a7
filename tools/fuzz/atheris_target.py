"""``python -m tools.fuzz --atheris``: coverage-guided fuzzing of the syscall surface.

libFuzzer's input bytes seed the structured generator (tools/fuzz/gen.py) instead of
being the syscalls themselves, so mutations keep producing well-formed sequences while
the coverage feedback (of the kernel's Python code, instrumented by atheris) steers
which seeds survive.  A finding raises, which libFuzzer reports and saves as a crash
input; ``vkemu fuzz --repro`` then takes the sequence file written beside it.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

EXIT_USAGE = 2
LENGTH = 24                     # calls per input


class FindingError(Exception):
    """An oracle failed on this input."""


def main(argv: list[str]) -> int:
    try:
        import atheris  # type: ignore[import-not-found]
    except ImportError:
        print("vkemu fuzz: --atheris needs the atheris package, which is not installed here "
              "(pip install atheris; where no wheel exists, building it needs clang with libFuzzer)",
              file=sys.stderr)
        return EXIT_USAGE
    with atheris.instrument_imports():
        import vkernel  # noqa: F401 - instrumented for coverage
        from tools.fuzz.campaign import finding_name, write_sequence
        from tools.fuzz.driver import Harness
        from tools.fuzz.gen import Generator, select_rows
    harness = Harness()
    rows = select_rows(None)
    out = Path("findings")

    def one_input(data: bytes) -> None:
        gen = Generator(random.Random(data), rows)
        harness.reset()
        calls = []
        pending = gen.prologue()
        for _ in range(LENGTH):
            call = pending.pop(0) if pending else gen.call(harness.fd_kinds())
            calls.append(call)
            outcome = harness.run(call)
            if outcome.findings:
                finding = outcome.findings[0]
                path = out / f"atheris-{finding_name(finding)}.json"
                write_sequence(path, calls, finding, "atheris", 0)
                raise FindingError(f"{finding.signature} (sequence: {path})")
            if not outcome.continues:
                return

    atheris.Setup([sys.argv[0], *argv], one_input)
    atheris.Fuzz()
    return 0

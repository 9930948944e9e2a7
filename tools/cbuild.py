"""Build C and C++ test programs once per source and toolchain variant, and cache them.

The cache key is the digest of the source, the compiler command and its flags, so a
test run rebuilds only what changed.  The cache lives in ``$VKERNEL_BUILD_CACHE`` or
``~/.cache/vkernel/build``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# The three toolchain variants every conformance case is built with.
VARIANTS: dict[str, list[str]] = {
    "gcc-static": ["gcc", "-static"],
    "gcc-static-pie": ["gcc", "-static-pie", "-fPIE"],
    "musl-static": ["musl-gcc", "-static"],
}

# C++ toolchains, kept apart: C cases are built with VARIANTS only.  Sources end in .cpp.
CXX_VARIANTS: dict[str, list[str]] = {
    "g++-static": ["g++", "-static", "-pthread"],
}

COMMON_FLAGS = ["-O2", "-w"]


class BuildError(Exception):
    """A C or C++ program failed to compile."""


def cache_dir() -> Path:
    root = os.environ.get("VKERNEL_BUILD_CACHE") or os.path.expanduser("~/.cache/vkernel/build")
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def available_variants() -> list[str]:
    """The variants whose compiler exists on this machine."""
    return [name for name, cmd in VARIANTS.items() if shutil.which(cmd[0])]


def available_cxx_variants() -> list[str]:
    """The C++ variants whose compiler exists on this machine."""
    return [name for name, cmd in CXX_VARIANTS.items() if shutil.which(cmd[0])]


def build(source: Path | str, variant: str = "gcc-static", extra_flags: list[str] | None = None) -> Path:
    """Compile ``source`` with ``variant`` (a C or a C++ one) and return the cached binary's path."""
    source = Path(source)
    cmd = {**VARIANTS, **CXX_VARIANTS}[variant] + COMMON_FLAGS + list(extra_flags or [])
    digest = hashlib.sha256(source.read_bytes() + "\0".join(cmd).encode()).hexdigest()[:16]
    out = cache_dir() / f"{source.stem}-{variant}-{digest}"
    if out.exists():
        return out
    # Build into a temporary name and rename, so concurrent test workers never see a
    # half-written binary.
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".build-")
    os.close(fd)
    proc = subprocess.run(cmd + [str(source), "-o", tmp, "-lm"], capture_output=True, text=True)
    if proc.returncode != 0:
        os.unlink(tmp)
        raise BuildError(f"{' '.join(cmd)} {source} failed:\n{proc.stderr}")
    os.replace(tmp, out)
    return out

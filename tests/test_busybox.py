"""Differential tests: Debian's busybox-static applets, run natively and under vkemu.

Each case runs one applet invocation twice, natively and under ``vkemu --strict``, in a
fixture tree the test builds itself, and asserts byte-identical stdout, the same exit
status and the same stderr.  stdin is a pipe or a regular file; stdout a pipe, a regular
file, closed, or /dev/full; the working directory may be below the tree's root.
Read-only cases share one session-scoped tree, mounted read-only.  Mutating cases get a
fresh copy of the tree for each run, at the same path both times (so path-dependent
output matches); after each run the host directory is walked and the two snapshots
(names, types, sizes, modes, link counts, contents, symlink targets, and mtimes where
they are not "just now") must match.
Two more tests: writers killed by SIGPIPE, and ``stat -f`` of a volume on a tmpfs.
"""
from __future__ import annotations

import contextlib
import difflib
import gzip
import hashlib
import io
import os
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

BUSYBOX = "/bin/busybox"
REPO_ROOT = str(Path(__file__).resolve().parents[1])
TIMEOUT = 120  # seconds per run

pytestmark = pytest.mark.skipif(not os.path.exists(BUSYBOX),
                                reason=f"{BUSYBOX} is missing (Debian's busybox-static is not installed)")

# Both runs see the same small environment, so locale, time zone and PATH cannot differ.
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "TZ": "UTC", "HOME": "/root"}

# Every fixture object's mtime: ls -l, stat -c %Y, tar and cp -p output depend on it.
FIXED_MTIME = 1614834367  # 2021-03-04 05:06:07 UTC

# The vkemu CLI with the repository importable, without leaking PYTHONPATH to the guest.
VKEMU = [sys.executable, "-c",
         f"import sys; sys.path.insert(0, {REPO_ROOT!r}); from tools.vkemu import main; sys.exit(main())"]


# -- the fixture tree ---------------------------------------------------------------------

A_TXT = (b"alpha beta gamma\ndelta epsilon\nalpha beta gamma\nzeta eta theta\n"
         b"iota kappa lambda mu\nthe quick brown fox\njumps over the lazy dog\n")
WORDS = b"pear\napple\nbanana\napple\nApple\ncherry\nbanana\nbanana\nfig\n"
NUMS = b"10\n2\n33\n-4\n5.5\n2\n100\n0\n"
CSV = b"id,name,score\n1,ann,90\n2,bob,85\n3,cy,77\n4,dee,92\n"
USERS = (b"root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
         b"alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/sh\n")
NOTES = b"remember the milk\n" * 3
BIG = b"".join(b"line %d of the big file, value=%d\n" % (i, (i * 7919) % 1000) for i in range(1, 2001))


def _bin_data() -> bytes:
    """Every byte value, runs of 0x00/0xff, and 4 KiB of deterministic noise."""
    noise = b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(128))
    return bytes(range(256)) + b"\x00" * 100 + b"\xff" * 100 + noise


def _tarball() -> bytes:
    """A small ustar archive: a directory, two files and a symlink, all with FIXED_MTIME."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        def add(name: str, kind: bytes, mode: int, data: bytes = b"", target: str = "") -> None:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = kind, mode, FIXED_MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.size = len(data)
            info.linkname = target
            tar.addfile(info, io.BytesIO(data) if data else None)
        add("x", tarfile.DIRTYPE, 0o755)
        add("x/1.txt", tarfile.REGTYPE, 0o644, b"first file\n")
        add("x/2.txt", tarfile.REGTYPE, 0o640, b"second file\nwith two lines\n")
        add("x/ln", tarfile.SYMTYPE, 0o777, target="1.txt")
    return buf.getvalue()


def build_tree(root: Path) -> None:
    """The fixture tree: text files, a binary file, nested dirs, symlinks, an empty file."""
    root.mkdir(parents=True)
    files = {
        "a.txt": A_TXT,
        "words.txt": WORDS,
        "nums.txt": NUMS,
        "data.csv": CSV,
        "users.txt": USERS,
        "big.txt": BIG,
        "bin.dat": _bin_data(),
        "empty": b"",
        "with space.txt": b"a name with a space\n",
        "script.sh": b"#!/bin/sh\necho hi\n",
        "secret.txt": b"top secret\n",
        "notes.txt.gz": gzip.compress(NOTES, mtime=0),
        "bad.gz": b"this is not gzip data\n",
        "arch.tar": _tarball(),
        "sums.sha256": (hashlib.sha256(A_TXT).hexdigest().encode() + b"  a.txt\n"
                        + b"0" * 64 + b"  words.txt\n"),
        "sub/c.txt": b"gamma in a subdirectory\nsecond line\n",
        "sub/.hidden": b"hidden\n",
        "sub/deep/d.txt": b"deep file\nalpha again\n",
        "sub/deep/e.log": b"log line 1\nlog line 2\ngamma ray\n",
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "emptydir").mkdir()
    os.chmod(root / "script.sh", 0o755)
    os.chmod(root / "secret.txt", 0o600)
    os.symlink("a.txt", root / "link.txt")
    os.symlink("sub", root / "sublink")
    os.symlink("nowhere", root / "dangling")
    os.symlink("loop2", root / "loop1")
    os.symlink("loop1", root / "loop2")
    # Deepest first, so setting a directory's mtime is the last change inside it.
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (FIXED_MTIME, FIXED_MTIME), follow_symlinks=False)
    os.utime(root, (FIXED_MTIME, FIXED_MTIME))


def snapshot(root: Path) -> list[tuple]:
    """Everything a mutating applet may change below ``root``, in a comparable form.

    mtimes are kept only where they are not "just now" (set by touch -d, cp -p, tar):
    a time the run itself stamped differs between the two runs by construction.
    """
    recent = time.time() - 3600
    out: list[tuple] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            kind = stat.S_IFMT(st.st_mode)
            if stat.S_ISREG(kind):
                data = Path(path).read_bytes()
                # Small contents as they are (readable in a failure), big ones by digest.
                payload: bytes | str = data if len(data) <= 256 else "sha256:" + hashlib.sha256(data).hexdigest()
            elif stat.S_ISLNK(kind):
                payload = os.readlink(path)
            else:
                payload = ""
            mtime = "now" if st.st_mtime >= recent else st.st_mtime_ns
            rel = os.path.relpath(path, root)
            out.append((rel, stat.filemode(st.st_mode), st.st_nlink, st.st_size, mtime, payload))
    return out


# -- running ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: bytes
    stderr: bytes


@dataclass(frozen=True)
class Stdio:
    """Where a run's stdin comes from and its stdout goes."""
    data: bytes = b""            # stdin through a pipe ...
    stdin_file: Path | None = None  # ... or from this regular file
    stdout: str = "pipe"         # pipe | file (a regular file) | closed | full (/dev/full)
    out_file: Path | None = None  # the regular file for stdout="file"


def _run(cmd: list[str], cwd: Path, stdio: Stdio) -> Result:
    with contextlib.ExitStack() as stack:
        stdin = stack.enter_context(open(stdio.stdin_file, "rb")) if stdio.stdin_file else subprocess.PIPE
        if stdio.stdout == "file":
            assert stdio.out_file is not None
            stdout = stack.enter_context(open(stdio.out_file, "wb"))
        elif stdio.stdout == "full":
            stdout = stack.enter_context(open("/dev/full", "wb"))
        else:
            stdout = subprocess.PIPE
        close_stdout = (lambda: os.close(1)) if stdio.stdout == "closed" else None
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, env=ENV,
                                preexec_fn=close_stdout)
        out, err = proc.communicate(None if stdio.stdin_file else stdio.data, timeout=TIMEOUT)
    if stdio.stdout == "file":
        assert stdio.out_file is not None
        out = stdio.out_file.read_bytes()
    return Result(proc.returncode, out or b"", err)


def run_native(argv: list[str], cwd: Path, stdio: Stdio) -> Result:
    return _run([BUSYBOX, *argv], cwd, stdio)


def run_vkemu(argv: list[str], cwd: Path, stdio: Stdio, volume: Path, writable: bool) -> Result:
    mount = f"{volume}:{volume}:{'rw' if writable else 'ro'}"
    return _run([*VKEMU, "--strict", "-v", mount, BUSYBOX, *argv], cwd, stdio)


# -- the cases ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]
    stdin: bytes = b""
    fails: bool = False          # the native run must exit non-zero (else: zero)
    mutates: bool = False        # runs in a fresh writable copy; trees are compared
    cwd: str = "."               # below the tree
    stdin_file: str = ""         # stdin is this fixture file (a regular file), not a pipe
    stdout: str = "pipe"         # see Stdio.stdout


def C(case_id: str, cmd: str, stdin: bytes = b"", fails: bool = False, **kw) -> Case:
    return Case(case_id, tuple(shlex.split(cmd)), stdin, fails, **kw)


def M(case_id: str, cmd: str, stdin: bytes = b"", fails: bool = False, **kw) -> Case:
    return C(case_id, cmd, stdin, fails, mutates=True, **kw)


CASES: list[Case] = [
    # echo
    C("echo-words", "echo hello  world"),
    C("echo-n", "echo -n no newline"),
    C("echo-e", r"echo -e 'a\tb\\n\0101\c' ignored"),
    # cat
    C("cat-file", "cat a.txt"),
    C("cat-n", "cat -n a.txt"),
    C("cat-multi", "cat a.txt sub/c.txt 'with space.txt'"),
    C("cat-stdin", "cat - empty", stdin=b"from stdin\n"),
    C("cat-binary", "cat bin.dat"),
    C("cat-symlink", "cat link.txt sublink/deep/d.txt"),
    C("cat-big", "cat big.txt"),
    C("cat-missing", "cat a.txt missing.txt", fails=True),
    C("cat-dir", "cat sub", fails=True),
    C("cat-dangling", "cat dangling", fails=True),
    C("cat-loop", "cat loop1", fails=True),
    C("cat-stdin-file", "cat", stdin_file="bin.dat"),
    C("cat-to-file", "cat a.txt big.txt bin.dat", stdout="file"),
    C("cat-parent", "cat ../c.txt ../../a.txt", cwd="sub/deep"),
    C("cat-closed-stdout", "cat a.txt", fails=True, stdout="closed"),
    C("cat-dev-full", "cat a.txt", fails=True, stdout="full"),
    # ls
    C("ls-plain", "ls"),
    C("ls-a", "ls -a"),
    C("ls-1R", "ls -1R sub"),
    C("ls-l", "ls -l"),
    C("ls-ln", "ls -ln sub"),
    C("ls-la-sub", "ls -la sub"),
    C("ls-F", "ls -F"),
    C("ls-S", "ls -S"),
    C("ls-ld", "ls -ld sub sublink emptydir"),
    C("ls-lL", "ls -lL link.txt sublink"),
    C("ls-dangling", "ls -l dangling"),
    C("ls-missing", "ls a.txt nope", fails=True),
    C("ls-parent", "ls -la ..", cwd="sub/deep"),
    C("ls-loop", "ls -L loop1", fails=True),
    # wc
    C("wc-all", "wc a.txt"),
    C("wc-l", "wc -l big.txt"),
    C("wc-c-bin", "wc -c bin.dat empty"),
    C("wc-w-multi", "wc -w a.txt words.txt"),
    C("wc-stdin", "wc", stdin=A_TXT),
    C("wc-missing", "wc -l a.txt missing.txt", fails=True),
    C("wc-stdin-file", "wc -c", stdin_file="bin.dat"),
    # sort
    C("sort-plain", "sort words.txt"),
    C("sort-u", "sort -u words.txt"),
    C("sort-r", "sort -r a.txt"),
    C("sort-n", "sort -n nums.txt"),
    C("sort-key", "sort -t, -k3,3n data.csv"),
    C("sort-f", "sort -f words.txt"),
    C("sort-big", "sort -t= -k2,2n -k1,1 big.txt"),
    C("sort-stdin", "sort", stdin=WORDS),
    C("sort-missing", "sort missing.txt", fails=True),
    # uniq
    C("uniq-plain", "uniq words.txt"),
    C("uniq-c", "uniq -c", stdin=b"a\na\nb\nc\nc\nc\n"),
    C("uniq-d", "uniq -d", stdin=b"a\na\nb\nc\nc\n"),
    C("uniq-u", "uniq -u", stdin=b"a\na\nb\nc\nc\n"),
    C("uniq-i", "uniq -i", stdin=b"Apple\napple\nAPPLE\npear\n"),
    C("uniq-missing", "uniq missing.txt", fails=True),
    # head
    C("head-default", "head big.txt"),
    C("head-n", "head -n 3 a.txt"),
    C("head-c", "head -c 20 bin.dat"),
    C("head-multi", "head -n 2 a.txt sub/c.txt"),
    C("head-stdin", "head -n 1", stdin=A_TXT),
    C("head-missing", "head missing.txt", fails=True),
    C("head-stdin-file", "head -c 100", stdin_file="big.txt"),
    # tail
    C("tail-default", "tail big.txt"),
    C("tail-n", "tail -n 2 a.txt"),
    C("tail-plus", "tail -n +5 a.txt"),
    C("tail-c", "tail -c 16 bin.dat"),
    C("tail-stdin", "tail -n 3", stdin=BIG),
    C("tail-missing", "tail missing.txt", fails=True),
    C("tail-stdin-file", "tail -n 3", stdin_file="big.txt"),   # tail seeks on a regular file
    C("tail-c-stdin-file", "tail -c 10", stdin_file="bin.dat"),
    # cut
    C("cut-fields", "cut -d, -f2 data.csv"),
    C("cut-chars", "cut -c1-5 a.txt"),
    C("cut-multi", "cut -d: -f1,3,7 users.txt"),
    C("cut-open-range", "cut -b 3- words.txt"),
    C("cut-s", "cut -s -d' ' -f2", stdin=b"one two\nsingle\nthree four five\n"),
    C("cut-no-list", "cut a.txt", fails=True),
    # tr
    C("tr-upper", "tr a-z A-Z", stdin=A_TXT),
    C("tr-delete", "tr -d aeiou", stdin=A_TXT),
    C("tr-squeeze", "tr -s ' '", stdin=b"a   b    c\n"),
    C("tr-complement", "tr -cd '0-9\\n'", stdin=CSV),
    C("tr-no-args", "tr", fails=True),
    # sed
    C("sed-subst", "sed s/alpha/ALPHA/ a.txt"),
    C("sed-global", "sed 's/a/_/g' a.txt"),
    C("sed-range", "sed -n 2,4p a.txt"),
    C("sed-delete", "sed /beta/d a.txt"),
    C("sed-insert", "sed -e '1i head' -e '$a tail' sub/c.txt"),
    C("sed-lineno", "sed -n '$=' big.txt"),
    C("sed-regex", r"sed -E 's/([a-z]+) ([a-z]+)/\2 \1/' a.txt"),
    C("sed-stdin", "sed 'y/abc/xyz/'", stdin=b"aabbcc\n"),
    C("sed-bad-regex", r"sed 's/\(/x/' a.txt", fails=True),
    C("sed-missing", "sed p missing.txt", fails=True),
    C("sed-stdin-file", "sed -n '/value=99[0-9]/p'", stdin_file="big.txt"),
    M("sed-inplace", "sed -i 's/gamma/GAMMA/' a.txt sub/c.txt"),
    # grep
    C("grep-plain", "grep alpha a.txt"),
    C("grep-n", "grep -n the a.txt"),
    C("grep-c", "grep -c line big.txt"),
    C("grep-v", "grep -v a a.txt"),
    C("grep-i", "grep -i ALPHA a.txt sub/deep/d.txt"),
    C("grep-r", "grep -r gamma ."),
    C("grep-l", "grep -l alpha a.txt sub/c.txt sub/deep/d.txt"),
    C("grep-E", "grep -E 'fox|dog' a.txt"),
    C("grep-o", "grep -o 'value=[0-9]*5' big.txt"),
    C("grep-w", "grep -w eta a.txt"),
    C("grep-F", "grep -F .5 nums.txt"),
    C("grep-stdin", "grep an", stdin=WORDS),
    C("grep-nomatch", "grep zzz a.txt", fails=True),
    C("grep-missing", "grep alpha missing.txt", fails=True),
    # awk
    C("awk-field", "awk '{print $1}' a.txt"),
    C("awk-sum", "awk -F, 'NR>1 {s+=$3} END {print s, s/(NR-1)}' data.csv"),
    C("awk-printf", "awk 'BEGIN {printf \"%5.2f|%d|%s|%x\\n\", 3.14159, 42, \"str\", 255}'"),
    # Debian's busybox awk has no math library (sin, exp, ^), so plain arithmetic only.
    C("awk-math", "awk 'BEGIN {print int(-3.7), 7%3, -7%3, 1/3, 1e6*3, 10/4, 0.1+0.2, 1e300*1e10}'"),
    C("awk-nf", "awk -F: '{print NR\": \"$NF, length($0)}' users.txt"),
    C("awk-arrays", "awk '{n[$1]++} END {for (k in n) print k, n[k]}' words.txt"),
    C("awk-match", "awk '/^[a-z]+ [a-z]+$/ {print toupper($0)}' a.txt"),
    C("awk-syntax", "awk '{print $1' a.txt", fails=True),
    C("awk-missing", "awk 1 missing.txt", fails=True),
    # sha256sum, md5sum
    C("sha256sum-files", "sha256sum a.txt bin.dat empty"),
    C("sha256sum-big", "sha256sum big.txt"),
    C("sha256sum-stdin", "sha256sum", stdin=BIG),
    C("sha256sum-check", "sha256sum -c sums.sha256", fails=True),
    C("sha256sum-missing", "sha256sum missing.txt", fails=True),
    C("sha256sum-stdin-file", "sha256sum", stdin_file="big.txt"),
    C("md5sum-files", "md5sum a.txt bin.dat big.txt"),
    C("md5sum-stdin", "md5sum -", stdin=A_TXT),
    C("md5sum-missing", "md5sum a.txt missing.txt", fails=True),
    # base64
    C("base64-encode", "base64 bin.dat"),
    C("base64-stdin", "base64", stdin=A_TXT),
    C("base64-decode", "base64 -d", stdin=b"aGVsbG8sIHdvcmxkIQo=\n"),
    C("base64-missing", "base64 missing.txt", fails=True),
    # od
    C("od-default", "od bin.dat"),
    C("od-c", "od -c sub/c.txt"),
    C("od-x1", "od -A x -t x1 -N 64 bin.dat"),
    C("od-u2", "od -A d -t u2 -j 250 -N 32 bin.dat"),
    C("od-missing", "od missing.txt", fails=True),
    # find
    C("find-all", "find ."),
    C("find-name", "find . -name '*.txt'"),
    C("find-type-d", "find . -type d"),
    C("find-type-l", "find . -type l"),
    C("find-maxdepth", "find sub -maxdepth 1"),
    C("find-empty", "find . -empty"),
    C("find-size", "find . -type f -size +2k"),
    C("find-perm", "find . -type f -perm -u+x"),
    C("find-follow", "find -L sublink -type f"),
    C("find-missing", "find missing sub/deep", fails=True),
    C("find-parent", "find .. -name '*.log'", cwd="sub/deep"),
    C("find-loops", "find -L . -name 'loop*'", fails=True),
    # du
    C("du-s", "du -s sub"),
    C("du-a", "du -a sub"),
    C("du-k-files", "du -k bin.dat big.txt empty"),
    C("du-h", "du -h big.txt"),
    C("du-missing", "du missing", fails=True),
    C("du-parent", "du -a ..", cwd="sub/deep"),
    # seq
    C("seq-n", "seq 5"),
    C("seq-step", "seq 2 3 20"),
    C("seq-s", "seq -s, 1 5"),
    C("seq-w", "seq -w 8 11"),
    C("seq-float", "seq 1 0.5 3"),
    C("seq-down", "seq 5 -2 -3"),
    C("seq-bad", "seq abc", fails=True),
    # printf
    C("printf-s-d", r"printf '%s-%d\n' a 1 b 2"),
    C("printf-num", r"printf '%5.2f|%x|%o|%e|%-4s|\n' 3.14159 255 8 12345.678 ab"),
    C("printf-b", r"printf '%b' 'a\tb\n'"),
    C("printf-c", r"printf '%c%c\n' hello world"),
    C("printf-bad-num", r"printf '%d\n' abc", fails=True),
    # expr
    C("expr-add", "expr 1 + 2"),
    C("expr-mul", "expr 7 '*' 6"),
    C("expr-length", "expr length hello"),
    C("expr-substr", "expr substr hello 2 3"),
    C("expr-match", r"expr match abcdef 'a\(.*\)e'"),
    C("expr-false", "expr 5 '<' 3", fails=True),
    C("expr-div0", "expr 1 / 0", fails=True),
    # basename, dirname
    C("basename-plain", "basename /a/b/c.txt"),
    C("basename-suffix", "basename /a/b/c.txt .txt"),
    C("basename-root", "basename /"),
    C("basename-trailing", "basename a/b//"),
    C("basename-none", "basename", fails=True),
    C("dirname-plain", "dirname /a/b/c"),
    C("dirname-relative", "dirname c"),
    C("dirname-root", "dirname /"),
    C("dirname-trailing", "dirname a/b/"),
    # stat
    C("stat-c", "stat -c '%n %s %F %a %A %U %G %u %h' a.txt bin.dat empty sub emptydir link.txt "
                "dangling script.sh secret.txt"),
    C("stat-L", "stat -L -c '%n %s %F %a' link.txt sublink"),
    C("stat-N", "stat -c %N link.txt dangling"),
    C("stat-mtime", "stat -c '%n %Y %y' a.txt sub link.txt"),
    C("stat-blocks", "stat -c '%n %b %B %o' bin.dat big.txt empty"),
    C("stat-missing", "stat -c %n a.txt missing", fails=True),
    C("stat-loop", "stat -L -c %n loop1", fails=True),
    C("stat-f", "stat -f -c '%t %T %l %s %S' . sub"),
    # readlink
    C("readlink-plain", "readlink link.txt"),
    C("readlink-dangling", "readlink dangling"),
    C("readlink-notlink", "readlink a.txt", fails=True),
    C("readlink-f", "readlink -f link.txt"),
    C("readlink-f-dots", "readlink -f sublink/deep/../c.txt"),
    C("readlink-f-parent", "readlink -f ../../link.txt", cwd="sub/deep"),
    C("readlink-f-loop", "readlink -f loop1", fails=True),
    # truncate
    M("truncate-shrink", "truncate -s 10 a.txt"),
    M("truncate-grow", "truncate -s 5000 empty"),
    M("truncate-create", "truncate -s 100 new.bin"),
    M("truncate-suffix", "truncate -s 2k words.txt"),
    M("truncate-nocreate", "truncate -c -s 5 nofile"),
    M("truncate-dir", "truncate -s 5 sub", fails=True),
    # touch
    M("touch-new", "touch new.txt sub/deep/new"),
    M("touch-date", "touch -d '2020-01-02 03:04:05' a.txt new2"),
    M("touch-nocreate", "touch -c nofile"),
    M("touch-ref", "touch -r notes.txt.gz -c bin.dat"),
    M("touch-nodir", "touch nodir/x", fails=True),
    # mkdir
    M("mkdir-plain", "mkdir newdir"),
    M("mkdir-p", "mkdir -p x/y/z sub/deep/more"),
    M("mkdir-m", "mkdir -m 700 priv"),
    M("mkdir-exists", "mkdir sub", fails=True),
    M("mkdir-noparent", "mkdir a/b/c", fails=True),
    # rm
    M("rm-file", "rm a.txt 'with space.txt'"),
    M("rm-r", "rm -r sub"),
    M("rm-symlinks", "rm link.txt sublink dangling"),
    M("rm-f", "rm -f nonexistent empty"),
    M("rm-missing", "rm missing", fails=True),
    M("rm-dir", "rm sub", fails=True),
    M("rm-rf-mixed", "rm -rf sub emptydir bin.dat"),
    # rmdir
    M("rmdir-empty", "rmdir emptydir"),
    M("rmdir-p", "rmdir -p emptydir"),
    M("rmdir-notempty", "rmdir sub", fails=True),
    M("rmdir-missing", "rmdir missing", fails=True),
    M("rmdir-file", "rmdir a.txt", fails=True),
    # mv
    M("mv-rename", "mv a.txt moved.txt"),
    M("mv-into-dir", "mv a.txt words.txt sub/"),
    M("mv-dir", "mv sub newsub"),
    M("mv-overwrite", "mv a.txt words.txt"),
    M("mv-symlink", "mv link.txt sub/deep/"),
    M("mv-missing", "mv missing x", fails=True),
    M("mv-into-itself", "mv sub sub/deep", fails=True),
    M("mv-dir-over-empty", "mv -T sub emptydir"),
    # cp
    M("cp-file", "cp a.txt copy.txt"),
    M("cp-r", "cp -r sub subcopy"),
    M("cp-p", "cp -p bin.dat keep.dat"),
    M("cp-a", "cp -a sub asub"),
    M("cp-follow", "cp link.txt fromlink"),
    M("cp-d", "cp -d link.txt linkcopy"),
    M("cp-multi", "cp a.txt words.txt emptydir/"),
    M("cp-overwrite", "cp big.txt a.txt"),
    M("cp-missing", "cp missing x", fails=True),
    M("cp-dir-no-r", "cp sub x", fails=True),
    M("cp-same-file", "cp link.txt a.txt", fails=True),
    M("cp-into-itself", "cp -r sub sub/deep", fails=True),
    M("cp-to-loop", "cp a.txt loop1", fails=True),
    # ln
    M("ln-s", "ln -s a.txt s1"),
    M("ln-hard", "ln a.txt hard.txt"),
    M("ln-s-dir", "ln -s sub/deep dlink"),
    M("ln-sf", "ln -sf words.txt link.txt"),
    M("ln-into-dir", "ln -s ../a.txt ../words.txt sub/"),
    M("ln-exists", "ln a.txt words.txt", fails=True),
    M("ln-hard-dir", "ln sub hardsub", fails=True),
    M("ln-up", "ln -s ../../a.txt up", cwd="sub/deep"),
    # gzip, gunzip
    M("gzip-file", "gzip a.txt"),
    M("gzip-9", "gzip -9 big.txt bin.dat"),
    M("gzip-keep", "gzip -k words.txt"),
    C("gzip-stdout", "gzip -c a.txt"),
    C("gzip-stdin", "gzip", stdin=BIG),
    M("gzip-missing", "gzip missing", fails=True),
    C("gzip-stdin-file", "gzip -c", stdin_file="big.txt", stdout="file"),
    M("gunzip-file", "gunzip notes.txt.gz"),
    C("gunzip-stdout", "gunzip -c notes.txt.gz"),
    C("gunzip-test", "gunzip -t notes.txt.gz"),
    M("gunzip-bad", "gunzip bad.gz", fails=True),
    M("gunzip-missing", "gunzip missing.gz", fails=True),
    # tar
    C("tar-t", "tar -tf arch.tar"),
    C("tar-tv", "tar -tvf arch.tar"),
    C("tar-xO", "tar -xOf arch.tar x/2.txt"),
    M("tar-x", "tar -xf arch.tar"),
    M("tar-x-C", "tar -xvf arch.tar -C emptydir"),
    M("tar-c", "tar -cf out.tar sub a.txt link.txt"),
    C("tar-c-stdout", "tar -cf - sub/deep"),
    C("tar-missing", "tar -tf missing.tar", fails=True),
    M("tar-x-bad", "tar -xf bad.gz", fails=True),
    M("tar-x-stdin-file", "tar -xf -", stdin_file="arch.tar"),
    M("tar-c-to-file", "tar -cf - sub link.txt", stdout="file"),
]

_ids = [case.id for case in CASES]
assert len(_ids) == len(set(_ids)), "duplicate case ids"


# -- fixtures and the test ----------------------------------------------------------------

@pytest.fixture(scope="session")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared read-only fixture tree."""
    root = tmp_path_factory.mktemp("busybox") / "tree"
    build_tree(root)
    return root


def _describe(label: str, native: bytes, vkemu: bytes) -> str:
    a = native.decode("utf-8", "backslashreplace").splitlines(keepends=True)
    b = vkemu.decode("utf-8", "backslashreplace").splitlines(keepends=True)
    diff = "".join(list(difflib.unified_diff(a, b, "native", "vkemu"))[:60])
    return f"{label} differs:\n{diff}"


def _compare(case: Case, native: Result, vkemu: Result) -> None:
    assert (native.returncode != 0) == case.fails, (
        f"native run of {case.argv} exited {native.returncode}; the case expects "
        f"{'failure' if case.fails else 'success'}:\n{native.stderr.decode(errors='replace')}")
    problems = []
    if native.returncode != vkemu.returncode:
        problems.append(f"exit status: native {native.returncode}, vkemu {vkemu.returncode}")
    if native.stdout != vkemu.stdout:
        problems.append(_describe("stdout", native.stdout, vkemu.stdout))
    if native.stderr != vkemu.stderr:
        problems.append(_describe("stderr", native.stderr, vkemu.stderr))
    if problems:
        tail = vkemu.stderr.decode(errors="replace").strip().splitlines()[-15:]
        pytest.fail("\n".join(problems) + "\nvkemu stderr (tail):\n" + "\n".join(tail))


def _stdio(case: Case, root: Path, out_file: Path) -> Stdio:
    return Stdio(case.stdin, root / case.stdin_file if case.stdin_file else None, case.stdout, out_file)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_busybox_matches_native(case: Case, tree: Path, tmp_path: Path) -> None:
    argv = list(case.argv)
    if not case.mutates:
        native = run_native(argv, tree / case.cwd, _stdio(case, tree, tmp_path / "native.out"))
        vkemu = run_vkemu(argv, tree / case.cwd, _stdio(case, tree, tmp_path / "vkemu.out"), tree, writable=False)
        _compare(case, native, vkemu)
        return
    work = tmp_path / "tree"
    build_tree(work)
    native = run_native(argv, work / case.cwd, _stdio(case, work, tmp_path / "native.out"))
    native_tree = snapshot(work)
    shutil.rmtree(work)
    build_tree(work)
    vkemu = run_vkemu(argv, work / case.cwd, _stdio(case, work, tmp_path / "vkemu.out"), work, writable=True)
    vkemu_tree = snapshot(work)
    _compare(case, native, vkemu)
    assert native_tree == vkemu_tree, "\n".join(
        ["the trees differ after the run:"]
        + [f"  native only: {e!r}" for e in native_tree if e not in vkemu_tree]
        + [f"  vkemu only:  {e!r}" for e in vkemu_tree if e not in native_tree])


# Writers whose reader goes away: Linux kills them with SIGPIPE (cat writes with sendfile).
SIGPIPE_CASES = [
    pytest.param(["seq", "1", "1000000"], id="seq"),
    pytest.param(["cat", "big.txt", "big.txt", "big.txt", "big.txt"], id="cat-sendfile"),
    pytest.param(["yes", "y"], id="yes"),
]


@pytest.mark.parametrize("argv", SIGPIPE_CASES)
def test_busybox_killed_by_sigpipe(argv: list[str], tree: Path) -> None:
    """The reader takes one line and closes the pipe while the writer still has more than
    a pipe's worth to write."""
    def run(cmd: list[str]) -> tuple[bytes, int, bytes]:
        proc = subprocess.Popen(cmd, cwd=tree, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=ENV)
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        status = proc.wait(timeout=TIMEOUT)
        # A signal's death, as vkemu reports it: 128+N, like a shell.
        return first, 128 - status if status < 0 else status, proc.stderr.read()

    native = run([BUSYBOX, *argv])
    assert native[1] == 128 + signal.SIGPIPE, f"native run not killed by SIGPIPE: {native}"
    vkemu = run([*VKEMU, "--strict", "-v", f"{tree}:{tree}:ro", BUSYBOX, *argv])
    assert vkemu == native


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="no /dev/shm (tmpfs) on this host")
def test_busybox_statfs_of_a_volume_is_the_hosts() -> None:
    """stat -f on a volume reports the host filesystem's type (here tmpfs, not ext4)."""
    fmt = "%t %T %l %s %S"
    with tempfile.TemporaryDirectory(dir="/dev/shm") as tmp:
        native = run_native(["stat", "-f", "-c", fmt, "."], Path(tmp), Stdio())
        vkemu = run_vkemu(["stat", "-f", "-c", fmt, "."], Path(tmp), Stdio(), Path(tmp), writable=False)
    assert native.returncode == 0, native
    assert vkemu == native

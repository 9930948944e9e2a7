"""``vkemu tui RUN.vkr``: a terminal debugger over a recording.

The timeline is every syscall of the recording, per thread, decoded as the trace
decodes it (one replay with a collecting tracer, done once when the recording opens),
with the audit records the replay produced shown under their syscall.  Registers,
the disassembly around RIP and guest memory "as of" an event come from re-executing
the recording deterministically up to that event and snapshotting the thread that
made it (replay is exact, so stepping backwards is just replaying less far); each
snapshot is kept, so moving back and forth over visited events is free.

Commands (one per line; the prompt also accepts them separated by ';'):

  n [K] / p [K]     next / previous event (in the filtered view), K times
  j N               jump to event N;  g / G: first / last event
  /TEXT  ?TEXT      search forward / backward for TEXT in the event lines
  f KEY=VALUE ...   filter: syscall=NAME[,NAME] tid=N fd=N path=TEXT errno=NAME
                    result=error; `f` alone clears the filter
  r                 registers at the current event
  d [N]             N instructions from RIP (capstone), default 8
  x ADDR|REG [LEN]  guest memory as of the current event (hex dump)
  l                 the timeline around the current event;  h: this help;  q: quit

When stdin is not a terminal the commands are read from it, one per line, so the
debugger runs headless (tests, scripts).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, Iterable

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tools.record import Recording, RecordingError, ReplaySession
from vkernel import abi
from vkernel.sources import SourceStop

WINDOW = 8                       # events shown above and below the current one
SNAPSHOT_LIMIT = 256 << 20       # bytes of guest memory a snapshot copies at most
EXIT_USAGE = 2
SYSCALL_INSN_SIZE = 2


@dataclass
class Event:
    """One line of the timeline: a syscall that completed or blocked, or the result
    of one that resumed."""
    index: int
    pid: int
    tid: int
    name: str
    args: list[str]
    result: int | None
    blocked: bool = False
    resumed: bool = False
    audit: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errno(self) -> str:
        if self.result is not None and -4096 < self.result < 0:
            return abi.ERRNO_NAME.get(-self.result, str(-self.result))
        return ""

    def line(self) -> str:
        if self.resumed:
            return f"<... {self.name} resumed> = {self._result()}"
        call = f"{self.name}({', '.join(self.args)})"
        return f"{call} <unfinished ...>" if self.blocked else f"{call} = {self._result()}"

    def _result(self) -> str:
        if self.result is None:
            return "?"
        if self.errno:
            return f"-1 {self.errno}"
        return hex(self.result) if self.result > 0xFFFF and self.name in ("mmap", "brk", "mremap") else str(self.result)


@dataclass
class Snapshot:
    """A thread's registers and its process's memory as of one event."""
    tid: int
    regs: dict[str, int]
    regions: list[tuple[int, int, int, str, bytes | None]]   # start, end, prot, name, bytes (None: too big)

    def read(self, address: int, size: int) -> bytes:
        out = bytearray()
        while size > 0:
            for start, end, _prot, _name, data in self.regions:
                if start <= address < end and data is not None:
                    n = min(size, end - address)
                    out += data[address - start:address - start + n]
                    address += n
                    size -= n
                    break
            else:
                break
        return bytes(out)


class _Collector:
    """A tracer for the timeline replay: every event, decoded."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        from tools.trace import Tracer
        self.tracer = Tracer(self.stream, as_json=True)

    def __call__(self, t: Any, row: Any, args: tuple[int, ...], result: Any) -> None:
        self.tracer(t, row, args, result)

    def resumed(self, t: Any, name: str, result: int) -> None:
        self.tracer.resumed(t, name, result)

    def events(self) -> list[Event]:
        out = []
        for i, line in enumerate(self.stream.getvalue().splitlines()):
            raw = json.loads(line)
            out.append(Event(i, raw["pid"], raw["tid"], raw["name"], raw.get("args", []), raw.get("result"),
                             raw.get("blocked", False), raw.get("resumed", False)))
        return out


class _Reached(SourceStop):
    """The replay got to the event asked for: stop it there."""


class _Snapshotter:
    """A tracer that counts events and snapshots the thread at event ``target``."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.count = 0
        self.snapshot: Snapshot | None = None

    def __call__(self, t: Any, row: Any, args: tuple[int, ...], result: Any) -> None:
        # Called in the syscall hook: RIP is at the syscall instruction and RAX holds
        # the number; a completed call is shown as the guest sees it on return.
        self._event(t, result if isinstance(result, int) else None, SYSCALL_INSN_SIZE)

    def resumed(self, t: Any, name: str, result: int) -> None:
        self._event(t, None, 0)         # the thread's context already holds the result

    def _event(self, t: Any, result: int | None, advance: int) -> None:
        index, self.count = self.count, self.count + 1
        if index != self.target or self.snapshot is not None:
            return
        proc = t.process
        regs = vars(proc.cpu.get_regs()).copy()
        if result is not None:
            regs["rax"] = result & 0xFFFFFFFFFFFFFFFF
            regs["rip"] += advance
        regions: list[tuple[int, int, int, str, bytes | None]] = []
        budget = SNAPSHOT_LIMIT
        for vma in proc.mm.vmas:
            size = vma.end - vma.start
            data = None
            if size <= budget:
                data = proc.mm.read(vma.start, size, check=False)
                budget -= size
            regions.append((vma.start, vma.end, vma.prot, vma.name, data))
        self.snapshot = Snapshot(t.tid, regs, regions)
        # Stop the run: from inside the CPU hook an exception would be lost, so the
        # scheduler loop raises it after this slice (as replay divergence does).
        proc.kernel.bug = _Reached(f"reached event {index}")
        t.attention = True


class _InspectSession(ReplaySession):
    """A quiet replay whose tracer is ours."""

    def __init__(self, recording: Recording, tracer: Any) -> None:
        super().__init__(recording, echo=False)
        self._tracer = tracer

    def configure(self, config: Any) -> None:
        super().configure(config)
        config.tracer = self._tracer


def _replay(recording: Recording, tracer: Any, audit: str | None = None) -> None:
    """Run the recording once with ``tracer``; the replay's own messages are dropped."""
    from tools.vkemu import run
    session = _InspectSession(recording, tracer)
    opts = session.run_options(None, None, False)
    opts.audit = audit
    sink = io.StringIO()
    with contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
        run(opts, session)


def load_timeline(recording: Recording) -> list[Event]:
    """Every event of the recording, with the audit records attached to their syscall
    (the first later event of the same thread and syscall name)."""
    collector = _Collector()
    with tempfile.TemporaryDirectory() as tmp:
        audit_path = os.path.join(tmp, "audit.jsonl")
        _replay(recording, collector, audit_path)
        records = [json.loads(line) for line in open(audit_path, encoding="utf-8") if line.strip()]
    events = collector.events()
    start = 0
    for record in records:
        for event in events[start:]:
            if event.tid == record.get("tid") and event.name == record.get("syscall") and not event.resumed:
                event.audit.append(record)
                start = event.index
                break
    return events


class Debugger:
    """The state of one session: the timeline, the filtered view and the cursor."""

    def __init__(self, recording: Recording, console: Console) -> None:
        self.recording = recording
        self.console = console
        self.events = load_timeline(recording)
        self.view = list(range(len(self.events)))
        self.pos = 0                          # index into view
        self.filter_text = ""
        self.snapshots: dict[int, Snapshot | None] = {}

    @property
    def current(self) -> Event | None:
        return self.events[self.view[self.pos]] if self.view else None

    # -- commands --
    def run_command(self, line: str) -> bool:
        """Carry out one command; False to quit."""
        line = line.strip()
        if not line:
            return self._move(1)
        if line[0] in "/?":
            return self._search(line[1:], forward=line[0] == "/")
        word, _, rest = line.partition(" ")
        handler = {
            "n": lambda: self._move(_count(rest)), "next": lambda: self._move(_count(rest)),
            "p": lambda: self._move(-_count(rest)), "prev": lambda: self._move(-_count(rest)),
            "j": lambda: self._jump(rest), "jump": lambda: self._jump(rest),
            "g": lambda: self._go(0), "G": lambda: self._go(len(self.view) - 1),
            "f": lambda: self._filter(rest), "filter": lambda: self._filter(rest),
            "r": self._registers, "regs": self._registers,
            "d": lambda: self._disasm(rest), "disasm": lambda: self._disasm(rest),
            "x": lambda: self._memory(rest),
            "l": self._list, "list": self._list,
            "h": self._help, "help": self._help,
        }.get(word)
        if word in ("q", "quit", "exit"):
            return False
        if handler is None:
            self.console.print(f"[red]unknown command {escape(word)!r}[/] (h for help)")
            return True
        try:
            handler()
        except ValueError as exc:
            self.console.print(f"[red]{escape(str(exc))}[/]")
        return True

    def _help(self) -> None:
        self.console.print(escape(__doc__.split("Commands", 1)[1].split("When stdin", 1)[0].strip()))

    def _move(self, delta: int) -> bool:
        if self.view:
            self.pos = max(0, min(len(self.view) - 1, self.pos + delta))
        self._list()
        return True

    def _go(self, pos: int) -> None:
        self.pos = max(0, pos)
        self._list()

    def _jump(self, arg: str) -> None:
        n = _int(arg, "j needs an event number")
        if not 0 <= n < len(self.events):
            raise ValueError(f"no event {n} (0..{len(self.events) - 1})")
        if n not in self.view:
            self._set_view(list(range(len(self.events))), "")
        self.pos = self.view.index(n)
        self._list()

    def _search(self, text: str, forward: bool) -> bool:
        if not text:
            raise ValueError("search for what?")
        order = range(self.pos + 1, len(self.view)) if forward else range(self.pos - 1, -1, -1)
        for pos in order:
            if text in self.events[self.view[pos]].line():
                self.pos = pos
                self._list()
                return True
        self.console.print(f"[yellow]{escape(text)!r} not found {'after' if forward else 'before'} here[/]")
        return True

    def _filter(self, spec: str) -> None:
        if not spec.strip():
            self._set_view(list(range(len(self.events))), "")
            self._list()
            return
        tests = [_parse_filter(term) for term in spec.split()]
        view = [e.index for e in self.events if all(test(e) for test in tests)]
        if not view:
            raise ValueError(f"no event matches {spec!r}")
        self._set_view(view, spec)
        self._list()

    def _set_view(self, view: list[int], text: str) -> None:
        keep = self.view[self.pos] if self.view else 0
        self.view, self.filter_text = view, text
        self.pos = min(range(len(view)), key=lambda i: abs(view[i] - keep)) if view else 0

    # -- state as of the current event --
    def snapshot(self) -> Snapshot | None:
        event = self.current
        if event is None:
            return None
        if event.index not in self.snapshots:
            snapper = _Snapshotter(event.index)
            with self.console.status(f"re-executing to event {event.index}..."):
                _replay(self.recording, snapper)
            self.snapshots[event.index] = snapper.snapshot
        return self.snapshots[event.index]

    def _need_snapshot(self) -> Snapshot:
        snap = self.snapshot()
        if snap is None:
            raise ValueError("no state for this event (the replay did not reach it)")
        return snap

    def _registers(self) -> None:
        snap = self._need_snapshot()
        table = Table(title=f"registers of tid {snap.tid} at event {self.current.index}",  # type: ignore[union-attr]
                      show_header=False, box=None)
        names = list(snap.regs)
        for i in range(0, len(names), 3):
            row: list[str] = []
            for name in names[i:i + 3]:
                row += [f"[bold]{name}[/]", f"{snap.regs[name]:#018x}"]
            table.add_row(*row)
        self.console.print(table)

    def _disasm(self, arg: str) -> None:
        import capstone
        count = _int(arg, "d takes an instruction count") if arg.strip() else 8
        snap = self._need_snapshot()
        rip = snap.regs["rip"]
        code = snap.read(rip, 16 * count)
        cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
        text = Text()
        for n, insn in enumerate(cs.disasm(code, rip)):
            if n >= count:
                break
            marker = "=> " if insn.address == rip else "   "
            text.append(f"{marker}{insn.address:#x}: {insn.bytes.hex(' '):<24} {insn.mnemonic} {insn.op_str}\n",
                        style="bold" if insn.address == rip else "")
        if not text:
            text.append(f"no code readable at {rip:#x}\n")
        self.console.print(Panel(text, title=f"code at rip, tid {snap.tid}"))

    def _memory(self, arg: str) -> None:
        parts = arg.split()
        if not parts:
            raise ValueError("x needs an address or a register")
        snap = self._need_snapshot()
        address = snap.regs[parts[0]] if parts[0] in snap.regs else _int(parts[0], "x needs an address")
        size = _int(parts[1], "x takes a length") if len(parts) > 1 else 64
        data = snap.read(address, min(size, 1 << 16))
        if not data:
            raise ValueError(f"{address:#x} is not mapped in tid {snap.tid}'s process at this event")
        lines = []
        for off in range(0, len(data), 16):
            chunk = data[off:off + 16]
            shown = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
            lines.append(f"{address + off:#014x}  {chunk.hex(' '):<47}  {shown}")
        self.console.print(Panel(escape("\n".join(lines)), title=f"memory at {address:#x}, event {self.current.index}"))  # type: ignore[union-attr]

    # -- the timeline --
    def _list(self) -> None:
        if not self.view:
            self.console.print("no events")
            return
        lo, hi = max(0, self.pos - WINDOW), min(len(self.view), self.pos + WINDOW + 1)
        title = f"{self.recording.header.get('program')} — event {self.view[self.pos]} of {len(self.events)}"
        if self.filter_text:
            title += f" (filter: {self.filter_text}, {len(self.view)} shown)"
        table = Table(title=title, expand=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("tid", justify="right", no_wrap=True)
        table.add_column("syscall")
        for pos in range(lo, hi):
            event = self.events[self.view[pos]]
            style = "reverse" if pos == self.pos else ("red" if event.errno else "")
            table.add_row(str(event.index), str(event.tid), escape(event.line()), style=style)
            for record in event.audit:
                table.add_row("", "", escape(f"  audit: {record.get('action')} — {record.get('reason')}"),
                              style="yellow")
        self.console.print(table)


def _count(arg: str) -> int:
    return _int(arg, "a count") if arg.strip() else 1


def _int(arg: str, what: str) -> int:
    try:
        return int(arg.strip(), 0)
    except ValueError:
        raise ValueError(what) from None


def _parse_filter(term: str) -> Any:
    key, eq, value = term.partition("=")
    if not eq or not value:
        raise ValueError(f"bad filter {term!r}: KEY=VALUE")
    if key == "syscall":
        names = set(value.split(","))
        return lambda e: e.name in names
    if key == "tid":
        tid = _int(value, "tid=N")
        return lambda e: e.tid == tid
    if key == "fd":
        fd = value
        return lambda e: bool(e.args) and e.args[0] == fd and not e.resumed
    if key == "path":
        return lambda e: any(value in a for a in e.args)
    if key == "errno":
        return lambda e: e.errno == value.upper()
    if key == "result" and value == "error":
        return lambda e: bool(e.errno)
    raise ValueError(f"unknown filter {key!r} (syscall, tid, fd, path, errno, result=error)")


def _commands(stream: Iterable[str]) -> Iterable[str]:
    for line in stream:
        yield from (part for part in line.rstrip("\n").split(";"))


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: vkemu tui RECORDING", file=sys.stderr)
        return EXIT_USAGE if argv not in (["-h"], ["--help"]) else 0
    try:
        recording = Recording.open(argv[0])
    except RecordingError as exc:
        print(f"vkemu: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"vkemu: {argv[0]}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    interactive = sys.stdin.isatty()
    console = Console(width=None if interactive else 120)
    with console.status("replaying to build the timeline..."):
        debugger = Debugger(recording, console)
    console.print(Group(Text(f"{len(debugger.events)} events; h for help", style="dim")))
    debugger.run_command("l")
    lines = iter(lambda: console.input("[bold](vkemu tui)[/] "), None) if interactive else _commands(sys.stdin)
    try:
        for line in lines:
            if not all(debugger.run_command(part) for part in line.split(";")):
                break
    except (EOFError, KeyboardInterrupt):
        pass
    return 0

"""The line discipline between a terminal's two sides (Linux's n_tty), and the termios
that rules it.  vkernel/pty.py puts one between a pseudo-terminal's master and slave.

What the other side types goes through :meth:`LineDiscipline.receive` (input flags,
signal characters, canonical editing with its echoes) into what the terminal's reader
reads; what the terminal's writer writes goes through
:meth:`LineDiscipline.process_output` (OPOST).  The discipline holds bytes and column
state only: blocking, readiness and signal delivery belong to its owner, which it tells
through two callbacks (``emit``: echoes towards the other side; ``signal``: an ISIG
character).
"""
from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass
from typing import Callable

from vkernel import abi
from vkernel.vfs.file import copy_out

# The longest line canonical mode edits (N_TTY_BUF_SIZE): past it, each byte typed
# (a line end too) replaces the last one, as n_tty's overflow handling.
CANON_MAX = 4096
TERMIOS = struct.Struct(f"<IIIIB{abi.NCCS}s")
TERMIOS2 = struct.Struct(f"<IIIIB{abi.NCCS}sII")   # termios2: the speeds follow
# tty_std_termios's control characters: ^C ^\ DEL ^U ^D, TIME 0, MIN 1, ^Q ^S ^Z, ^R ^O ^W ^V.
DEFAULT_CC = bytes([3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0])
# Output flags that make a byte's output depend on the column or on more than ONLCR.
_COLUMN_FLAGS = abi.OLCUC | abi.OCRNL | abi.ONOCR | abi.ONLRET | abi.TABDLY
# Input flags that change or consume bytes.
_INPUT_FLAGS = abi.ISTRIP | abi.IUCLC | abi.IXON | abi.IGNCR | abi.ICRNL | abi.INLCR


def _iscntrl(c: int) -> bool:
    """A control character as echoes and columns count them: C0 and DEL (bytes from
    0x80 up echo as themselves, UTF-8 included)."""
    return c < 32 or c == 127


def _is_continuation(c: int, termios: Termios) -> bool:
    return bool(termios.iflag & abi.IUTF8) and c & 0xC0 == 0x80


@dataclass
class Termios:
    iflag: int = abi.ICRNL | abi.IXON
    oflag: int = abi.OPOST | abi.ONLCR
    cflag: int = abi.B38400 | abi.CS8 | abi.CREAD
    lflag: int = (abi.ISIG | abi.ICANON | abi.ECHO | abi.ECHOE | abi.ECHOK | abi.ECHOCTL | abi.ECHOKE
                  | abi.IEXTEN)
    line: int = 0
    cc: bytes = DEFAULT_CC
    ispeed: int = 38400
    ospeed: int = 38400

    def pack(self, speeds: bool = False) -> bytes:
        fields = (self.iflag, self.oflag, self.cflag, self.lflag, self.line, self.cc)
        return TERMIOS2.pack(*fields, self.ispeed, self.ospeed) if speeds else TERMIOS.pack(*fields)

    @classmethod
    def unpack(cls, data: bytes, current: Termios) -> Termios:
        """What TCSETS (36 bytes) or TCSETS2 (44) sets, speeds settled as set_termios
        does: from the CBAUD codes, or, with BOTHER, as given (TCSETS2) or kept."""
        if len(data) == TERMIOS2.size:
            new = cls(*TERMIOS2.unpack(data))
        else:
            new = cls(*TERMIOS.unpack(data), ispeed=current.ispeed, ospeed=current.ospeed)
        code = new.cflag & abi.CBAUD
        if code != abi.BOTHER:
            new.ospeed = abi.BAUD_RATES[code]
        icode = (new.cflag >> abi.IBSHIFT) & abi.CBAUD
        if icode == 0:
            new.ispeed = new.ospeed                      # B0 input: the output's speed
        elif icode != abi.BOTHER:
            new.ispeed = abi.BAUD_RATES[icode]
        return new


@dataclass(eq=False)
class _Line:
    """A line canonical mode completed: its bytes with the terminator, which for VEOF
    is a NUL the reader never sees (as n_tty's __DISABLED_CHAR)."""
    data: bytearray
    eof: bool
    started: bool = False        # a read took part of it already

    @property
    def payload(self) -> int:
        return len(self.data) - self.eof


class LineDiscipline:
    """n_tty for the slave: turns what the master types into what the slave reads.

    In canonical mode, ``done`` holds the completed lines and ``edit`` the line being
    edited; otherwise ``done`` is empty and ``edit`` holds every unread byte.  Echoes
    and the slave's output pass through :meth:`process_output`, which keeps the column
    that tab expansion and tab erasing need."""

    def __init__(self, termios: Termios, emit: Callable[[bytes], None], signal: Callable[[int], None],
                 now: Callable[[], int]) -> None:
        self.termios = termios
        self.emit = emit             # bytes towards the master: echoes
        self.signal = signal         # an ISIG character: signal the foreground group
        self.now = now
        self.done: deque[_Line] = deque()
        self.edit = bytearray()
        self.column = 0
        self.canon_column = 0        # where the edited line's echo began
        self.lnext = False           # VLNEXT seen: the next byte is taken literally
        self.stopped = False         # IXON: VSTOP seen, output waits for VSTART
        self.deferred = bytearray()  # echoes produced while stopped
        self.interbyte_deadline: int | None = None   # VMIN/VTIME: when a partial read gives up

    @property
    def canonical(self) -> bool:
        return bool(self.termios.lflag & abi.ICANON)

    def held(self) -> int:
        return len(self.edit) + sum(len(line.data) for line in self.done)

    def readable(self) -> int:
        """FIONREAD: bytes of completed lines (canonical) or every byte held."""
        if not self.canonical:
            return len(self.edit)
        return sum(line.payload for line in self.done)

    def poll_ready(self) -> bool:
        """n_tty's input_available_p for poll: a completed line, or VMIN bytes when
        VTIME is 0."""
        if self.canonical:
            return bool(self.done)
        cc = self.termios.cc
        amount = cc[abi.VMIN] if cc[abi.VMIN] and not cc[abi.VTIME] else 1
        return len(self.edit) >= amount

    def flush(self) -> None:
        self.done.clear()
        self.edit.clear()
        self.lnext = False

    def set_termios(self, new: Termios) -> None:
        was_canonical = self.canonical
        t = self.termios
        t.iflag, t.oflag, t.cflag, t.lflag, t.line, t.cc = new.iflag, new.oflag, new.cflag, new.lflag, new.line, new.cc
        t.ispeed, t.ospeed = new.ispeed, new.ospeed
        if not t.iflag & abi.IXON:
            self.start()
        if was_canonical != self.canonical:
            # As n_tty_set_termios: what is held becomes raw bytes, or, turning ICANON
            # on, one line that is complete already.
            data = bytearray(b"".join(line.data for line in self.done)) + self.edit
            self.done.clear()
            self.edit = bytearray()
            self.lnext = False
            if self.canonical and data:
                self.done.append(_Line(data, eof=data[-1] == 0))
            else:
                self.edit = data

    def start(self) -> None:
        self.stopped = False
        if self.deferred:
            data, self.deferred = bytes(self.deferred), bytearray()
            self.emit(data)

    # -- output --
    def process_output(self, data: bytes) -> bytes:
        """OPOST processing (Linux's do_output_char), for the slave's writes and echoes."""
        t = self.termios
        oflag = t.oflag
        if not oflag & abi.OPOST:
            return data
        if oflag & abi.ONLCR and not oflag & _COLUMN_FLAGS:
            # The usual case, in bulk: each line end sets both columns to 0, so only
            # the bytes after the last one need the loop.
            last = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            if last:
                self.column = self.canon_column = 0
                return data[:last].replace(b"\n", b"\r\n") + self._output_loop(data[last:])
        return self._output_loop(data)

    def _output_loop(self, data: bytes) -> bytes:
        t = self.termios
        oflag = t.oflag
        out = bytearray()
        for c in data:
            if c == 10:
                if oflag & abi.ONLRET:
                    self.column = 0
                if oflag & abi.ONLCR:
                    out += b"\r\n"
                    self.column = self.canon_column = 0
                    continue
                self.canon_column = self.column
            elif c == 13:
                if oflag & abi.ONOCR and self.column == 0:
                    continue
                if oflag & abi.OCRNL:
                    c = 10
                    if oflag & abi.ONLRET:
                        self.column = self.canon_column = 0
                else:
                    self.column = self.canon_column = 0
            elif c == 9:
                spaces = 8 - (self.column & 7)
                self.column += spaces
                if oflag & abi.TABDLY == abi.XTABS:
                    out += b" " * spaces
                    continue
            elif c == 8:
                if self.column > 0:
                    self.column -= 1
            elif not _iscntrl(c):
                if oflag & abi.OLCUC and 97 <= c <= 122:
                    c -= 32
                if not _is_continuation(c, t):
                    self.column += 1
            out.append(c)
        return bytes(out)

    def _echo_raw(self, data: bytes) -> None:
        out = self.process_output(data)
        if self.stopped:
            self.deferred += out
        else:
            self.emit(out)

    def _echo_char(self, c: int) -> None:
        """echo_char: a control character shows as ^X under ECHOCTL (a tab as itself)."""
        if self.termios.lflag & abi.ECHOCTL and _iscntrl(c) and c != 9:
            data = bytes([94, c ^ 0o100])
            if self.termios.oflag & abi.OPOST:
                self.column += 2
            if self.stopped:
                self.deferred += data
            else:
                self.emit(data)
        else:
            self._echo_raw(bytes([c]))

    # -- input --
    def receive(self, data: bytes) -> None:
        t = self.termios
        if not self.canonical and not self.lnext and not t.lflag & (abi.ECHO | abi.ISIG) \
                and not t.iflag & _INPUT_FLAGS:
            self.edit += data            # raw mode: nothing to look at
        else:
            for c in data:
                self._receive(c)
        if data and not self.canonical and self.interbyte_deadline is not None:
            self.interbyte_deadline = self.now() + t.cc[abi.VTIME] * 100_000_000

    def _receive(self, c: int) -> None:
        t = self.termios
        iflag, lflag, cc = t.iflag, t.lflag, t.cc
        if iflag & abi.ISTRIP:
            c &= 0x7F
        if iflag & abi.IUCLC and lflag & abi.IEXTEN and 65 <= c <= 90:
            c += 32
        if self.lnext:
            self.lnext = False
            self._put(c)
            return
        if c == 0:                      # _POSIX_VDISABLE: never a special character
            self._put(c)
            return
        if iflag & abi.IXON:
            if c == cc[abi.VSTART]:
                self.start()
                return
            if c == cc[abi.VSTOP]:
                self.stopped = True
                return
        if lflag & abi.ISIG:
            for index, sig in ((abi.VINTR, abi.SIGINT), (abi.VQUIT, abi.SIGQUIT), (abi.VSUSP, abi.SIGTSTP)):
                if c == cc[index]:
                    self._signal_char(c, sig)
                    return
        if self.stopped and iflag & abi.IXON and iflag & abi.IXANY:
            self.start()
        if c == 13:
            if iflag & abi.IGNCR:
                return
            if iflag & abi.ICRNL:
                c = 10
        elif c == 10 and iflag & abi.INLCR:
            c = 13
        if self.canonical and self._canonical_special(c):
            return
        self._put(c)

    def _signal_char(self, c: int, sig: int) -> None:
        if not self.termios.lflag & abi.NOFLSH:
            self.flush()
        if self.termios.iflag & abi.IXON:
            self.start()
        if self.termios.lflag & abi.ECHO:
            self._echo_char(c)
        self.signal(sig)

    def _canonical_special(self, c: int) -> bool:
        """Editing characters and line ends; True when ``c`` was consumed."""
        lflag, cc = self.termios.lflag, self.termios.cc
        iexten = lflag & abi.IEXTEN
        if c in (cc[abi.VERASE], cc[abi.VKILL]) or (iexten and c == cc[abi.VWERASE]):
            self._erase(c)
            return True
        if iexten and c == cc[abi.VLNEXT]:
            self.lnext = True
            if lflag & abi.ECHO and lflag & abi.ECHOCTL:
                self._echo_raw(b"^\b")
            return True
        if iexten and lflag & abi.ECHO and c == cc[abi.VREPRINT]:
            self._echo_char(c)
            self._echo_raw(b"\n")
            for b in bytes(self.edit):
                self._echo_char(b)
            return True
        if c == 10:
            if lflag & (abi.ECHO | abi.ECHONL):
                self._echo_raw(b"\n")
            self._end_line(c, eof=False)
            return True
        if c == cc[abi.VEOF]:
            self._end_line(0, eof=True)
            return True
        if c == cc[abi.VEOL] or (iexten and c == cc[abi.VEOL2]):
            if lflag & abi.ECHO:
                if not self.edit:
                    self.canon_column = self.column
                self._echo_char(c)
            self._end_line(c, eof=False)
            return True
        return False

    def _put(self, c: int) -> None:
        if self.termios.lflag & abi.ECHO:
            if c == 10:
                self._echo_raw(b"\n")
            else:
                if not self.edit:
                    self.canon_column = self.column
                self._echo_char(c)
        self._append(c)

    def _append(self, c: int) -> None:
        if self.canonical and len(self.edit) >= CANON_MAX:
            self.edit[-1] = c
        else:
            self.edit.append(c)

    def _end_line(self, terminator: int, eof: bool) -> None:
        self._append(terminator)
        self.done.append(_Line(self.edit, eof))
        self.edit = bytearray()

    def _erase(self, c: int) -> None:
        """VERASE, VWERASE and VKILL with their echoes, as n_tty's eraser."""
        t = self.termios
        lflag, cc = t.lflag, t.cc
        kind = "erase" if c == cc[abi.VERASE] else "werase" if c == cc[abi.VWERASE] else "kill"
        if not self.edit:
            return
        echo = lflag & abi.ECHO
        if kind == "kill":
            if not echo:
                self.edit.clear()
                return
            if not (lflag & abi.ECHOK and lflag & abi.ECHOKE and lflag & abi.ECHOE):
                self.edit.clear()
                self._echo_char(c)
                if lflag & abi.ECHOK:
                    self._echo_raw(b"\n")
                return
        seen_alnums = 0
        while self.edit:
            head = len(self.edit) - 1
            while head > 0 and _is_continuation(self.edit[head], t):
                head -= 1
            ch = self.edit[head]
            if kind == "werase":
                if chr(ch).isalnum() and ch < 128 or ch == 95:
                    seen_alnums += 1
                elif seen_alnums:
                    break
            del self.edit[head:]
            if echo:
                if kind == "erase" and not lflag & abi.ECHOE:
                    self._echo_char(cc[abi.VERASE])
                elif ch == 9:
                    self._echo_raw(b"\b" * self._tab_erase_width())
                else:
                    if _iscntrl(ch) and lflag & abi.ECHOCTL:
                        self._echo_raw(b"\b \b")
                    if not _iscntrl(ch) or lflag & abi.ECHOCTL:
                        self._echo_raw(b"\b \b")
            if kind == "erase":
                break

    def _tab_erase_width(self) -> int:
        """How far back the cursor goes when a tab is erased (echo_erase_tab): to the
        column the rest of the line reaches from the previous tab or the line's start."""
        t = self.termios
        chars = 0
        after_tab = False
        for ch in reversed(self.edit):
            if ch == 9:
                after_tab = True
                break
            if _iscntrl(ch):
                if t.lflag & abi.ECHOCTL:
                    chars += 2
            elif not _is_continuation(ch, t):
                chars += 1
        if not after_tab:
            chars += self.canon_column
        return 8 - (chars & 7)

    # -- reading --
    def read_canonical(self, views: list[memoryview]) -> int | None:
        """One line, or as much of it as fits; 0 at VEOF on an empty line; None when
        no line is complete."""
        want = sum(len(v) for v in views)
        while self.done:
            line = self.done[0]
            if line.payload == 0 and line.eof:
                self.done.popleft()
                if line.started:
                    continue             # the VEOF ending a line read in parts
                return 0
            n = min(want, line.payload)
            copy_out(line.data[:n], views, 0)
            del line.data[:n]
            line.started = True
            if line.payload == 0:
                self.done.popleft()
            return n
        return None

    def read_raw(self, views: list[memoryview]) -> int:
        n = min(sum(len(v) for v in views), len(self.edit))
        copy_out(self.edit[:n], views, 0)
        del self.edit[:n]
        return n

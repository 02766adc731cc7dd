"""A simulated ESC/POS receipt printer on TCP (port 9100 protocol, bound to 127.0.0.1), for tests
and the demo: it prints onto a `Roll`, answers DLE EOT and GS r, and can run out of paper.

Rule, as a real printer does it: bytes are processed in the order received; DLE EOT is answered
the moment it arrives, even while printing is stopped, and wherever it is: the receive side
watches the raw byte stream, so DLE EOT n spelled inside another command's data (a raster image,
QR data) is answered too, and those bytes still count as that command's data (ESC/POS manuals,
notes to DLE EOT: "If another command (such as graphics data or defined data) has a code string
in a parameter that is the same as this command, the printer starts processing this command").
Everything else waits its turn. While the
paper is out or the cover is open, bytes received are kept (not rejected) and printed when the
condition clears; GS r is answered only when reached, i.e. after every byte before it was
processed. The receive buffer is the printer's, not the connection's: when a connection drops
(a cable pulled, a switch restarted, the till's process killed), complete commands already
received stay in it and print when the printer can, and their GS r answers go to whichever
connection is open by then, or nowhere (issue 21: a chunk held through a link drop printed
again when the queue resent it). Only a power cut (`kill`) empties the buffer; what is already
on the roll stays there. `unplug` / `plug_in` take the network away and give it back.

The command grammar is written out again here, on purpose apart from the test decoder, so the
decoder stays an independent check of the renderer.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PrintedLine:
    text: str
    bold: bool = False
    double: bool = False
    align: str = "left"


@dataclass(frozen=True)
class PrintedQr:
    data: str


@dataclass(frozen=True)
class PrintedImage:
    width: int
    height: int


@dataclass(frozen=True)
class PrintedFeed:
    lines: int


@dataclass(frozen=True)
class PrintedCut:
    partial: bool


Printed = PrintedLine | PrintedQr | PrintedImage | PrintedFeed | PrintedCut


@dataclass
class Roll:
    """The paper: it outlives a simulator, as paper outlives a power cycle."""

    items: list[Printed] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [item.text for item in self.items if isinstance(item, PrintedLine)]


_ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
_PARTIAL_CUT = {1, 49, 66, 98, 104}
_ESC_3 = frozenset(b"EatdJ3!-MG{RUV ")
_GS_3 = frozenset(b"!rBHfhwaLW")
_FS_3 = frozenset(b"!CW-")


def command_length(buf: bytes | bytearray) -> int | None:
    """Length of the complete command at the start of `buf`, or None if more bytes are needed."""
    if not buf:
        return None
    head = buf[0]
    if head not in (0x10, 0x1B, 0x1C, 0x1D):
        return 1
    if len(buf) < 2:
        return None
    second = buf[1]
    if head == 0x10:
        return 5 if second == 0x14 else 3 if second in (0x04, 0x05) else 1
    if head == 0x1B:
        return 2 if second in b"@2" else 5 if second == ord("p") else 3 if second in _ESC_3 else 2
    if head == 0x1C:
        return 3 if second in _FS_3 else 2
    if second == ord("V"):
        if len(buf) < 3:
            return None
        return 4 if buf[2] in (65, 66, 97, 98, 103, 104) else 3
    if second == ord("("):
        return None if len(buf) < 5 else 5 + buf[3] + 256 * buf[4]
    if second == ord("v"):
        if len(buf) < 8:
            return None
        return 8 + (buf[4] + 256 * buf[5]) * (buf[6] + 256 * buf[7])
    return 3 if second in _GS_3 else 2


def _needs_paper(cmd: bytes) -> bool:
    return (
        cmd == b"\n"
        or cmd[:2] in (b"\x1bd", b"\x1dV", b"\x1dv")
        or (cmd[:3] == b"\x1d(k" and cmd[5:7] == b"1Q")
    )


def _reset(sock: socket.socket) -> None:
    """Close with linger 0, which sends RST: the peer sees the link gone, as with a cut cable or
    a printer losing power, not an orderly close."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
        sock.close()
    except OSError:
        pass


class _Connection:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.inbox = bytearray()
        self.watch = b""  # received bytes that may begin a real-time command not yet complete
        self.send_lock = threading.Lock()
        self.closed = False

    def send(self, data: bytes) -> None:
        with self.send_lock:
            if not self.closed:
                try:
                    self.sock.sendall(data)
                except OSError:
                    self.closed = True


class PrinterSimulator:
    def __init__(
        self,
        *,
        port: int = 0,
        roll: Roll | None = None,
        paper_lines: int | None = None,
        near_end_lines: int = 3,
        kanji_at_power_on: bool = False,
    ) -> None:
        self.roll = roll if roll is not None else Roll()
        self.paper_lines = paper_lines  # lines left before the paper runs out; None: endless
        self.near_end_lines = near_end_lines
        self.kanji_at_power_on = kanji_at_power_on
        self.paper_end = paper_lines == 0
        self.cover_open = False
        self._cover_countdown: int | None = None
        self.drawer_open = False
        self.kicks: list[int] = []
        self.received = bytearray()
        self.realtime_answered = 0  # DLE EOT answered, top-level or inside data
        self._cond = threading.Condition()
        self._pending: deque[tuple[_Connection, bytes]] = deque()
        self._connections: list[_Connection] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._unplugged = False
        self._reset_modes()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(4)
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]

    def _reset_modes(self) -> None:
        self.bold = False
        self.double = False
        self.align = "left"
        self.kanji = self.kanji_at_power_on
        self.line = bytearray()
        self.qr_data = b""

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> PrinterSimulator:
        self._spawn(self._accept_loop)
        return self

    def __enter__(self) -> PrinterSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()

    def kill(self) -> None:
        """Power cut: connections reset, unprocessed bytes lost, the roll kept."""
        self._stopping.set()
        with self._cond:
            self._pending.clear()
            for conn in self._connections:
                conn.closed = True
                _reset(conn.sock)
            self._connections.clear()
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=2.0)

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="printer-sim")
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            # Replies are single bytes; without NODELAY each waits for the peer's delayed ack.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._unplugged:
                _reset(sock)
                continue
            conn = _Connection(sock)
            with self._cond:
                self._connections.append(conn)
            self._spawn(self._serve, conn)

    def _serve(self, conn: _Connection) -> None:
        conn.sock.settimeout(0.05)
        while not self._stopping.is_set() and not conn.closed:
            try:
                data = conn.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            self._receive(conn, data)
        with self._cond:
            conn.closed = True
            # Its unprocessed commands stay in the printer's buffer (see the module rule).
            if conn in self._connections:
                self._connections.remove(conn)
            self._cond.notify_all()
        try:
            conn.sock.close()
        except OSError:
            pass

    # -- the printer -------------------------------------------------------------------------

    def _receive(self, conn: _Connection, data: bytes) -> None:
        with self._cond:
            if conn.closed:
                return
            self.received += data
            self._watch_realtime(conn, data)
            conn.inbox += data
            while (n := command_length(conn.inbox)) is not None and n <= len(conn.inbox):
                cmd = bytes(conn.inbox[:n])
                del conn.inbox[:n]
                if cmd[:2] != b"\x10\x04":  # already answered on receipt
                    self._pending.append((conn, cmd))
            self._process()

    def _watch_realtime(self, conn: _Connection, data: bytes) -> None:
        """Answer every DLE EOT n in the raw stream as it arrives, command boundaries or not."""
        stream = conn.watch + data
        i = 0
        while i < len(stream):
            if stream[i] != 0x10:
                i += 1
            elif i + 2 >= len(stream):
                break  # DLE or DLE EOT at the end: wait for the rest
            elif stream[i + 1] == 0x04 and 1 <= stream[i + 2] <= 4:
                conn.send(self._realtime_reply(stream[i + 2]))
                self.realtime_answered += 1
                i += 3
            else:
                i += 1
        conn.watch = stream[i:]

    @property
    def stopped(self) -> bool:
        return self.paper_end or self.cover_open

    def _process(self) -> None:
        while self._pending:
            conn, cmd = self._pending[0]
            if self.stopped and _needs_paper(cmd):
                break
            self._pending.popleft()
            self._execute(conn, cmd)
        self._cond.notify_all()

    def _realtime_reply(self, n: int) -> bytes:
        value = 0x12
        if n == 1:
            value |= (0x04 if self.drawer_open else 0) | (0x08 if self.stopped else 0)
        elif n == 2:
            value |= (0x04 if self.cover_open else 0) | (0x20 if self.paper_end else 0)
        elif n == 4:
            value |= (0x0C if self.near_end else 0) | (0x60 if self.paper_end else 0)
        elif n != 3:
            return b""
        return bytes([value])

    @property
    def near_end(self) -> bool:
        return self.paper_lines is not None and self.paper_lines <= self.near_end_lines

    def _use_paper(self, item: Printed) -> None:
        self.roll.items.append(item)
        if self.paper_lines is not None:
            self.paper_lines = max(self.paper_lines - 1, 0)
            self.paper_end = self.paper_lines == 0
        if self._cover_countdown is not None:
            self._cover_countdown -= 1
            if self._cover_countdown <= 0:
                self._cover_countdown = None
                self.cover_open = True

    def _execute(self, conn: _Connection, cmd: bytes) -> None:
        if len(cmd) == 1:
            if cmd == b"\n":
                encoding = "gb18030" if self.kanji else "cp437"
                text = bytes(self.line).decode(encoding, errors="replace")
                self.line.clear()
                self._use_paper(PrintedLine(text, self.bold, self.double, self.align))
            elif cmd[0] >= 0x20:
                self.line += cmd
            return
        head, arg = cmd[:2], cmd[2:]
        if head == b"\x1b@":
            self._reset_modes()
        elif head == b"\x1bE":
            self.bold = bool(arg[0] & 1)
        elif head == b"\x1ba":
            self.align = _ALIGN.get(arg[0], "left")
        elif head == b"\x1d!":
            self.double = arg[0] != 0
        elif head == b"\x1c&":
            self.kanji = True
        elif head == b"\x1c.":
            self.kanji = False
        elif head == b"\x1bd":
            self._use_paper(PrintedFeed(arg[0]))
        elif head == b"\x1dV":
            self._use_paper(PrintedCut(partial=arg[0] in _PARTIAL_CUT))
        elif head == b"\x1bp":
            self.kicks.append(arg[0] & 1)
            self.drawer_open = True  # the drawer springs open on the pulse
        elif head == b"\x1dv":
            self._use_paper(PrintedImage((arg[2] + 256 * arg[3]) * 8, arg[4] + 256 * arg[5]))
        elif head == b"\x1d(" and arg[:1] == b"k":
            # GS ( k pL pH cn fn [m] data: cn '1' is QR; fn 'P' stores (after m '0'), 'Q' prints.
            if cmd[5:7] == b"1P":
                self.qr_data = cmd[8:]
            elif cmd[5:7] == b"1Q":
                self._use_paper(PrintedQr(self.qr_data.decode("utf-8", errors="replace")))
        elif head == b"\x1dr":
            answer = bytes([(0x03 if self.near_end else 0) | (0x0C if self.paper_end else 0)])
            self._answer_to(conn).send(answer)

    def _answer_to(self, conn: _Connection) -> _Connection:
        """The printer has one way out: a command received on a connection since closed is
        answered on the one open now (if none, the answer is sent into the closed one: lost)."""
        if conn.closed and self._connections:
            return self._connections[-1]
        return conn

    # -- what a person does to the printer -----------------------------------------------------

    def unplug(self) -> None:
        """The network goes: connections reset, new ones refused; the printer keeps its buffer."""
        with self._cond:
            self._unplugged = True
            for conn in self._connections:
                conn.closed = True
                _reset(conn.sock)
            self._connections.clear()
            self._cond.notify_all()

    def plug_in(self) -> None:
        self._unplugged = False

    def _change(self, action: Callable[[], None]) -> None:
        with self._cond:
            action()
            self._process()

    def run_out_of_paper(self) -> None:
        self._change(lambda: setattr(self, "paper_end", True))

    def paper_runs_out_after(self, lines: int) -> None:
        """The roll ends after `lines` more printed lines (blocks count as one)."""

        def set_length() -> None:
            self.paper_lines = lines
            self.paper_end = lines == 0

        self._change(set_length)

    def load_paper(self, *, lines: int | None = None) -> None:
        """A new roll (`lines` long, None: endless). Keyword-only: a Qt button's clicked(bool)
        connected to it would otherwise pass False as the length, an empty roll (the demo bug)."""

        def load() -> None:
            self.paper_lines = lines
            self.paper_end = lines == 0

        self._change(load)

    def open_cover(self) -> None:
        self._change(lambda: setattr(self, "cover_open", True))

    def cover_opens_after(self, lines: int) -> None:
        """Someone opens the cover after `lines` more printed lines."""
        self._change(lambda: setattr(self, "_cover_countdown", lines))

    def close_cover(self) -> None:
        self._change(lambda: setattr(self, "cover_open", False))

    def open_drawer(self) -> None:
        self._change(lambda: setattr(self, "drawer_open", True))

    def close_drawer(self) -> None:
        self._change(lambda: setattr(self, "drawer_open", False))

    def wait_until(self, predicate: Callable[[PrinterSimulator], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

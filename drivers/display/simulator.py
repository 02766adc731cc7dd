"""A simulated 2×20 pole display: an Epson display command interpreter keeping a screen buffer
(the simulator's side of `commands.py`), served on a pty for the driver to open.

Unknown commands and control bytes are recorded as `ErrorEvent`s rather than guessed at, so a
test sees when the driver sends something a real display would not understand.
"""

from __future__ import annotations

import threading

from drivers.device import ErrorEvent, PtyPair

# Command → number of parameter bytes after the two-byte command.
_ESC_PARAMS = {ord("@"): 0, ord("t"): 1, ord("R"): 1, ord("="): 1}
_US_PARAMS = {
    ord("$"): 2, 0x01: 0, 0x02: 0, 0x03: 0, ord("C"): 1, ord("X"): 1, ord("E"): 1,
    ord("r"): 1, 0x0A: 0, 0x0D: 0, ord("B"): 0,
}  # fmt: skip


class ScreenEmulator:
    """Interprets display bytes into `rows` × `columns` cells of raw bytes."""

    def __init__(self, columns: int = 20, rows: int = 2, device: str = "display-sim") -> None:
        self.columns, self.rows, self.device = columns, rows, device
        self.errors: list[ErrorEvent] = []
        self._pending = bytearray()
        self._clear()

    def feed(self, data: bytes) -> None:
        self._pending += data
        while self._pending:
            used = self._step(bytes(self._pending))
            if used == 0:
                return  # a command is waiting for its parameters
            del self._pending[:used]

    def text(self, encoding: str = "cp437") -> list[str]:
        return [bytes(row).decode(encoding, errors="replace") for row in self.cells]

    def _clear(self) -> None:
        self.cells = [bytearray(b" " * self.columns) for _ in range(self.rows)]
        self.column, self.row = 0, 0

    def _step(self, data: bytes) -> int:
        byte = data[0]
        if byte in (0x1B, 0x1F):
            if len(data) < 2:
                return 0
            table = _ESC_PARAMS if byte == 0x1B else _US_PARAMS
            params = table.get(data[1])
            if params is None:
                self._error("unknown_command", data[:2])
                return 2
            if len(data) < 2 + params:
                return 0
            self._command(byte, data[1], data[2 : 2 + params])
            return 2 + params
        if byte == 0x0C:
            self._clear()
        elif byte == 0x0B:
            self.column, self.row = 0, 0
        elif byte == 0x0D:
            self.column = 0
        elif byte == 0x0A:
            self.row = min(self.row + 1, self.rows - 1)
        elif byte == 0x08:
            self.column = max(self.column - 1, 0)
        elif byte == 0x09:
            self._advance()
        elif byte == 0x18:
            self.cells[self.row][:] = b" " * self.columns
            self.column = 0
        elif byte < 0x20 or byte == 0x7F:
            self._error("control_byte", data[:1])
        else:
            self.cells[self.row][self.column] = byte
            self._advance()
        return 1

    def _command(self, prefix: int, command: int, params: bytes) -> None:
        if prefix == 0x1B and command == ord("@"):
            self._clear()
        elif prefix == 0x1F and command == ord("$"):
            column, row = params
            if 1 <= column <= self.columns and 1 <= row <= self.rows:
                self.column, self.row = column - 1, row - 1
            else:
                self._error("bad_position", bytes([prefix, command]) + params)
        elif prefix == 0x1F and command == 0x0A:
            self.row = max(self.row - 1, 0)
        elif prefix == 0x1F and command == 0x0D:
            self.column = self.columns - 1
        elif prefix == 0x1F and command == ord("B"):
            self.row = self.rows - 1
        # The rest (code table, brightness, blink, modes) change no cell of the buffer.

    def _advance(self) -> None:
        # Overwrite mode: past the last column the cursor wraps to the next line, then to the top.
        self.column += 1
        if self.column == self.columns:
            self.column = 0
            self.row = (self.row + 1) % self.rows

    def _error(self, code: str, raw: bytes) -> None:
        self.errors.append(ErrorEvent(self.device, code, f"display cannot interpret {raw!r}", raw))


class DisplaySimulator:
    """`port` is the device path to give the driver; `screen.text()` is what the customer sees."""

    def __init__(self, columns: int = 20, rows: int = 2) -> None:
        self.screen = ScreenEmulator(columns, rows)
        self._pty = PtyPair()
        self.port = self._pty.port
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._received = 0
        self._thread = threading.Thread(target=self._serve, name="display-sim", daemon=True)
        self._thread.start()

    def text(self, encoding: str = "cp437") -> list[str]:
        with self._lock:
            return self.screen.text(encoding)

    @property
    def received(self) -> int:
        """How many bytes the display has taken so far (tests wait on it)."""
        with self._lock:
            return self._received

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)
        self._pty.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            data = self._pty.read(0.05)
            if data:
                with self._lock:
                    self.screen.feed(data)
                    self._received += len(data)

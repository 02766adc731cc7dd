"""ESC/POS bytes back into what a printer would do, strictly: the oracle the printer tests trust.

Rule: anything a real printer could read two ways is an error here (`DecodeError`), never a
guess: a non-ASCII byte outside Chinese mode, a QR print with nothing stored, a truncated
command. It shares no code with the renderer or the simulator, so it checks both.
"""

from __future__ import annotations

from dataclasses import dataclass


class DecodeError(ValueError):
    """The bytes are not a well-formed receipt stream; `offset` is where decoding stopped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at byte {offset})")
        self.offset = offset


@dataclass(frozen=True)
class Init:
    pass


@dataclass(frozen=True)
class CodePage:
    table: int


@dataclass(frozen=True)
class Bold:
    on: bool


@dataclass(frozen=True)
class Size:
    width: int
    height: int


@dataclass(frozen=True)
class Align:
    where: str


@dataclass(frozen=True)
class ChineseMode:
    on: bool


@dataclass(frozen=True)
class Line:
    text: str


@dataclass(frozen=True)
class Qr:
    data: str
    size: int
    model: int
    level: str


@dataclass(frozen=True)
class Raster:
    width: int
    height: int


@dataclass(frozen=True)
class FeedLines:
    lines: int


@dataclass(frozen=True)
class CutPaper:
    partial: bool


@dataclass(frozen=True)
class DrawerKick:
    pin: int
    on_ms: int
    off_ms: int


@dataclass(frozen=True)
class StatusQuery:
    command: str  # "DLE EOT" or "GS r"
    n: int


Element = (
    Init
    | CodePage
    | Bold
    | Size
    | Align
    | ChineseMode
    | Line
    | Qr
    | Raster
    | FeedLines
    | CutPaper
    | DrawerKick
    | StatusQuery
)

_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_LEVEL = {48: "L", 49: "M", 50: "Q", 51: "H"}


class Decoder:
    """`charset` is the printer font's Chinese character set: gb18030, gbk or gb2312."""

    def __init__(self, charset: str = "gb18030") -> None:
        self.charset = charset
        self.chinese = False
        self._line = bytearray()
        self._line_start = 0
        self._qr: dict[str, object] = {"size": 3, "model": 2, "level": "L"}

    def decode(self, data: bytes) -> list[Element]:
        out: list[Element] = []
        i = 0
        while i < len(data):
            i = self._step(data, i, out)
        if self._line:
            raise DecodeError("text not ended by LF", self._line_start)
        return out

    def _need(self, data: bytes, i: int, n: int) -> bytes:
        if i + n > len(data):
            raise DecodeError(f"truncated command {data[i : i + 2]!r}", i)
        return data[i : i + n]

    def _step(self, data: bytes, i: int, out: list[Element]) -> int:
        b = data[i]
        if b == 0x0A:
            out.append(Line(self._text(i)))
            return i + 1
        if b in (0x10, 0x1B, 0x1C, 0x1D):
            if self._line:
                raise DecodeError("command inside a line of text", i)
            return self._command(data, i, out)
        if b < 0x20 or (b >= 0x80 and not self.chinese):
            raise DecodeError(f"byte 0x{b:02x} is not printable here", i)
        if not self._line:
            self._line_start = i
        self._line.append(b)
        return i + 1

    def _text(self, at: int) -> str:
        raw = bytes(self._line)
        self._line.clear()
        try:
            return raw.decode(self.charset if self.chinese else "ascii")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"bad text: {exc.reason}", self._line_start + exc.start) from exc

    def _command(self, data: bytes, i: int, out: list[Element]) -> int:
        head = self._need(data, i, 2)
        if head == b"\x1b@":
            self.chinese = False
            out.append(Init())
            return i + 2
        if head == b"\x1c&":
            self.chinese = True
            out.append(ChineseMode(True))
            return i + 2
        if head == b"\x1c.":
            self.chinese = False
            out.append(ChineseMode(False))
            return i + 2
        if head in (b"\x1bE", b"\x1ba", b"\x1bt", b"\x1bd", b"\x1d!", b"\x10\x04", b"\x1dr"):
            n = self._need(data, i, 3)[2]
            match head:
                case b"\x1bE":
                    out.append(Bold(bool(n & 1)))
                case b"\x1ba":
                    if n not in _ALIGN:
                        raise DecodeError(f"ESC a {n}", i)
                    out.append(Align(_ALIGN[n]))
                case b"\x1bt":
                    out.append(CodePage(n))
                case b"\x1bd":
                    out.append(FeedLines(n))
                case b"\x1d!":
                    out.append(Size((n >> 4) + 1, (n & 0x0F) + 1))
                case b"\x10\x04":
                    out.append(StatusQuery("DLE EOT", n))
                case _:
                    out.append(StatusQuery("GS r", n))
            return i + 3
        if head == b"\x1bp":
            _, _, m, t1, t2 = self._need(data, i, 5)
            if m not in (0, 1, 48, 49):
                raise DecodeError(f"ESC p m={m}", i)
            out.append(DrawerKick(m & 1, t1 * 2, t2 * 2))
            return i + 5
        if head == b"\x1dV":
            m = self._need(data, i, 3)[2]
            if m in (65, 66):
                self._need(data, i, 4)
                out.append(CutPaper(partial=m == 66))
                return i + 4
            if m in (0, 1, 48, 49):
                out.append(CutPaper(partial=m in (1, 49)))
                return i + 3
            raise DecodeError(f"GS V m={m}", i)
        if head == b"\x1dv":
            hdr = self._need(data, i, 8)
            if hdr[2:3] != b"0":
                raise DecodeError("GS v without 0", i)
            width, height = hdr[4] + 256 * hdr[5], hdr[6] + 256 * hdr[7]
            self._need(data, i, 8 + width * height)
            out.append(Raster(width * 8, height))
            return i + 8 + width * height
        if head == b"\x1d(":
            return self._two_d(data, i, out)
        raise DecodeError(f"unknown command {head!r}", i)

    def _two_d(self, data: bytes, i: int, out: list[Element]) -> int:
        hdr = self._need(data, i, 5)
        if hdr[2:3] != b"k":
            raise DecodeError(f"GS ( {hdr[2:3]!r} is not a 2D code", i)
        length = hdr[3] + 256 * hdr[4]
        body = self._need(data, i, 5 + length)[5:]
        if length < 2 or body[0] != 0x31:
            raise DecodeError("GS ( k for a symbol other than QR", i)
        fn, args = body[1], body[2:]
        if fn == 65 and len(args) == 2:
            self._qr["model"] = args[0] - 48
        elif fn == 67 and len(args) == 1:
            self._qr["size"] = args[0]
        elif fn == 69 and len(args) == 1 and args[0] in _LEVEL:
            self._qr["level"] = _LEVEL[args[0]]
        elif fn == 80 and args[:1] == b"0":
            try:
                self._qr["data"] = args[1:].decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DecodeError("QR data is not UTF-8", i) from exc
        elif fn == 81 and args == b"0":
            if "data" not in self._qr:
                raise DecodeError("QR print with nothing stored", i)
            q = self._qr
            out.append(Qr(str(q.pop("data")), int(str(q["size"])), int(str(q["model"])), str(q["level"])))
        else:
            raise DecodeError(f"GS ( k fn {fn} with {len(args)} bytes", i)
        return i + 5 + length


def decode(data: bytes) -> list[Element]:
    return Decoder().decode(data)


def lines(elements: list[Element]) -> list[str]:
    return [e.text for e in elements if isinstance(e, Line)]

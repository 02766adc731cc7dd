"""The providers' daily settlement files, parsed into SettledItem rows for reconciliation
(edge/payments/reconcile.py).

- WeChat Pay trade bill (`bill_type=ALL`): UTF-8 text, comma-separated, every detail and summary
  field prefixed with a backtick; a header line, detail lines, then the summary header
  (总交易单数,…) and one summary line. Amounts in yuan; the fee (手续费) has 5 decimals.
  交易状态 SUCCESS is a payment, REFUND a refund (商户退款单号, 申请退款金额), REVOKED a payment
  reversed after it was paid.
- Alipay trade bill (`bill_type=trade`, from bill.downloadurl.query): a zip of GBK CSV files; the
  detail file (业务明细, not 汇总) has `#` comment lines around a header and the rows; 业务类型
  交易 is a payment, 退款 a refund (退款批次号/请求号 = out_request_no). Columns are found by
  name, not position.
- A card acquirer's settlement file: our one documented CSV layout (`parse_acquirer_settlement`).
A file cut short (no WeChat summary, no Alipay end line, a zip that does not open) and text in
the wrong encoding are problems too, with the line of the first bad byte.
Rule: a bad row is reported with its line number and reason, never dropped silently; the good
rows are kept. What is read is bounded before it is held: a file or zip member at most MAX_FILE
bytes, a line at most MAX_LINE, a field at most MAX_FIELD characters, a zip member's size and
compression ratio checked from its header before a byte of it is inflated (`read_bounded`,
`zip_member`), so a zip bomb or a line of gigabytes is refused at the first bad line with
memory that stays small.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from edge.payments.reconcile import SettledItem

# A provider's daily bill of a busy merchant is tens of MB, its lines under 2 KB, its fields short.
MAX_FILE = 64 << 20
MAX_LINE = 64 << 10
MAX_FIELD = 4096
MAX_RATIO = 100        # text CSV deflates 5 to 10 times; a zip bomb, thousands of times
MAX_MEMBERS = 16
_CHUNK = 1 << 20


class FileRefused(ValueError):
    """A file (or zip member) past a bound: where (line; 0 for the file as a whole) and why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def read_bounded(stream: IO[bytes], limit: int = MAX_FILE, max_line: int | None = MAX_LINE
                 ) -> bytes:
    """The bytes of `stream`, read a chunk at a time; FileRefused at the first line longer than
    `max_line` bytes (None: a binary file, no lines) or once past `limit` bytes, having held at
    most `limit` plus one chunk."""
    chunks: list[bytes] = []
    size = 0
    line, run = 1, 0  # the line being read and its length so far
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if max_line is not None:
            start = 0
            while (newline := chunk.find(b"\n", start)) >= 0:
                if run + newline - start > max_line:
                    break
                line, run, start = line + 1, 0, newline + 1
            else:
                run += len(chunk) - start
            if run > max_line or newline >= 0:
                raise FileRefused(line, f"a line longer than {max_line:,} bytes")
        if size > limit:
            raise FileRefused(0, f"larger than {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def read_settlement_file(stream: IO[bytes]) -> bytes:
    """A settlement file's bytes within the bounds (lines checked unless it is a zip, whose
    members are checked when opened); FileRefused at the first bound passed."""
    zipped = stream.read(2) == b"PK"
    stream.seek(0)
    return read_bounded(stream, max_line=None if zipped else MAX_LINE)


def zip_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """One member, its size and compression ratio checked from the central directory before a
    byte is inflated, and counted again while inflating (a header may lie)."""
    info = archive.getinfo(name)
    if info.file_size > MAX_FILE:
        raise FileRefused(0, f"{_zip_name(name)} unpacks to {info.file_size:,} bytes (at most"
                             f" {MAX_FILE:,})")
    if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > _CHUNK:
        raise FileRefused(0, f"{_zip_name(name)} unpacks {info.file_size // max(info.compress_size, 1):,}"
                             f" times its packed size (at most {MAX_RATIO}): a zip bomb?")
    with archive.open(info) as member:
        try:
            return read_bounded(member)
        except FileRefused as exc:
            raise FileRefused(exc.line, f"in {_zip_name(name)}: {exc.reason}") from None


def _long_field(fields: list[str]) -> str | None:
    longest = max((len(f) for f in fields), default=0)
    if longest > MAX_FIELD:
        return f"a field of {longest:,} characters (at most {MAX_FIELD:,})"
    return None


_WECHAT_NEEDS = ("商户订单号", "交易状态", "应结订单金额", "商户退款单号", "申请退款金额", "手续费")
_ALIPAY_NEEDS = ("商户订单号", "业务类型", "订单金额（元）", "退款批次号/请求号", "服务费（元）")


@dataclass
class Settlement:
    items: list[SettledItem] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)


_AMOUNT = re.compile(r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$")
_FEE = re.compile(r"^-?[0-9]{1,12}(\.[0-9]{1,5})?$")


def _fen(text: str) -> int:
    """A yuan amount of the file (at most 2 decimals) as positive fen; anything else is refused."""
    text = text.strip()
    if not _AMOUNT.match(text):
        raise ValueError(f"{text[:40]!r} is not an amount in yuan")
    return int(abs(Decimal(text)) * 100)


def _fee(text: str) -> Decimal:
    text = text.strip() or "0"
    if not _FEE.match(text):
        raise ValueError(f"{text[:40]!r} is not a fee in yuan")
    return Decimal(text)


def text_lines(data: bytes, encoding: str) -> Iterator[str]:
    """Each line of `data` decoded, its newline kept, one at a time: the text of the whole file is
    never held. FileRefused names the line of the first byte that is not `encoding` (UTF-8 and
    GBK never use the byte of a newline inside a character, so splitting first is safe)."""
    start, number, size = 0, 1, len(data)
    while start < size:
        end = data.find(b"\n", start)
        end = size if end < 0 else end + 1
        try:
            yield data[start:end].decode(encoding)
        except UnicodeDecodeError as exc:
            bad = data[start + exc.start]
            raise FileRefused(number, f"not {encoding.upper()} text (byte 0x{bad:02x})") from None
        start, number = end, number + 1


def parse_wechat_trade_bill_bytes(data: bytes) -> Settlement:
    """The downloaded bill as bytes (UTF-8), decoded line by line."""
    try:
        return _parse_wechat(text_lines(data, "utf-8"))
    except FileRefused as exc:
        return Settlement(problems=[(exc.line, exc.reason)])


def parse_wechat_trade_bill(text: str) -> Settlement:
    return _parse_wechat(iter(text.splitlines()))


def _parse_wechat(lines: Iterator[str]) -> Settlement:
    result = Settlement()
    first = next(lines, "").lstrip("\ufeff")
    if not first:
        result.problems.append((1, "empty file"))
        return result
    header = [h.strip() for h in first.rstrip("\r\n").split(",")]
    missing = [h for h in _WECHAT_NEEDS if h not in header]
    if missing:
        result.problems.append((1, f"not a WeChat Pay trade bill: no {', '.join(missing)}"))
        return result
    col = {name: i for i, name in enumerate(header)}
    number = 1
    for number, line in enumerate(lines, start=2):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        if line.startswith("总交易单数"):
            names = line.split(",")
            following = next(lines, None)
            if following is not None:
                values = [v.lstrip("`") for v in following.rstrip("\r\n").split(",")]
                result.summary = dict(zip(names, values, strict=False))
            break
        fields = [f.strip().lstrip("`") for f in line.split(",")]
        if (too_long := _long_field(fields)) is not None:
            result.problems.append((number, too_long))
            continue
        if len(fields) != len(header):
            result.problems.append((number, f"{len(fields)} fields, the header has {len(header)}"))
            continue
        try:
            state = fields[col["交易状态"]]
            fee = _fee(fields[col["手续费"]])
            if state == "REFUND":
                item = SettledItem("refund", fields[col["商户订单号"]],
                                   fields[col["商户退款单号"]] or None,
                                   _fen(fields[col["申请退款金额"]]), fee, number)
            elif state in ("SUCCESS", "REVOKED"):
                item = SettledItem("payment", fields[col["商户订单号"]], None,
                                   _fen(fields[col["应结订单金额"]]), fee, number)
            else:
                result.problems.append((number, f"unknown 交易状态 {state!r}"))
                continue
        except (InvalidOperation, ValueError, IndexError) as exc:
            result.problems.append((number, f"bad amount: {exc}"))
            continue
        result.items.append(item)
    if not result.summary:
        result.problems.append((number, "no summary (总交易单数…) after the rows: the file is "
                                        "cut short"))
    return result


def parse_alipay_trade_bill(data: bytes) -> Settlement:
    """`data`: the downloaded csv.zip, or one detail CSV (GBK)."""
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if len(archive.infolist()) > MAX_MEMBERS:
                    return Settlement(problems=[(0, f"{len(archive.infolist()):,} files in the"
                                                    f" archive (at most {MAX_MEMBERS})")])
                names = [n for n in archive.namelist() if n.endswith(".csv")]
                detail = [n for n in names if "汇总" not in _zip_name(n)]
                if not detail:
                    return Settlement(problems=[(0, "no detail CSV in the archive")])
                data = zip_member(archive, detail[0])
        except FileRefused as exc:
            return Settlement(problems=[(exc.line, exc.reason)])
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
            return Settlement(problems=[(0, f"not a readable zip (cut short?): {exc}")])
    try:
        return _parse_alipay(text_lines(data, "gbk"))
    except FileRefused as exc:
        return Settlement(problems=[(exc.line, exc.reason)])


def _parse_alipay(lines: Iterator[str]) -> Settlement:
    result = Settlement()
    col: dict[str, int] = {}
    ended = False
    number = 0
    for number, row in _csv_rows(lines, result):
        if row and row[0].startswith("#") and col and "结束" in row[0]:
            ended = True
        if not row or row[0].startswith("#"):
            continue
        cells = [c.strip() for c in row]
        if (too_long := _long_field(cells)) is not None:
            result.problems.append((number, too_long))
            continue
        if not col:
            col = {name: i for i, name in enumerate(cells)}
            missing = [h for h in _ALIPAY_NEEDS if h not in col]
            if missing:
                return Settlement(problems=[(number, "not an Alipay trade bill: no "
                                                     f"{', '.join(missing)}")])
            continue
        if len(cells) < len(col):
            result.problems.append((number, f"{len(cells)} fields, the header has {len(col)}"))
            continue
        kind = cells[col["业务类型"]]
        try:
            fee = _fee(cells[col["服务费（元）"]])
            amount = _fen(cells[col["订单金额（元）"]])
        except (InvalidOperation, ValueError) as exc:
            result.problems.append((number, f"bad amount: {exc}"))
            continue
        if kind == "交易":
            result.items.append(SettledItem("payment", cells[col["商户订单号"]], None, amount, fee,
                                            number))
        elif kind == "退款":
            result.items.append(SettledItem("refund", cells[col["商户订单号"]],
                                            cells[col["退款批次号/请求号"]] or None, amount, fee,
                                            number))
        else:
            result.problems.append((number, f"unknown 业务类型 {kind!r}"))
    if not col:
        result.problems.append((number, "not an Alipay trade bill: no header line"))
    elif not ended:
        result.problems.append((number, "no #…业务明细列表结束 line after the rows: the file is "
                                        "cut short"))
    return result


ACQUIRER_HEADER = ("settle_date,merchant_id,terminal_id,txn_time,txn_type,reference,"
                   "original_reference,auth_code,masked_pan,amount,fee")


def parse_acquirer_settlement(data: bytes) -> Settlement:
    """A card acquirer's daily settlement file in the one layout we take (docs/payments.md):
    UTF-8 CSV with the header ACQUIRER_HEADER; txn_type SALE or REFUND; `reference` the card
    terminal's reference number (what the till keeps in the card tender's reference), for a
    REFUND `original_reference` the sale's; amount in yuan (2 decimals), fee in yuan (up to 5,
    negative when given back). A sale is matched by its reference, a refund by the original's."""
    try:
        return _parse_acquirer(text_lines(data, "utf-8"))
    except FileRefused as exc:
        return Settlement(problems=[(exc.line, exc.reason)])


def _parse_acquirer(lines: Iterator[str]) -> Settlement:
    result = Settlement()
    first_line = next(lines, "").lstrip("\ufeff")
    rows = _csv_rows(itertools.chain([first_line], lines), result)
    expected = ACQUIRER_HEADER.split(",")
    first = next(rows, None)
    if first is None and result.problems:
        return result
    if first is None or [c.strip() for c in first[1]] != expected:
        return Settlement(problems=[(1, "not an acquirer settlement file: the header must be "
                                        + ACQUIRER_HEADER)])
    col = {name: i for i, name in enumerate(expected)}
    for number, row in rows:
        if not row or not "".join(row).strip():
            continue
        if (too_long := _long_field(row)) is not None:
            result.problems.append((number, too_long))
            continue
        if len(row) != len(expected):
            result.problems.append((number, f"{len(row)} fields, the header has {len(expected)}"))
            continue
        cells = [c.strip() for c in row]
        kind = cells[col["txn_type"]]
        try:
            amount = _fen(cells[col["amount"]])
            fee = _fee(cells[col["fee"]])
        except (InvalidOperation, ValueError) as exc:
            result.problems.append((number, f"bad amount: {exc}"))
            continue
        reference = cells[col["reference"]]
        if not reference:
            result.problems.append((number, "no reference"))
        elif kind == "SALE":
            result.items.append(SettledItem("payment", reference, None, amount, fee, number))
        elif kind == "REFUND" and cells[col["original_reference"]]:
            result.items.append(SettledItem("refund", cells[col["original_reference"]], reference,
                                            amount, fee, number))
        elif kind == "REFUND":
            result.problems.append((number, "a REFUND needs its original_reference"))
        else:
            result.problems.append((number, f"unknown txn_type {kind!r} (SALE or REFUND)"))
    return result


def _csv_rows(lines: Iterable[str], result: Settlement) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells); a row the csv module cannot take (a field past its
    own limit, a NUL) ends the file with its line as a problem."""
    reader = csv.reader(lines)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            result.problems.append((start, f"unreadable CSV: {exc}"))
            return
        yield start, row
        start = reader.line_num + 1


def _zip_name(name: str) -> str:
    """Zip member names from Alipay are GBK without the UTF-8 flag: Python reads them as cp437."""
    try:
        return name.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name

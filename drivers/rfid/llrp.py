"""A sans-I/O codec and connection core for EPCglobal LLRP 1.0.1, the subset a stock count needs.

Rules, in the h11 way: `receive_data(bytes)` buffers, `next_event()` returns one typed message at
a time or `NEED_DATA`; `send(message)` returns bytes. Nothing here touches a socket. A frame whose
body cannot be parsed becomes a `MalformedMessage` event and the stream goes on; a header that
breaks the framing itself (length < 10, absurd length) becomes a `MalformedMessage` and the
buffer is dropped, since no later byte can be trusted to start a frame. Nothing raises on input.

Wire format (LLRP 1.0.1 §4.1): 3 bits reserved, 3 bits version (1), 10 bits message type, u32
length of the whole message, u32 message id. Parameters are TLV (6 reserved bits, 10 bits type,
u16 length including the 4-byte header) or TV (1 bit set, 7 bits type, fixed-length value).
Type numbers follow the LLRP Toolkit's llrp-1x0-def.xml.
"""

from __future__ import annotations

import operator
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final, NamedTuple

LLRP_VERSION: Final = 1
HEADER = struct.Struct(">HII")
HEADER_LEN: Final = 10
# A reader report with thousands of tags is a few hundred KiB; anything past this is a broken peer.
MAX_MESSAGE_LEN: Final = 16 * 1024 * 1024


class MsgType(IntEnum):
    SET_READER_CONFIG = 3
    CLOSE_CONNECTION_RESPONSE = 4
    SET_READER_CONFIG_RESPONSE = 13
    CLOSE_CONNECTION = 14
    ADD_ROSPEC = 20
    DELETE_ROSPEC = 21
    START_ROSPEC = 22
    STOP_ROSPEC = 23
    ENABLE_ROSPEC = 24
    ADD_ROSPEC_RESPONSE = 30
    DELETE_ROSPEC_RESPONSE = 31
    START_ROSPEC_RESPONSE = 32
    STOP_ROSPEC_RESPONSE = 33
    ENABLE_ROSPEC_RESPONSE = 34
    RO_ACCESS_REPORT = 61
    KEEPALIVE = 62
    READER_EVENT_NOTIFICATION = 63
    KEEPALIVE_ACK = 72
    ERROR_MESSAGE = 100


class ParamType(IntEnum):
    # TV parameters (7-bit type)
    ANTENNA_ID = 1
    FIRST_SEEN_UTC = 2
    FIRST_SEEN_UPTIME = 3
    LAST_SEEN_UTC = 4
    LAST_SEEN_UPTIME = 5
    PEAK_RSSI = 6
    CHANNEL_INDEX = 7
    TAG_SEEN_COUNT = 8
    ROSPEC_ID = 9
    INVENTORY_PARAMETER_SPEC_ID = 10
    C1G2_CRC = 11
    C1G2_PC = 12
    EPC_96 = 13
    SPEC_INDEX = 14
    CLIENT_REQUEST_OP_SPEC_RESULT = 15
    ACCESS_SPEC_ID = 16
    OP_SPEC_ID = 17
    C1G2_SINGULATION_DETAILS = 18
    # TLV parameters (10-bit type)
    UTC_TIMESTAMP = 128
    UPTIME = 129
    ROSPEC = 177
    RO_BOUNDARY_SPEC = 178
    ROSPEC_START_TRIGGER = 179
    ROSPEC_STOP_TRIGGER = 182
    AI_SPEC = 183
    AI_SPEC_STOP_TRIGGER = 184
    INVENTORY_PARAMETER_SPEC = 186
    KEEPALIVE_SPEC = 220
    RO_REPORT_SPEC = 237
    TAG_REPORT_CONTENT_SELECTOR = 238
    TAG_REPORT_DATA = 240
    EPC_DATA = 241
    READER_EVENT_NOTIFICATION_SPEC = 244
    EVENT_NOTIFICATION_STATE = 245
    READER_EVENT_NOTIFICATION_DATA = 246
    ROSPEC_EVENT = 249
    CONNECTION_ATTEMPT_EVENT = 256
    CONNECTION_CLOSE_EVENT = 257
    LLRP_STATUS = 287


# Value lengths of the TV parameters (LLRP 1.0.1 §16.2.7.3); an unknown TV type cannot be skipped.
TV_LENGTHS: Final[dict[int, int]] = {
    1: 2, 2: 8, 3: 8, 4: 8, 5: 8, 6: 1, 7: 2, 8: 2, 9: 4, 10: 2,
    11: 2, 12: 2, 13: 12, 14: 2, 15: 2, 16: 4, 17: 2, 18: 4,
}  # fmt: skip

STATUS_SUCCESS: Final = 0  # M_Success
CONNECTION_SUCCESS: Final = 0  # ConnectionAttemptEvent status "Success"
ROSPEC_EVENT_START: Final = 0
ROSPEC_EVENT_END: Final = 1
EVENT_TYPE_ROSPEC: Final = 2  # EventNotificationState event type "ROSpec_Event"
PROTOCOL_C1G2: Final = 1  # EPCGlobalClass1Gen2


class LlrpDecodeError(ValueError):
    """A message body that does not follow the spec; turned into a `MalformedMessage` event."""


# --- messages ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Message:
    msg_id: int = 0


@dataclass(frozen=True)
class LlrpStatus:
    code: int = STATUS_SUCCESS
    description: str = ""

    @property
    def ok(self) -> bool:
        return self.code == STATUS_SUCCESS


@dataclass(frozen=True)
class ReaderEventNotification(Message):
    timestamp_us: int
    connection_status: int | None = None  # ConnectionAttemptEvent, when present
    rospec_event: tuple[int, int] | None = None  # (event type, ROSpec id)
    connection_closed: bool = False


@dataclass(frozen=True)
class SetReaderConfig(Message):
    reset_to_factory_default: bool = False
    keepalive_period_ms: int | None = None  # periodic KeepaliveSpec when set
    rospec_events: bool | None = None  # ReaderEventNotificationSpec for ROSpec events


@dataclass(frozen=True)
class RoSpec:
    rospec_id: int
    antennas: tuple[int, ...] = (0,)  # 0 means every antenna
    duration_ms: int = 0  # ROSpecStopTrigger: 0 = null trigger, else duration
    priority: int = 0
    current_state: int = 0  # Disabled
    start_trigger: int = 0  # null: started by START_ROSPEC
    inventory_parameter_spec_id: int = 1
    report_every_n_tags: int = 0  # ROReportTrigger upon N tags or end of AISpec
    content_flags: int = 0  # TagReportContentSelector bits, see CONTENT_* below


# TagReportContentSelector bits, most significant first (LLRP 1.0.1 §13.2.1.1).
CONTENT_ROSPEC_ID: Final = 1 << 15
CONTENT_SPEC_INDEX: Final = 1 << 14
CONTENT_INVENTORY_PARAMETER_SPEC_ID: Final = 1 << 13
CONTENT_ANTENNA_ID: Final = 1 << 12
CONTENT_CHANNEL_INDEX: Final = 1 << 11
CONTENT_PEAK_RSSI: Final = 1 << 10
CONTENT_FIRST_SEEN: Final = 1 << 9
CONTENT_LAST_SEEN: Final = 1 << 8
CONTENT_TAG_SEEN_COUNT: Final = 1 << 7
CONTENT_ACCESS_SPEC_ID: Final = 1 << 6
CONTENT_FOR_STOCK_COUNT: Final = (
    CONTENT_ANTENNA_ID | CONTENT_PEAK_RSSI | CONTENT_FIRST_SEEN | CONTENT_TAG_SEEN_COUNT
)


@dataclass(frozen=True)
class AddRospec(Message):
    rospec: RoSpec


@dataclass(frozen=True)
class RospecCommand(Message):
    """ENABLE/START/STOP/DELETE_ROSPEC: the same body, a u32 ROSpec id (0 = all for DELETE)."""

    kind: MsgType
    rospec_id: int


@dataclass(frozen=True)
class StatusResponse(Message):
    """Every *_RESPONSE we use and ERROR_MESSAGE: an LLRPStatus and nothing else we read."""

    kind: MsgType
    status: LlrpStatus = field(default_factory=LlrpStatus)


class TagReport(NamedTuple):
    """One TagReportData. A NamedTuple, not a dataclass: reports arrive by the hundred thousand."""

    epc: bytes
    antenna: int | None = None
    peak_rssi: int | None = None
    first_seen_us: int | None = None
    last_seen_us: int | None = None
    seen_count: int = 1
    rospec_id: int | None = None


@dataclass(frozen=True)
class RoAccessReport(Message):
    tags: tuple[TagReport, ...]


@dataclass(frozen=True)
class Keepalive(Message):
    pass


@dataclass(frozen=True)
class KeepaliveAck(Message):
    pass


@dataclass(frozen=True)
class CloseConnection(Message):
    pass


@dataclass(frozen=True)
class UnknownMessage(Message):
    """A well-framed message of a type we do not handle; kept so the caller may log it."""

    msg_type: int
    body: bytes


@dataclass(frozen=True)
class MalformedMessage(Message):
    reason: str
    data: bytes = b""


class _NeedData:
    def __repr__(self) -> str:
        return "NEED_DATA"


NEED_DATA: Final = _NeedData()

# --- parameter helpers ------------------------------------------------------------------------


def _tlv(ptype: int, body: bytes) -> bytes:
    return struct.pack(">HH", ptype & 0x3FF, 4 + len(body)) + body


def _iter_tlvs(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """Split a run of TLV parameters into (type, body start, body end); TV ones are rejected."""
    out = []
    pos = start
    while pos < end:
        if data[pos] & 0x80:
            raise LlrpDecodeError(f"TV parameter where a TLV was expected at {pos}")
        if end - pos < 4:
            raise LlrpDecodeError("truncated TLV header")
        ptype, plen = struct.unpack_from(">HH", data, pos)
        if plen < 4 or pos + plen > end:
            raise LlrpDecodeError(f"TLV length {plen} out of bounds at {pos}")
        out.append((ptype & 0x3FF, pos + 4, pos + plen))
        pos += plen
    return out


def _status_bytes(status: LlrpStatus) -> bytes:
    text = status.description.encode("utf-8")
    return _tlv(ParamType.LLRP_STATUS, struct.pack(">HH", status.code, len(text)) + text)


def _decode_status(data: bytes, start: int, end: int) -> LlrpStatus:
    for ptype, s, e in _iter_tlvs(data, start, end):
        if ptype == ParamType.LLRP_STATUS:
            if e - s < 4:
                raise LlrpDecodeError("short LLRPStatus")
            code, count = struct.unpack_from(">HH", data, s)
            if s + 4 + count > e:
                raise LlrpDecodeError("LLRPStatus description overruns")
            text = data[s + 4 : s + 4 + count].decode("utf-8", errors="replace")
            return LlrpStatus(code, text)
    raise LlrpDecodeError("LLRPStatus missing")


def _encode_rospec(spec: RoSpec) -> bytes:
    start = _tlv(ParamType.ROSPEC_START_TRIGGER, bytes([spec.start_trigger]))
    stop_type = 1 if spec.duration_ms else 0
    stop = _tlv(ParamType.ROSPEC_STOP_TRIGGER, struct.pack(">BI", stop_type, spec.duration_ms))
    boundary = _tlv(ParamType.RO_BOUNDARY_SPEC, start + stop)
    antennas = struct.pack(f">H{len(spec.antennas)}H", len(spec.antennas), *spec.antennas)
    # AISpec stop trigger "null": the AISpec ends with its ROSpec.
    ai_stop = _tlv(ParamType.AI_SPEC_STOP_TRIGGER, struct.pack(">BI", 0, 0))
    ips = _tlv(
        ParamType.INVENTORY_PARAMETER_SPEC,
        struct.pack(">HB", spec.inventory_parameter_spec_id, PROTOCOL_C1G2),
    )
    ai = _tlv(ParamType.AI_SPEC, antennas + ai_stop + ips)
    selector = _tlv(ParamType.TAG_REPORT_CONTENT_SELECTOR, struct.pack(">H", spec.content_flags))
    report = _tlv(ParamType.RO_REPORT_SPEC, struct.pack(">BH", 1, spec.report_every_n_tags) + selector)
    head = struct.pack(">IBB", spec.rospec_id, spec.priority, spec.current_state)
    return _tlv(ParamType.ROSPEC, head + boundary + ai + report)


def _decode_rospec(data: bytes, start: int, end: int) -> RoSpec:
    if end - start < 6:
        raise LlrpDecodeError("short ROSpec")
    rospec_id, priority, state = struct.unpack_from(">IBB", data, start)
    values: dict[str, object] = {}
    for ptype, s, e in _iter_tlvs(data, start + 6, end):
        if ptype == ParamType.RO_BOUNDARY_SPEC:
            for btype, bs, be in _iter_tlvs(data, s, e):
                if btype == ParamType.ROSPEC_START_TRIGGER and be > bs:
                    values["start_trigger"] = data[bs]
                elif btype == ParamType.ROSPEC_STOP_TRIGGER and be - bs >= 5:
                    values["duration_ms"] = struct.unpack_from(">I", data, bs + 1)[0]
        elif ptype == ParamType.AI_SPEC:
            if e - s < 2:
                raise LlrpDecodeError("short AISpec")
            (count,) = struct.unpack_from(">H", data, s)
            if s + 2 + 2 * count > e:
                raise LlrpDecodeError("AISpec antenna list overruns")
            values["antennas"] = struct.unpack_from(f">{count}H", data, s + 2)
            for atype, as_, ae in _iter_tlvs(data, s + 2 + 2 * count, e):
                if atype == ParamType.INVENTORY_PARAMETER_SPEC and ae - as_ >= 3:
                    values["inventory_parameter_spec_id"] = struct.unpack_from(">H", data, as_)[0]
        elif ptype == ParamType.RO_REPORT_SPEC:
            if e - s < 3:
                raise LlrpDecodeError("short ROReportSpec")
            values["report_every_n_tags"] = struct.unpack_from(">H", data, s + 1)[0]
            for rtype, rs, re_ in _iter_tlvs(data, s + 3, e):
                if rtype == ParamType.TAG_REPORT_CONTENT_SELECTOR and re_ - rs >= 2:
                    values["content_flags"] = struct.unpack_from(">H", data, rs)[0]
    return RoSpec(rospec_id, priority=priority, current_state=state, **values)  # type: ignore[arg-type]


# --- TagReportData: the hot path --------------------------------------------------------------

# Decoding 200,000 TagReportData in well under a second in pure Python needs one struct call per
# tag. Readers send every TagReportData of a report with the same layout, so the first one is
# parsed generically and its layout compiled to a struct; the next ones of the same length are
# unpacked with it and accepted only if their type markers match, else parsed generically.

_TV_FORMATS: Final[dict[int, str]] = {
    1: "H", 2: "Q", 3: "Q", 4: "Q", 5: "Q", 6: "b", 7: "H", 8: "H", 9: "I", 10: "H",
    11: "H", 12: "H", 13: "12s", 14: "H", 15: "H", 16: "I", 17: "H", 18: "I",
}  # fmt: skip
_FIELD_OF_TV: Final[dict[int, str]] = {
    ParamType.EPC_96: "epc",
    ParamType.ANTENNA_ID: "antenna",
    ParamType.PEAK_RSSI: "peak_rssi",
    ParamType.FIRST_SEEN_UTC: "first_seen_us",
    ParamType.LAST_SEEN_UTC: "last_seen_us",
    ParamType.TAG_SEEN_COUNT: "seen_count",
    ParamType.ROSPEC_ID: "rospec_id",
}
_TAG_FIELDS: Final = TagReport._fields


class _Layout(NamedTuple):
    struct: struct.Struct
    check: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # pulls header and TV type markers
    expect: tuple[int, ...]  # what `check` must find: TagReportData type, length, markers
    pick: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # TagReport fields from values + defaults
    defaults: tuple[Any, ...]


_DEFAULTS: Final = tuple(TagReport._field_defaults.get(f) for f in _TAG_FIELDS)


def _parse_tag_report(data: bytes, start: int, end: int) -> tuple[TagReport, _Layout | None]:
    """Generic walk of one TagReportData body; returns the tag and, when compilable, its layout."""
    values: dict[str, object] = {}
    fmt = [">HH"]  # the TagReportData TLV header itself
    markers: list[int] = []
    marker_slots: list[int] = []
    field_slots: list[tuple[int, int]] = []
    slot = 2
    compilable = True
    pos = start
    while pos < end:
        first = data[pos]
        if first & 0x80:
            ptype = first & 0x7F
            size = TV_LENGTHS.get(ptype)
            if size is None:
                raise LlrpDecodeError(f"unknown TV parameter type {ptype}")
            if pos + 1 + size > end:
                raise LlrpDecodeError(f"TV parameter {ptype} overruns TagReportData")
            tv_fmt = _TV_FORMATS[ptype]
            (value,) = struct.unpack_from(">" + tv_fmt, data, pos + 1)
            name = _FIELD_OF_TV.get(ptype)
            fmt.append("B" + tv_fmt)
            markers.append(first)
            marker_slots.append(slot)
            if name is not None:
                values[name] = value
                field_slots.append((_TAG_FIELDS.index(name), slot + 1))
            slot += 2
            pos += 1 + size
        else:
            if end - pos < 4:
                raise LlrpDecodeError("truncated TLV in TagReportData")
            ptype, plen = struct.unpack_from(">HH", data, pos)
            ptype &= 0x3FF
            if plen < 4 or pos + plen > end:
                raise LlrpDecodeError(f"TLV length {plen} out of bounds in TagReportData")
            if ptype == ParamType.EPC_DATA:
                if plen < 6:
                    raise LlrpDecodeError("short EPCData")
                (bits,) = struct.unpack_from(">H", data, pos + 4)
                nbytes = (bits + 7) // 8
                if 6 + nbytes > plen:
                    raise LlrpDecodeError("EPCData bit count overruns")
                values["epc"] = bytes(data[pos + 6 : pos + 6 + nbytes])
                # Variable-length EPCs do not compile; the generic walk handles them.
                compilable = False
            else:
                compilable = False
            pos += plen
    if "epc" not in values:
        raise LlrpDecodeError("TagReportData without an EPC")
    tag = TagReport(**values)  # type: ignore[arg-type]
    if not compilable:
        return tag, None
    value_of = dict(field_slots)
    compiled = struct.Struct("".join(fmt))
    picks = [value_of.get(i, slot + i) for i in range(len(_TAG_FIELDS))]
    layout = _Layout(
        compiled,
        operator.itemgetter(0, 1, *marker_slots),
        (int(ParamType.TAG_REPORT_DATA), compiled.size, *markers),
        operator.itemgetter(*picks),
        _DEFAULTS,
    )
    return tag, layout


def decode_tag_reports(data: bytes, start: int, end: int) -> tuple[TagReport, ...]:
    """All TagReportData in an RO_ACCESS_REPORT body (other parameters are skipped)."""
    tags: list[TagReport] = []
    append = tags.append
    layout: _Layout | None = None
    make = TagReport._make
    pos = start
    while pos < end:
        if data[pos] & 0x80 or end - pos < 4:
            raise LlrpDecodeError(f"bad parameter at {pos} in RO_ACCESS_REPORT")
        ptype, plen = struct.unpack_from(">HH", data, pos)
        if plen < 4 or pos + plen > end:
            raise LlrpDecodeError(f"TLV length {plen} out of bounds at {pos}")
        if ptype & 0x3FF == ParamType.TAG_REPORT_DATA:
            if layout is not None and plen == layout.struct.size:
                if (end - pos) % plen == 0:
                    # The rest of the report may be all alike: unpack it in one C call.
                    rows = list(layout.struct.iter_unpack(memoryview(data)[pos:end]))
                    check, expect = layout.check, layout.expect
                    if all(check(row) == expect for row in rows):
                        pick, defaults = layout.pick, layout.defaults
                        tags.extend([make(pick(row + defaults)) for row in rows])
                        break
                row = layout.struct.unpack_from(data, pos)
                if layout.check(row) == layout.expect:
                    append(make(layout.pick(row + layout.defaults)))
                    pos += plen
                    continue
            tag, new_layout = _parse_tag_report(data, pos + 4, pos + plen)
            append(tag)
            if new_layout is not None:
                layout = new_layout
        pos += plen
    return tuple(tags)


def encode_tag_report(tag: TagReport, epc_as_tlv: bool = False) -> bytes:
    """One TagReportData: EPC-96 as TV unless asked for EPCData or the EPC is not 96 bits."""
    if len(tag.epc) == 12 and not epc_as_tlv:
        body = bytes([0x80 | ParamType.EPC_96]) + tag.epc
    else:
        body = _tlv(ParamType.EPC_DATA, struct.pack(">H", len(tag.epc) * 8) + tag.epc)
    if tag.rospec_id is not None:
        body += struct.pack(">BI", 0x80 | ParamType.ROSPEC_ID, tag.rospec_id)
    if tag.antenna is not None:
        body += struct.pack(">BH", 0x80 | ParamType.ANTENNA_ID, tag.antenna)
    if tag.peak_rssi is not None:
        body += struct.pack(">Bb", 0x80 | ParamType.PEAK_RSSI, tag.peak_rssi)
    if tag.first_seen_us is not None:
        body += struct.pack(">BQ", 0x80 | ParamType.FIRST_SEEN_UTC, tag.first_seen_us)
    if tag.last_seen_us is not None:
        body += struct.pack(">BQ", 0x80 | ParamType.LAST_SEEN_UTC, tag.last_seen_us)
    if tag.seen_count != 1:
        body += struct.pack(">BH", 0x80 | ParamType.TAG_SEEN_COUNT, tag.seen_count)
    return _tlv(ParamType.TAG_REPORT_DATA, body)


# --- whole messages ---------------------------------------------------------------------------


def _frame(msg_type: int, msg_id: int, body: bytes) -> bytes:
    return HEADER.pack((LLRP_VERSION << 10) | msg_type, HEADER_LEN + len(body), msg_id) + body


def encode(message: Message) -> bytes:
    """The bytes of one message, header included."""
    mid = message.msg_id
    if isinstance(message, ReaderEventNotification):
        inner = _tlv(ParamType.UTC_TIMESTAMP, struct.pack(">Q", message.timestamp_us))
        if message.rospec_event is not None:
            kind, rospec_id = message.rospec_event
            inner += _tlv(ParamType.ROSPEC_EVENT, struct.pack(">BII", kind, rospec_id, 0))
        if message.connection_status is not None:
            inner += _tlv(ParamType.CONNECTION_ATTEMPT_EVENT, struct.pack(">H", message.connection_status))
        if message.connection_closed:
            inner += _tlv(ParamType.CONNECTION_CLOSE_EVENT, b"")
        body = _tlv(ParamType.READER_EVENT_NOTIFICATION_DATA, inner)
        return _frame(MsgType.READER_EVENT_NOTIFICATION, mid, body)
    if isinstance(message, SetReaderConfig):
        body = bytes([0x80 if message.reset_to_factory_default else 0])
        if message.rospec_events is not None:
            state = _tlv(
                ParamType.EVENT_NOTIFICATION_STATE,
                struct.pack(">HB", EVENT_TYPE_ROSPEC, 0x80 if message.rospec_events else 0),
            )
            body += _tlv(ParamType.READER_EVENT_NOTIFICATION_SPEC, state)
        if message.keepalive_period_ms is not None:
            periodic = 1 if message.keepalive_period_ms else 0
            body += _tlv(ParamType.KEEPALIVE_SPEC, struct.pack(">BI", periodic, message.keepalive_period_ms))
        return _frame(MsgType.SET_READER_CONFIG, mid, body)
    if isinstance(message, AddRospec):
        return _frame(MsgType.ADD_ROSPEC, mid, _encode_rospec(message.rospec))
    if isinstance(message, RospecCommand):
        return _frame(message.kind, mid, struct.pack(">I", message.rospec_id))
    if isinstance(message, StatusResponse):
        return _frame(message.kind, mid, _status_bytes(message.status))
    if isinstance(message, RoAccessReport):
        return _frame(MsgType.RO_ACCESS_REPORT, mid, b"".join(encode_tag_report(t) for t in message.tags))
    if isinstance(message, Keepalive):
        return _frame(MsgType.KEEPALIVE, mid, b"")
    if isinstance(message, KeepaliveAck):
        return _frame(MsgType.KEEPALIVE_ACK, mid, b"")
    if isinstance(message, CloseConnection):
        return _frame(MsgType.CLOSE_CONNECTION, mid, b"")
    if isinstance(message, UnknownMessage):
        return _frame(message.msg_type, mid, message.body)
    raise TypeError(f"cannot encode {type(message).__name__}")


_ROSPEC_COMMANDS: Final = {
    MsgType.ENABLE_ROSPEC,
    MsgType.START_ROSPEC,
    MsgType.STOP_ROSPEC,
    MsgType.DELETE_ROSPEC,
}
_STATUS_MESSAGES: Final = {
    MsgType.SET_READER_CONFIG_RESPONSE,
    MsgType.ADD_ROSPEC_RESPONSE,
    MsgType.ENABLE_ROSPEC_RESPONSE,
    MsgType.START_ROSPEC_RESPONSE,
    MsgType.STOP_ROSPEC_RESPONSE,
    MsgType.DELETE_ROSPEC_RESPONSE,
    MsgType.CLOSE_CONNECTION_RESPONSE,
    MsgType.ERROR_MESSAGE,
}


def _decode_reader_event(data: bytes, mid: int) -> ReaderEventNotification:
    for ptype, s, e in _iter_tlvs(data, HEADER_LEN, len(data)):
        if ptype != ParamType.READER_EVENT_NOTIFICATION_DATA:
            continue
        timestamp = 0
        status: int | None = None
        rospec_event: tuple[int, int] | None = None
        closed = False
        for itype, is_, ie in _iter_tlvs(data, s, e):
            if itype in (ParamType.UTC_TIMESTAMP, ParamType.UPTIME) and ie - is_ >= 8:
                (timestamp,) = struct.unpack_from(">Q", data, is_)
            elif itype == ParamType.CONNECTION_ATTEMPT_EVENT and ie - is_ >= 2:
                (status,) = struct.unpack_from(">H", data, is_)
            elif itype == ParamType.ROSPEC_EVENT and ie - is_ >= 5:
                kind, rospec_id = struct.unpack_from(">BI", data, is_)
                rospec_event = (kind, rospec_id)
            elif itype == ParamType.CONNECTION_CLOSE_EVENT:
                closed = True
        return ReaderEventNotification(
            timestamp,
            connection_status=status,
            rospec_event=rospec_event,
            connection_closed=closed,
            msg_id=mid,
        )
    raise LlrpDecodeError("READER_EVENT_NOTIFICATION without ReaderEventNotificationData")


def _decode_set_reader_config(data: bytes, mid: int) -> SetReaderConfig:
    if len(data) < HEADER_LEN + 1:
        raise LlrpDecodeError("SET_READER_CONFIG without its flags byte")
    reset = bool(data[HEADER_LEN] & 0x80)
    keepalive: int | None = None
    rospec_events: bool | None = None
    for ptype, s, e in _iter_tlvs(data, HEADER_LEN + 1, len(data)):
        if ptype == ParamType.KEEPALIVE_SPEC and e - s >= 5:
            kind, period = struct.unpack_from(">BI", data, s)
            keepalive = period if kind == 1 else 0
        elif ptype == ParamType.READER_EVENT_NOTIFICATION_SPEC:
            for ntype, ns, ne in _iter_tlvs(data, s, e):
                if ntype == ParamType.EVENT_NOTIFICATION_STATE and ne - ns >= 3:
                    event_type, flag = struct.unpack_from(">HB", data, ns)
                    if event_type == EVENT_TYPE_ROSPEC:
                        rospec_events = bool(flag & 0x80)
    return SetReaderConfig(
        reset_to_factory_default=reset,
        keepalive_period_ms=keepalive,
        rospec_events=rospec_events,
        msg_id=mid,
    )


def decode(data: bytes) -> Message:
    """One whole frame (header included) to a message; bad bodies raise LlrpDecodeError."""
    word, length, mid = HEADER.unpack_from(data, 0)
    version = (word >> 10) & 0x7
    mtype = word & 0x3FF
    if version != LLRP_VERSION:
        raise LlrpDecodeError(f"LLRP version {version}, only 1 is spoken")
    if length != len(data):
        raise LlrpDecodeError("frame length does not match header")
    end = len(data)
    if mtype == MsgType.RO_ACCESS_REPORT:
        return RoAccessReport(decode_tag_reports(data, HEADER_LEN, end), msg_id=mid)
    if mtype == MsgType.KEEPALIVE:
        return Keepalive(msg_id=mid)
    if mtype == MsgType.KEEPALIVE_ACK:
        return KeepaliveAck(msg_id=mid)
    if mtype == MsgType.CLOSE_CONNECTION:
        return CloseConnection(msg_id=mid)
    if mtype == MsgType.READER_EVENT_NOTIFICATION:
        return _decode_reader_event(data, mid)
    if mtype == MsgType.SET_READER_CONFIG:
        return _decode_set_reader_config(data, mid)
    if mtype in _ROSPEC_COMMANDS:
        if end - HEADER_LEN < 4:
            raise LlrpDecodeError("ROSpec command without its ROSpec id")
        (rospec_id,) = struct.unpack_from(">I", data, HEADER_LEN)
        return RospecCommand(MsgType(mtype), rospec_id, msg_id=mid)
    if mtype == MsgType.ADD_ROSPEC:
        for ptype, s, e in _iter_tlvs(data, HEADER_LEN, end):
            if ptype == ParamType.ROSPEC:
                return AddRospec(_decode_rospec(data, s, e), msg_id=mid)
        raise LlrpDecodeError("ADD_ROSPEC without ROSpec")
    if mtype in _STATUS_MESSAGES:
        return StatusResponse(MsgType(mtype), _decode_status(data, HEADER_LEN, end), msg_id=mid)
    return UnknownMessage(mtype, bytes(data[HEADER_LEN:]), msg_id=mid)


# --- the connection core ----------------------------------------------------------------------


class LlrpConnection:
    """Buffers bytes from the peer and yields messages; numbers and encodes what we send.

    `role` is "client" (we are the host application) or "reader" (the simulator side). The only
    state the protocol imposes on us is the handshake: a client is `connected` once the reader's
    ConnectionAttemptEvent says Success, and `closed` after CLOSE_CONNECTION(_RESPONSE) or EOF.
    """

    def __init__(self, role: str = "client") -> None:
        if role not in ("client", "reader"):
            raise ValueError(f"role must be client or reader, not {role!r}")
        self.role = role
        self.connected = role == "reader"
        self.closed = False
        self._buffer = bytearray()
        self._next_id = 1
        self._eof = False

    def next_message_id(self) -> int:
        mid = self._next_id
        self._next_id = (self._next_id + 1) & 0xFFFFFFFF or 1
        return mid

    def send(self, message: Message) -> bytes:
        return encode(message)

    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the transport; b"" means the peer closed the stream."""
        if data:
            self._buffer += data
        else:
            self._eof = True

    def next_event(self) -> Message | _NeedData:
        buf = self._buffer
        if len(buf) < HEADER_LEN:
            if self._eof:
                self.closed = True
                if buf:
                    junk = bytes(buf)
                    buf.clear()
                    return MalformedMessage("stream ended inside a header", junk)
            return NEED_DATA
        _word, length, mid = HEADER.unpack_from(buf, 0)
        if length < HEADER_LEN or length > MAX_MESSAGE_LEN:
            junk = bytes(buf)
            buf.clear()
            return MalformedMessage(f"impossible message length {length}", junk, msg_id=mid)
        if len(buf) < length:
            if self._eof:
                junk = bytes(buf)
                buf.clear()
                self.closed = True
                return MalformedMessage("stream ended inside a message", junk, msg_id=mid)
            return NEED_DATA
        frame = bytes(buf[:length])
        del buf[:length]
        try:
            message = decode(frame)
        except (LlrpDecodeError, struct.error, ValueError, IndexError) as exc:
            return MalformedMessage(str(exc), frame, msg_id=mid)
        self._observe(message)
        return message

    def _observe(self, message: Message) -> None:
        if isinstance(message, ReaderEventNotification):
            if message.connection_status is not None:
                self.connected = message.connection_status == CONNECTION_SUCCESS
            if message.connection_closed:
                self.closed = True
        elif isinstance(message, StatusResponse) and message.kind == MsgType.CLOSE_CONNECTION_RESPONSE:
            self.closed = True

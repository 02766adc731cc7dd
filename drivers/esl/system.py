"""What a shelf label shows, and the interface every ESL system (OpenEPaperLink, and later the
commercial VUSION / Pricer / SoluM REST APIs) implements for the outbox.

Rule: `push` only hands content over and tells nothing; only `check` may declare a label updated,
and only from what the system itself reports about the label, compared with what it reported
before the upload (`observe` just before it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Protocol

from drivers.device import Health


@dataclass(frozen=True)
class LabelFields:
    """The content of one price label. Money in fen; `unit_price_fen` is per `unit` (e.g. "500g")."""

    name: str
    price_fen: int
    unit_price_fen: int | None = None
    unit: str = ""
    promotion: str = ""
    barcode: str = ""  # EAN-13 / UPC-A digits; drawn as bars when valid, as text otherwise
    currency: str = "¥"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LabelFields:
        return cls(**json.loads(text))


class EslTransientError(Exception):
    """The system could not be asked or could not take the content now (HTTP 5xx, dropped link)."""


class EslRejectedError(Exception):
    """The system cannot take content for this label as things are; `reason` says why
    ("unknown_mac": the system does not know the label; "unknown_tag_type": no size for it)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class LabelState:
    """What the system reports about one label right now. `raw` is the system's own record (JSON),
    kept as the baseline a later `check` compares against; `shown` is a token of the image shown
    ("" when the system knows none); `size` is None when no image of a known size fits it."""

    label: str
    shown: str
    pending: int
    size: tuple[int, int] | None
    model: str  # the label's type, for messages (e.g. 'hwType 0x01, M2 2.9"')
    raw: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LabelState:
        doc = json.loads(text)
        size = doc.pop("size")
        return cls(**doc, size=tuple(size) if size else None)


class Verdict(Enum):
    SHOWN = "shown"  # the label shows the upload
    WAITING = "waiting"  # the system holds the upload; asking again later may tell
    NOT_TAKEN = "not_taken"  # the system never took the upload: only a new upload can help


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    reason: str = ""  # why not shown yet: unknown_mac, ap_not_running, tag_asleep, unchanged, ...
    detail: str = ""


class EslSystem(Protocol):
    """One ESL back end. Labels are addressed by the system's id (a MAC for OpenEPaperLink)."""

    name: str

    def observe(self, label: str) -> LabelState:
        """The label as the system reports it. Raises EslRejectedError("unknown_mac") when the
        system does not know it, EslTransientError when the system cannot be asked."""
        ...

    def push(self, label: str, image: bytes, fields: LabelFields, version: int) -> None:
        """Hand one label's content over. Success says nothing about the label; raises
        EslTransientError when the content surely did not get through (5xx, dropped link)."""
        ...

    def check(self, before: LabelState, now: LabelState) -> Check:
        """Whether the upload made after `before` was observed is what `now` shows (pure)."""
        ...

    def status(self) -> Health:
        """What the last request to the system showed; never a request itself."""
        ...

    def probe(self) -> Health:
        """Ask the system how it is now (a request), and remember it for `status`."""
        ...

"""What a shelf label shows, and the interface every ESL system (OpenEPaperLink, and later the
commercial VUSION / Pricer / SoluM REST APIs) implements for the outbox.

Rule: `push` only hands content over and returns a token; only `confirm` may declare a label
updated, and only from what the system itself reports the label is showing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
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
    """The system could not take the content now (HTTP 5xx, dropped link); retry later."""


class EslRejectedError(Exception):
    """The system will never take this content as sent (unknown label); retrying will not help."""


@dataclass(frozen=True)
class LabelStatus:
    """What the system reports for one label."""

    label: str
    shown_token: str  # e.g. OpenEPaperLink's image hash
    pending: int
    hw_type: int | None = None


class EslSystem(Protocol):
    """One ESL back end. Labels are addressed by the system's id (a MAC for OpenEPaperLink)."""

    name: str

    def push(self, label: str, image: bytes, fields: LabelFields, version: int) -> str:
        """Hand one label's content over; returns the token `confirm` will look for.
        Raises EslTransientError (retry) or EslRejectedError (give up on this content)."""
        ...

    def confirm(self, awaiting: Mapping[str, str]) -> set[str]:
        """Of `awaiting` (label → token), the labels the system reports as showing that token
        with nothing pending. Transient failures give a partial answer, never an exception."""
        ...

    def label_size(self, label: str) -> tuple[int, int] | None:
        """The label's display resolution when the system knows it."""
        ...

    def status(self) -> Health: ...

"""A parsed settlement file (providers/settlement.py) made ready for HQ, or refused whole.

Rule: a file with any problem — a bad row, a wrong encoding, a file cut short — is refused with
every problem as `FILE:LINE: reason` and nothing of it is imported (HQ's reconciliation must not
rest on half a file); a good file replaces the same source's file of that day.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from edge.payments.reconcile import SettledItem
from hq.recon.tables import SOURCES, FileItem, ImportedFile


class ImportRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Parsed:
    """What a parser gave: items, problems as (line, reason) (line 0: the file as a whole), and
    the file's own summary."""

    items: list[SettledItem]
    problems: list[tuple[int, str]]
    summary: dict[str, str]


def imported_file(source: str, day: date, name: str, data: bytes, parsed: Parsed
                  ) -> ImportedFile:
    if source not in SOURCES:
        raise ImportRefused([f"{name}: unknown source {source!r} ({', '.join(SOURCES)})"])
    if parsed.problems:
        raise ImportRefused([f"{name}:{line}: {reason}" if line else f"{name}: {reason}"
                             for line, reason in parsed.problems])
    if not parsed.items:
        raise ImportRefused([f"{name}: no payments or refunds in the file"])
    items = [FileItem(i.line, i.kind, _key(source, i), i.out_trade_no, i.amount,
                      abs(i.fee) if i.kind == "payment" else -abs(i.fee))
             for i in parsed.items]
    return ImportedFile(source, day, name, hashlib.sha256(data).hexdigest(),
                        json.dumps(parsed.summary, ensure_ascii=False), items)


def _key(source: str, item: SettledItem) -> str | None:
    """A provider's refund is known by its out_refund_no; a card refund by the reference of the
    sale it refunds (all a return's card tender carries)."""
    if item.kind == "payment" or source == "acquirer":
        return item.out_trade_no
    return item.out_refund_no

"""The day's reconciliation report: the settlement files of a day against HQ's facts of that day.

Rules:
- a day is a calendar day in HQ's zone (Beijing by default), as the providers cut their files;
- payment codes (WeChat Pay and Alipay files) are matched on HQ's `mobile` tenders by
  out_trade_no and on HQ's confirmed refunds by out_refund_no; card payments (the acquirer's
  file) on HQ's `card` tenders by the card terminal's reference, card refunds by the reference
  of the sale they refund; several rows with one key are added up on both sides;
- a key on one side only is looked up on the other side on any day before it is called missing
  (a payment just before midnight lands in the next day's file);
- a one-sided payment and a one-sided refund of the same trade and amount are a payment charged
  and then reversed (the till gave up, the money went back): reported, nothing to do;
- the files are the last word on money: nothing here corrects anything, every difference is
  listed with what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hq.recon.tables import MOBILE_SOURCES, FileItem, HqItem
from hq.storage.interface import HqStorage

# the tills' out_trade_no (edge/payments/attempts.py): a mobile tender typed in on a till without
# a provider has a free reference and is not a provider's trade
OUT_TRADE_NO = re.compile(r"^P[0-9A-Za-z]{1,31}$")


@dataclass(frozen=True)
class Entry:
    cls: str                     # mobile | card
    kind: str                    # payment | refund
    key: str
    hq_amount: int | None
    file_amount: int | None
    source: str = ""             # the file's source, when the file has it
    line: int = 0                # its line in that file
    where: str = ""              # store/terminal, when HQ has it
    note: str = ""


@dataclass
class SourceTotals:
    payments: int = 0
    refunds: int = 0
    fees: Decimal = Decimal("0")
    rows: int = 0

    @property
    def net(self) -> Decimal:
        """What the provider pays out for the day: payments − refunds − fees, in yuan."""
        return Decimal(self.payments - self.refunds) / 100 - self.fees


@dataclass
class ReconReport:
    day: date
    files: list[tuple[str, str, int, str]]
    matched: list[Entry] = field(default_factory=list)
    other_day: list[Entry] = field(default_factory=list)      # matched in another day's data
    one_sided: list[Entry] = field(default_factory=list)      # in a file, not at HQ: 单边账
    missing_at_provider: list[Entry] = field(default_factory=list)
    mismatched: list[Entry] = field(default_factory=list)
    reversed_after_charge: list[Entry] = field(default_factory=list)
    no_file: list[str] = field(default_factory=list)          # sources HQ has facts for, no file
    totals: dict[str, SourceTotals] = field(default_factory=dict)
    card_without_reference: int = 0

    @property
    def clean(self) -> bool:
        return not (self.one_sided or self.missing_at_provider or self.mismatched
                    or self.no_file)


def reconcile_day(storage: HqStorage, day: date) -> ReconReport:
    sides = storage.recon_sides(day)
    report = ReconReport(day, sides.files, card_without_reference=sides.card_without_reference)
    for source, item in (i for items in sides.provider.values() for i in items):
        t = report.totals.setdefault(source, SourceTotals())
        t.rows += 1
        t.fees += item.fee
        if item.kind == "payment":
            t.payments += item.amount
        else:
            t.refunds += item.amount
    imported = {f[0] for f in sides.files}
    hq_mobile = [h for h in sides.hq.get("mobile", [])
                 if h.kind == "refund" or OUT_TRADE_NO.match(h.key)]
    if hq_mobile and not imported & set(MOBILE_SOURCES):
        report.no_file.append("wechat/alipay")
    if sides.hq.get("card") and "acquirer" not in imported:
        report.no_file.append("acquirer")
    _match(storage, report, "mobile", sides.provider.get("mobile", []), hq_mobile)
    _match(storage, report, "card", sides.provider.get("card", []), sides.hq.get("card", []))
    return report


def _match(storage: HqStorage, report: ReconReport, cls: str,
           files: list[tuple[str, FileItem]], hq: list[HqItem]) -> None:
    theirs: dict[tuple[str, str], list[tuple[str, FileItem]]] = {}
    for source, item in files:
        theirs.setdefault((item.kind, item.key or f"(line {item.line})"), []).append(
            (source, item))
    ours: dict[tuple[str, str], list[HqItem]] = {}
    for h in hq:
        ours.setdefault((h.kind, h.key), []).append(h)
    only_theirs = [k for k in theirs if k not in ours]
    only_ours = [k for k in ours if k not in theirs]
    hq_any, files_any = storage.recon_lookup(sorted({k for _, k in only_theirs + only_ours}))
    for key in sorted(theirs.keys() & ours.keys()):
        entry = _entry(cls, key, theirs[key], ours[key])
        (report.matched if entry.hq_amount == entry.file_amount else report.mismatched
         ).append(entry)
    one_sided = []
    for key in sorted(only_theirs):
        entry = _entry(cls, key, theirs[key], [])
        if key in hq_any:
            entry = _replace(entry, hq_any[key], "HQ has it on another day")
            (report.other_day if entry.hq_amount == entry.file_amount else report.mismatched
             ).append(entry)
        else:
            one_sided.append(entry)
    report.one_sided += _without_reversals(report, one_sided, theirs)
    for key in sorted(only_ours):
        entry = _entry(cls, key, [], ours[key])
        if key in files_any:
            report.other_day.append(_replace(entry, entry.hq_amount,
                                             f"in the file of {files_any[key]}"))
        else:
            report.missing_at_provider.append(entry)


def _without_reversals(report: ReconReport, one_sided: list[Entry],
                       theirs: dict[tuple[str, str], list[tuple[str, FileItem]]]) -> list[Entry]:
    """Take out the payments charged and reversed the same day: a one-sided payment and one-sided
    refunds of that trade adding up to it."""
    by_trade: dict[str, list[Entry]] = {}
    for e in one_sided:
        otn = theirs[(e.kind, e.key)][0][1].out_trade_no
        by_trade.setdefault(otn, []).append(e)
    kept = []
    for entries in by_trade.values():
        paid = sum(e.file_amount or 0 for e in entries if e.kind == "payment")
        back = sum(e.file_amount or 0 for e in entries if e.kind == "refund")
        if paid and paid == back:
            report.reversed_after_charge += entries
        else:
            kept += entries
    return kept


def _entry(cls: str, key: tuple[str, str], theirs: list[tuple[str, FileItem]],
           ours: list[HqItem]) -> Entry:
    kind, k = key
    return Entry(cls, kind, k, sum(h.amount for h in ours) if ours else None,
                 sum(i.amount for _, i in theirs) if theirs else None,
                 theirs[0][0] if theirs else "", theirs[0][1].line if theirs else 0,
                 f"{ours[0].store}/{ours[0].terminal}" if ours else "")


def _replace(entry: Entry, hq_amount: int | None, note: str) -> Entry:
    return Entry(entry.cls, entry.kind, entry.key, hq_amount, entry.file_amount, entry.source,
                 entry.line, entry.where, note)

"""Promotions imported on this till (`pos promo import FILE`) kept in the `local_promotion` table,
so the till can build its engine from the database: the till's promotions are the local ones plus
those HQ sent (`sync_promotion`, active rows), HQ's winning on the same id.

Rule: an import parses the whole file with the promotions engine's loader; bad promotions are
reported (index, id, field, reason) and the good ones kept, or nothing is kept with `strict`.
What HQ sent is not checked on arrival, so control characters in it are stripped when the till
loads its promotions (as import would have refused them) rather than stopping the till.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from edge.config import StoreConfig
from edge.ledger.clock import utc_now_iso
from edge.ledger.outbox import canonical_json
from edge.ledger.store import write_transaction
from edge.promotions import Promotion, PromotionsEngine
from edge.promotions.promotion_file import Problem, load_promotions, parse_promotions, promotion_to_json
from edge.safe_text import device_text


@dataclass(frozen=True)
class PromotionImport:
    imported: int
    problems: list[Problem]
    committed: bool


def import_promotions(conn: sqlite3.Connection, text: str, strict: bool = False) -> PromotionImport:
    promotions, problems = parse_promotions(text)
    if problems and strict:
        return PromotionImport(0, problems, False)
    now = utc_now_iso()
    with write_transaction(conn):
        conn.executemany("INSERT OR REPLACE INTO local_promotion (promotion_id, body, imported_at)"
                         " VALUES (?, ?, ?)",
                         [(p.id, canonical_json(promotion_to_json(p)), now) for p in promotions])
    return PromotionImport(len(promotions), problems, True)


def stored_promotions(conn: sqlite3.Connection) -> list[Promotion]:
    bodies = {r[0]: json.loads(r[1]) for r in conn.execute(
        "SELECT promotion_id, body FROM local_promotion ORDER BY promotion_id")}
    try:
        bodies.update({r[0]: _without_controls(json.loads(r[1])) for r in conn.execute(
            "SELECT promotion_id, body FROM sync_promotion WHERE active = 1")})
    except sqlite3.OperationalError:   # no sync tables in this database
        pass
    return load_promotions(json.dumps(list(bodies.values()))) if bodies else []


def _without_controls(value: object) -> object:
    if isinstance(value, str):
        return device_text(value)
    if isinstance(value, dict):
        return {device_text(k): _without_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_controls(v) for v in value]
    return value


def stored_engine(conn: sqlite3.Connection, language: str = "zh_CN") -> PromotionsEngine:
    """The promotions engine over every promotion this till holds."""
    return PromotionsEngine(stored_promotions(conn), language=language)  # type: ignore[arg-type]


def engine_for(conn: sqlite3.Connection, config: StoreConfig) -> PromotionsEngine:
    """The engine a till of this store prices with: its stored promotions, in its language."""
    return stored_engine(conn, "en" if config.locale.startswith("en") else "zh_CN")

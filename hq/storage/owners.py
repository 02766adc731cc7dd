"""What HQ's storage knows for the ownership rule (hq/ownership.py): the owner stores of the
objects a group of facts names, the grants HQ's look-ups gave, and the security alerts; both
engines run this same code on a DB-API cursor (SQL kept portable, as in ledger.py).

Rule: one call answers a whole group, a few queries per kind named, never one per event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from hq.storage.interface import Alert, Grant, OwnershipView

_CHUNK = 500  # ids per IN (...): within both engines' parameter limits
OWNER_QUERIES = frozenset({"sale", "return", "card", "member", "order"})  # the kinds _owner_sql knows


def _json(postgres: bool, key: str) -> str:
    return f"payload->>'{key}'" if postgres else f"json_extract(payload, '$.{key}')"


def _owner_sql(postgres: bool) -> dict[str, str]:
    """kind → a query of (id, owner store) for the ids in `IN ({ids})`."""
    ret, member = _json(postgres, "return_id"), _json(postgres, "member_id")
    queries = {
        "sale": "SELECT sale_id, store FROM hq_sale WHERE sale_id IN ({ids})",
        "return": f"SELECT {ret}, store FROM hq_event WHERE type = 'return.completed'"
                  f" AND {ret} IN ({{ids}})",
        "card": "SELECT card_no, owner_store FROM hq_sv_card WHERE owner_store IS NOT NULL"
                " AND card_no IN ({ids})",
        "member": f"SELECT {member}, store FROM hq_event WHERE type = 'member.registered'"
                  f" AND {member} IN ({{ids}})",
        "order": "SELECT order_id, store FROM hq_order WHERE order_id IN ({ids})",
    }
    assert set(queries) == OWNER_QUERIES
    return queries


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def ownership_view(cur: Any, postgres: bool, wanted: dict[str, set[str]],
                   askers: set[tuple[str, str]]) -> OwnershipView:
    mark = "%s" if postgres else "?"
    sql = _owner_sql(postgres)
    view = OwnershipView()
    for kind, ids in wanted.items():
        for chunk in _chunks(ids):
            query = sql[kind].format(ids=", ".join([mark] * len(chunk)))
            for object_id, store in cur.execute(query, tuple(chunk)).fetchall():
                view.owners.setdefault((kind, str(object_id)), set()).add(str(store))
    # Grants only for the objects some other store owns: the usual group has none to read.
    foreign = {(kind, object_id) for (kind, object_id), stores in view.owners.items()
               if any(store not in stores for store, _ in askers)}
    for chunk in _chunks({object_id for _, object_id in foreign}):
        rows = cur.execute(
            "SELECT id, store, terminal, kind, object_id, amount, created_at, expires_at"
            f" FROM hq_grant WHERE object_id IN ({', '.join([mark] * len(chunk))})",
            tuple(chunk)).fetchall()
        for gid, store, terminal, kind, object_id, amount, created, expires in rows:
            if (store, terminal) not in askers or (kind, object_id) not in foreign:
                continue
            created_at, expires_at = _instant(created), _instant(expires)
            used = _used(cur, postgres, kind, object_id, store, terminal, created_at)
            view.grants.append(Grant(int(gid), store, terminal, kind, object_id, int(amount),
                                     used, created_at, expires_at))
    return view


def _used(cur: Any, postgres: bool, kind: str, object_id: str, store: str, terminal: str,
          since: datetime) -> int:
    """What the grantee's facts at HQ already charged against a grant of this object."""
    mark = "%s" if postgres else "?"
    if kind == "card":
        row = cur.execute(
            f"SELECT coalesce(sum(amount), 0) FROM hq_sv_movement WHERE card_no = {mark}"
            f" AND store = {mark} AND terminal = {mark} AND kind = 'spend' AND received_at >= {mark}"
            , (object_id, store, terminal, _at(postgres, since))).fetchone()
        return int(row[0])
    if kind == "sale":
        total = "(payload->>'total')::bigint" if postgres else "json_extract(payload, '$.total')"
        row = cur.execute(
            f"SELECT coalesce(sum({total}), 0) FROM hq_event WHERE type = 'return.completed'"
            f" AND {_json(postgres, 'original_sale_id')} = {mark} AND store = {mark}"
            f" AND terminal = {mark}", (object_id, store, terminal)).fetchone()
        return int(row[0])
    return 0


def record_grant(cur: Any, postgres: bool, store: str, terminal: str, kind: str,
                 object_id: str, owner_store: str, amount: int, created_at: datetime,
                 expires_at: datetime) -> None:
    mark = "%s" if postgres else "?"
    cur.execute(
        "INSERT INTO hq_grant (store, terminal, kind, object_id, owner_store, amount, created_at,"
        f" expires_at) VALUES ({', '.join([mark] * 8)})",
        (store, terminal, kind, object_id, owner_store, max(amount, 0),
         _at(postgres, created_at), _at(postgres, expires_at)))


def grant_if_foreign(cur: Any, postgres: bool, store: str, terminal: str, kind: str,
                     object_id: str, amount: int, now: datetime, expires_at: datetime) -> bool:
    owners = ownership_view(cur, postgres, {kind: {object_id}}, set()).owners.get(
        (kind, object_id), set())
    if not owners or store in owners:
        return False
    record_grant(cur, postgres, store, terminal, kind, object_id, min(owners), amount, now,
                 expires_at)
    return True


def write_alerts(cur: Any, postgres: bool, store: str, terminal: str,
                 alerts: list[Alert]) -> None:
    """Once per event: a redelivered batch adds none."""
    if not alerts:
        return
    mark = "%s" if postgres else "?"
    cur.executemany(
        "INSERT INTO hq_security_alert (store, terminal, seq, event_id, type, detail)"
        f" VALUES ({', '.join([mark] * 6)}) ON CONFLICT DO NOTHING",
        [(store, terminal, a.seq, a.event_id, a.type, a.detail[:500]) for a in alerts])


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _at(postgres: bool, moment: datetime) -> Any:
    return moment if postgres else moment.astimezone(UTC).isoformat()


def security_alerts(cur: Any, postgres: bool, store: str | None, limit: int
                    ) -> list[tuple[str, str, str, int | None, str, str]]:
    """(at, store, terminal, seq, type, detail), the latest first."""
    mark = "%s" if postgres else "?"
    nullable = "%s::text" if postgres else "?"
    rows = cur.execute(
        f"SELECT at, store, terminal, seq, type, detail FROM hq_security_alert"
        f" WHERE ({nullable} IS NULL OR store = {mark}) ORDER BY id DESC LIMIT {mark}",
        (store, store, limit)).fetchall()
    return [(at.isoformat() if isinstance(at, datetime) else str(at), s, t,
             None if seq is None else int(seq), ty, d) for at, s, t, seq, ty, d in rows]

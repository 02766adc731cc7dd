"""Promotions as a JSON file (a list of promotion objects) and back; format in docs/promotions.md.

Rule: validation is strict — an unknown key, a missing field or a bad value is a Problem naming the
promotion id, the field and the line the promotion starts on; `load_promotions` refuses the whole
file when there is any, so bad input changes nothing. Amounts are decimal strings in yuan
("9.90"); percentages integer basis points.
Hostile files are problems, never crashes: nesting deeper than _MAX_DEPTH and numbers longer than
_MAX_NUMBER characters are found by a scan before the JSON parser runs (it would recurse or
convert without end), text longer than its field allows and control characters
(CONTROL_CHARACTERS in edge/safe_text.py) are refused. A UTF-8 BOM is allowed, as in catalog
import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeGuard

from edge.ledger.money import MoneyError, format_amount, parse_amount
from edge.promotions.rules import (
    BASIS_POINTS,
    KINDS,
    LINE_LOCAL_KINDS,
    POOLED_KINDS,
    AmountOff,
    BasketThreshold,
    Deal,
    FixedPrice,
    MemberPrice,
    MixMatch,
    MultiBuy,
    PercentOff,
    Promotion,
    Rule,
    Target,
    Validity,
)
from edge.safe_text import first_control, shown

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
FIELDS = {"id", "type", "name", "target", "params", "validity", "stores", "member_only", "tiers",
         "coupon", "priority", "stackable", "exclusive"}
_MAX_COUNT = 1000          # group sizes above this are a typo
_MAX_DEPTH = 32            # a promotion file nests 5 deep (hours); more is not one
_MAX_NUMBER = 40           # characters in one JSON number
_MAX_NAME = 200            # characters in a promotion's name
_MAX_STRING = 100          # characters in a sku, category, store or tier
_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[\[{]|[\]}]|[-+0-9.eE]+|\n')
_JSON_SPACE = " \t\n\r"


@dataclass(frozen=True)
class Problem:
    index: int              # position in the file's list, from 0; -1 for the file as a whole
    promotion_id: str       # "?" when the id itself is missing or bad
    field: str              # dotted path, e.g. "params.percent_bp"
    message: str
    line: int = 0           # where the promotion (or the file's fault) is; 0 when unknown

    def __str__(self) -> str:
        return f"promotion {self.promotion_id} (#{self.index}), {self.field}: {self.message}"


class PromotionFileError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems[:20]))
        self.problems = problems


class _Bad(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def load_promotions(text: str) -> list[Promotion]:
    """Every promotion in the file, or PromotionFileError listing every problem."""
    promotions, problems = parse_promotions(text)
    if problems:
        raise PromotionFileError(problems)
    return promotions


def parse_promotions(text: str) -> tuple[list[Promotion], list[Problem]]:
    """The good promotions and the problems with the others (for a report that keeps the good)."""
    try:
        items = _items(text.removeprefix("\ufeff"))
    except _FileFault as fault:
        return [], [Problem(-1, "?", "(file)", fault.message, fault.line)]
    promotions: list[Promotion] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, (line, item) in enumerate(items):
        raw_id = item.get("id") if isinstance(item, dict) else None
        promotion_id = raw_id if isinstance(raw_id, str) and _ID.match(raw_id) else "?"
        try:
            _refuse_controls(item, "")
            promotion = _promotion(item)
        except _Bad as bad:
            problems.append(Problem(index, promotion_id, bad.field, bad.message, line))
            continue
        if promotion.id in seen:
            problems.append(Problem(index, promotion.id, "id", "appears more than once", line))
            continue
        seen.add(promotion.id)
        promotions.append(promotion)
    return promotions, problems


class _FileFault(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _items(text: str) -> list[tuple[int, object]]:
    """The file's list, each item with the line it starts on; _FileFault when it is not one."""
    _scan_shape(text)
    decoder = json.JSONDecoder()
    try:
        pos = _skip_space(text, 0)
        if not text.startswith("[", pos):
            json.loads(text)   # not JSON at all says so with its line; JSON says what it is
            raise _FileFault(1, "must be a JSON list of promotion objects")
        pos = _skip_space(text, pos + 1)
        items: list[tuple[int, object]] = []
        if text.startswith("]", pos):
            pos += 1
        else:
            line, counted = 1, 0
            while True:
                line, counted = line + text.count("\n", counted, pos), pos
                item, pos = decoder.raw_decode(text, pos)
                items.append((line, item))
                pos = _skip_space(text, pos)
                if text.startswith(",", pos):
                    pos = _skip_space(text, pos + 1)
                elif text.startswith("]", pos):
                    pos += 1
                    break
                else:
                    raise json.JSONDecodeError("expected , or ] after a promotion", text, pos)
        if _skip_space(text, pos) != len(text):
            raise json.JSONDecodeError("extra data after the list", text, _skip_space(text, pos))
    except json.JSONDecodeError as error:
        raise _FileFault(error.lineno, f"not JSON: {error.msg} (column {error.colno})") from None
    return items


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _JSON_SPACE:
        pos += 1
    return pos


def _scan_shape(text: str) -> None:
    """Refuse nesting deeper than _MAX_DEPTH and numbers longer than _MAX_NUMBER, with the line,
    before the JSON parser meets them (RecursionError; int() of a 5,000-digit number)."""
    depth, line = 0, 1
    for token in _SCAN.finditer(text):
        value = token.group()
        if value == "\n":
            line += 1
        elif value in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                raise _FileFault(line, f"nested deeper than {_MAX_DEPTH} levels")
        elif value in "]}":
            depth -= 1
        elif not value.startswith('"') and len(value) > _MAX_NUMBER:
            raise _FileFault(line, f"a number of {len(value)} characters (at most {_MAX_NUMBER})")


def _refuse_controls(value: object, field: str) -> None:
    """CONTROL_CHARACTERS in any key or text of a promotion (names reach receipts)."""
    if isinstance(value, str):
        control = first_control(value)
        if control:
            raise _Bad(field or "(promotion)", f"control character {control} is not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{field}.{shown(key)}" if field else shown(key)
            _refuse_controls(key, path)
            _refuse_controls(item, path)
    elif isinstance(value, list):
        for number, item in enumerate(value):
            _refuse_controls(item, f"{field}[{number}]")


def dump_promotions(promotions: list[Promotion]) -> str:
    return json.dumps([promotion_to_json(p) for p in promotions], ensure_ascii=False, indent=2)


def promotion_to_json(promotion: Promotion) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": promotion.id,
        "type": promotion.kind,
        "name": {"zh": promotion.name_zh, "en": promotion.name_en},
        "params": _params_to_json(promotion.rule),
    }
    target = promotion.target
    if not target.everything or target.exclude_skus:
        out["target"] = {key: sorted(value) for key, value in (
            ("skus", target.skus), ("categories", target.categories),
            ("exclude_skus", target.exclude_skus)) if value}
    validity = promotion.validity
    if validity != Validity():
        window: dict[str, Any] = {}
        if validity.start is not None:
            window["from"] = validity.start.isoformat()
        if validity.end is not None:
            window["to"] = validity.end.isoformat()
        if validity.weekdays:
            window["weekdays"] = sorted(validity.weekdays)
        if validity.hours:
            window["hours"] = [[_hhmm(start), _hhmm(end)] for start, end in validity.hours]
        out["validity"] = window
    if promotion.stores:
        out["stores"] = sorted(promotion.stores)
    if promotion.member_only:
        out["member_only"] = True
    if promotion.tiers:
        out["tiers"] = sorted(promotion.tiers)
    if promotion.coupon is not None:
        out["coupon"] = promotion.coupon
    if promotion.priority:
        out["priority"] = promotion.priority
    if promotion.stackable:
        out["stackable"] = True
    if promotion.exclusive:
        out["exclusive"] = True
    return out


def _params_to_json(rule: Rule) -> dict[str, Any]:
    if isinstance(rule, MemberPrice):
        return {"tier_prices": {tier: format_amount(price)
                                for tier, price in sorted(rule.tier_prices.items())}}
    if isinstance(rule, PercentOff):
        return {"percent_bp": rule.percent_bp}
    if isinstance(rule, AmountOff):
        return {"amount": format_amount(rule.amount)}
    if isinstance(rule, FixedPrice):
        return {"price": format_amount(rule.price)}
    if isinstance(rule, MultiBuy | MixMatch):
        deal = rule.deal
        if deal.mode == "buy_get":
            return {"mode": "buy_get", "buy": deal.buy, "get": deal.get}
        if deal.mode == "bundle_price":
            return {"mode": "bundle_price", "qty": deal.qty, "price": format_amount(deal.price)}
        return {"mode": "percent", "qty": deal.qty, "percent_bp": deal.percent_bp}
    out: dict[str, Any] = {"threshold": format_amount(rule.threshold)}
    if rule.percent_bp:
        out["percent_bp"] = rule.percent_bp
    else:
        out["off"] = format_amount(rule.off)
        out["repeatable"] = rule.repeatable
    if rule.cap is not None:
        out["cap"] = format_amount(rule.cap)
    return out


def _promotion(item: object) -> Promotion:
    obj = _object(item, "(promotion)", required={"id", "type", "name", "params"}, allowed=FIELDS)
    promotion_id = obj["id"]
    if not isinstance(promotion_id, str) or not _ID.match(promotion_id):
        raise _Bad("id", "must be 1-64 characters of letters, digits, _ . : - (starting with a "
                         "letter or digit)")
    kind = obj["type"]
    if kind not in KINDS:
        raise _Bad("type", f"must be one of {', '.join(KINDS)}; got {kind!r}")
    name = _object(obj["name"], "name", required={"zh", "en"}, allowed={"zh", "en"})
    for language in ("zh", "en"):
        if not isinstance(name[language], str) or not name[language].strip():
            raise _Bad(f"name.{language}", "must be a non-empty string")
        if len(name[language]) > _MAX_NAME:
            raise _Bad(f"name.{language}", f"longer than {_MAX_NAME} characters")
    rule = _rule(kind, obj["params"])
    target = _target(obj.get("target", {}))
    if kind in LINE_LOCAL_KINDS + POOLED_KINDS and kind != "percent_off" and target.everything:
        raise _Bad("target", f"{kind} needs skus or categories (only percent_off may cover "
                             "every line)")
    stackable = _bool(obj, "stackable")
    exclusive = _bool(obj, "exclusive")
    if stackable and exclusive:
        raise _Bad("exclusive", "a promotion cannot be both stackable and exclusive")
    coupon = obj.get("coupon")
    if coupon is not None and (not isinstance(coupon, str) or not coupon.strip()
                               or len(coupon) > 64):
        raise _Bad("coupon", "must be a non-empty string of at most 64 characters")
    priority = obj.get("priority", 0)
    if not _is_int(priority) or not -1000 <= priority <= 1000:
        raise _Bad("priority", "must be an integer from -1000 to 1000")
    return Promotion(
        id=promotion_id, kind=kind, name_zh=name["zh"].strip(), name_en=name["en"].strip(),
        rule=rule, target=target, validity=_validity(obj.get("validity", {})),
        stores=_strings(obj.get("stores", []), "stores"),
        member_only=_bool(obj, "member_only"), tiers=_strings(obj.get("tiers", []), "tiers"),
        coupon=coupon, priority=priority, stackable=stackable, exclusive=exclusive)


def _rule(kind: str, raw: object) -> Rule:
    if kind == "member_price":
        params = _object(raw, "params", required={"tier_prices"}, allowed={"tier_prices"})
        prices = params["tier_prices"]
        if not isinstance(prices, dict) or not prices:
            raise _Bad("params.tier_prices", "must be a non-empty object of tier → price")
        tier_prices = {}
        for tier, price in prices.items():
            if not tier.strip() or len(tier) > _MAX_STRING:
                raise _Bad("params.tier_prices", f"a tier name must be 1 to {_MAX_STRING}"
                                                 " characters")
            tier_prices[tier] = _amount(price, f"params.tier_prices.{tier}")
        return MemberPrice(tier_prices)
    if kind == "percent_off":
        params = _object(raw, "params", required={"percent_bp"}, allowed={"percent_bp"})
        return PercentOff(_percent(params, "percent_bp"))
    if kind == "amount_off":
        params = _object(raw, "params", required={"amount"}, allowed={"amount"})
        return AmountOff(_amount(params["amount"], "params.amount", positive=True))
    if kind == "fixed_price":
        params = _object(raw, "params", required={"price"}, allowed={"price"})
        return FixedPrice(_amount(params["price"], "params.price"))
    if kind in POOLED_KINDS:
        deal = _deal(raw)
        return MultiBuy(deal) if kind == "multi_buy" else MixMatch(deal)
    return _threshold(raw)


def _deal(raw: object) -> Deal:
    mode = raw.get("mode") if isinstance(raw, dict) else None
    if mode == "buy_get":
        params = _object(raw, "params", required={"mode", "buy", "get"},
                         allowed={"mode", "buy", "get"})
        return Deal("buy_get", buy=_count(params, "buy"), get=_count(params, "get"))
    if mode == "bundle_price":
        params = _object(raw, "params", required={"mode", "qty", "price"},
                         allowed={"mode", "qty", "price"})
        return Deal("bundle_price", qty=_count(params, "qty", least=2),
                    price=_amount(params["price"], "params.price"))
    if mode == "percent":
        params = _object(raw, "params", required={"mode", "qty", "percent_bp"},
                         allowed={"mode", "qty", "percent_bp"})
        return Deal("percent", qty=_count(params, "qty"),
                    percent_bp=_percent(params, "percent_bp"))
    raise _Bad("params.mode", f"must be buy_get, bundle_price or percent; got {mode!r}")


def _threshold(raw: object) -> BasketThreshold:
    params = _object(raw, "params", required={"threshold"},
                     allowed={"threshold", "off", "percent_bp", "repeatable", "cap"})
    threshold = _amount(params["threshold"], "params.threshold")
    cap = _amount(params["cap"], "params.cap", positive=True) if "cap" in params else None
    if ("off" in params) == ("percent_bp" in params):
        raise _Bad("params", "give exactly one of off or percent_bp")
    if "percent_bp" in params:
        if "repeatable" in params:
            raise _Bad("params.repeatable", "only for off (每满减), not percent_bp")
        return BasketThreshold(threshold, percent_bp=_percent(params, "percent_bp"), cap=cap)
    off = _amount(params["off"], "params.off", positive=True)
    repeatable = _bool(params, "repeatable", "params.")
    if repeatable and threshold == 0:
        raise _Bad("params.repeatable", "a repeatable threshold must be above 0.00")
    return BasketThreshold(threshold, off=off, repeatable=repeatable, cap=cap)


def _target(raw: object) -> Target:
    target = _object(raw, "target", required=set(),
                     allowed={"skus", "categories", "exclude_skus"})
    return Target(*(_strings(target.get(key, []), f"target.{key}")
                    for key in ("skus", "categories", "exclude_skus")))


def _validity(raw: object) -> Validity:
    window = _object(raw, "validity", required=set(),
                     allowed={"from", "to", "weekdays", "hours"})
    start = _date(window.get("from"), "validity.from")
    end = _date(window.get("to"), "validity.to")
    if start is not None and end is not None and end < start:
        raise _Bad("validity.to", "is before validity.from")
    weekdays = window.get("weekdays", [])
    if not isinstance(weekdays, list) or not all(_is_int(d) and 1 <= d <= 7 for d in weekdays):
        raise _Bad("validity.weekdays", "must be a list of ISO weekdays 1 (Monday) to 7 (Sunday)")
    hours = window.get("hours", [])
    if not isinstance(hours, list):
        raise _Bad("validity.hours", 'must be a list of ["HH:MM", "HH:MM"] pairs')
    spans = []
    for number, span in enumerate(hours):
        field = f"validity.hours[{number}]"
        if not (isinstance(span, list) and len(span) == 2):
            raise _Bad(field, 'must be a pair ["HH:MM", "HH:MM"]')
        start_minute, end_minute = (_minutes(value, field) for value in span)
        if start_minute == end_minute:
            raise _Bad(field, "an empty window (from equals to)")
        spans.append((start_minute, end_minute))
    return Validity(start, end, frozenset(weekdays), tuple(spans))


def _object(raw: object, field: str, required: set[str], allowed: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Bad(field, "must be a JSON object")
    prefix = "" if field == "(promotion)" else f"{field}."
    for key in sorted(raw):
        if key not in allowed:
            raise _Bad(f"{prefix}{key}", "unknown key")
    for key in sorted(required):
        if key not in raw:
            raise _Bad(f"{prefix}{key}", "missing")
    return raw


def _amount(raw: object, field: str, positive: bool = False) -> int:
    try:
        value = parse_amount(raw)
    except MoneyError as error:
        raise _Bad(field, f'{error} (amounts are strings in yuan, e.g. "9.90")') from None
    if positive and value == 0:
        raise _Bad(field, "must be above 0.00")
    return value


def _percent(params: Mapping[str, object], key: str) -> int:
    value = params[key]
    if not _is_int(value) or not 1 <= value <= BASIS_POINTS:
        raise _Bad(f"params.{key}", "must be an integer of basis points from 1 to 10000 "
                                    "(8.5折 = 15 % off = 1500)")
    return value


def _count(params: Mapping[str, object], key: str, least: int = 1) -> int:
    value = params[key]
    if not _is_int(value) or not least <= value <= _MAX_COUNT:
        raise _Bad(f"params.{key}", f"must be an integer from {least} to {_MAX_COUNT}")
    return value


def _bool(obj: Mapping[str, object], key: str, prefix: str = "") -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise _Bad(f"{prefix}{key}", "must be true or false")
    return value


def _strings(raw: object, field: str) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(s, str) and s.strip()
                                            and len(s) <= _MAX_STRING for s in raw):
        raise _Bad(field, f"must be a list of non-empty strings of at most {_MAX_STRING}"
                          " characters")
    return frozenset(raw)


def _date(raw: object, field: str) -> date | None:
    if raw is None:
        return None
    try:
        if not isinstance(raw, str) or len(raw) != 10:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise _Bad(field, f"must be a date YYYY-MM-DD; got {raw!r}") from None


def _minutes(raw: object, field: str) -> int:
    match = _HHMM.match(raw) if isinstance(raw, str) else None
    if not match:
        raise _Bad(field, f"must be a time HH:MM (00:00 to 24:00); got {raw!r}")
    return 24 * 60 if raw == "24:00" else int(match.group(1)) * 60 + int(match.group(2))


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)

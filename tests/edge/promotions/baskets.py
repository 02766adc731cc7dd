"""Builders the promotion tests share: lines from yuan strings, promotions as the JSON objects a
file would hold (so every table case also goes through the strict loader), and one call to price."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from edge.ledger.money import line_amount, parse_amount, parse_quantity
from edge.promotions.engine import PromotionResult, PromotionsEngine
from edge.promotions.promotion_file import load_promotions
from edge.sale.pricing import PricedLine, PricingContext

FRIDAY_1030 = datetime(2026, 11, 20, 10, 30)   # ISO weekday 5


def line(no: int, sku: str, price: str, qty: str = "1", category: str = "grocery",
         unit: str = "each") -> PricedLine:
    unit_price = parse_amount(price)
    qty_milli = parse_quantity(qty)
    return PricedLine(no, sku, category, unit, qty_milli, unit_price,
                      line_amount(unit_price, qty_milli))


def promo(promotion_id: str, kind: str, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": promotion_id, "type": kind,
            "name": {"zh": f"促销{promotion_id}", "en": f"Promotion {promotion_id}"},
            "params": params, **extra}


def engine(promotions: Iterable[dict[str, Any]], language: str = "zh_CN") -> PromotionsEngine:
    return PromotionsEngine(load_promotions(json.dumps(list(promotions))),
                            language=language)  # type: ignore[arg-type]


def price(promotions: Iterable[dict[str, Any]], lines: list[PricedLine],
          now: datetime = FRIDAY_1030, store: str = "S1", tier: str | None = None,
          coupons: Iterable[str] = ()) -> PromotionResult:
    context = PricingContext(now=now, store_id=store, member_tier=tier,
                             coupons=frozenset(coupons))
    return engine(promotions).evaluate(lines, context)


def by_line(result: PromotionResult) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for discount in result.discounts:
        out.setdefault(discount.line_no, {})[discount.promotion_id] = discount.amount
    return out

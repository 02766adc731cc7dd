"""The promotions engine: promotions as data (JSON), resolved into per-line discounts.

Rule: see `edge.promotions.engine` for how competing promotions are resolved; money is fen.
"""

from edge.promotions.engine import PromotionResult, PromotionsEngine
from edge.promotions.rules import Promotion

__all__ = ["Promotion", "PromotionResult", "PromotionsEngine"]

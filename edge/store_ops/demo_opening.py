"""What a demo store has on its first day besides its catalog and staff (edge/catalog/
demo_store.py, which sits below members, promotions and stock and so cannot write them): a few
members in each tier with points, a stored-value card with a balance, opening stock for every
product, so the demo sells from stock instead of going negative at once, and two promotions (a
line discount on drinks and a 满减 on the basket), so the demo shows what promotions look like.

Rule: everything goes through the ordinary calls (members registered and journaled, the opening
stock one supplier-receipt fact), and seeding twice changes nothing.
"""

from __future__ import annotations

import sqlite3

from edge.customers.members import apply_hq_points, identify, register_member
from edge.customers.stored_value import apply_hq_balance, issue_card
from edge.ops_error import OpsError
from edge.promotions.local_table import import_promotions
from edge.store_ops.stock import move

MANAGER = "3001"
OPENING_REFERENCE = "OPENING-DEMO"
# (card no, phone, QR token, name, tier, points)
DEMO_MEMBERS = (
    ("88000001", "13800138001", "MQR-DEMO-0001", "陈静 Chen Jing", "diamond", 5200),
    ("88000002", "13800138002", "MQR-DEMO-0002", "刘洋 Liu Yang", "gold", 1280),
    ("88000003", "13800138003", "MQR-DEMO-0003", "赵敏 Zhao Min", "silver", 150),
)
# (card no, owner's member card no, balance in fen as HQ holds it)
DEMO_CARDS = (("SV88000001", "88000002", 20000),)
# As `pos promo import` takes them (docs/promotions.md).
DEMO_PROMOTIONS = """[
 {"id": "DEMO-DRINKS-10", "type": "percent_off", "name": {"zh": "饮料九折", "en": "Drinks 10% off"},
  "target": {"categories": ["饮料 Drinks"]}, "params": {"percent_bp": 1000}},
 {"id": "DEMO-MJ-50-5", "type": "basket_threshold",
  "name": {"zh": "每满50减5", "en": "¥5 off every ¥50"},
  "params": {"threshold": "50.00", "off": "5.00", "repeatable": true, "cap": "50.00"}}
]"""
PIECES_ON_HAND = 24_000      # qty_milli: two dozen of everything sold by the piece
KG_ON_HAND = 30_000          # 30 kg of each weighed product


def seed_demo_opening(conn: sqlite3.Connection) -> None:
    """Members, a stored-value card and opening stock for the demo store (after its catalog)."""
    for card_no, phone, qr, name, tier, points in DEMO_MEMBERS:
        try:
            identify(conn, card_no)
        except OpsError:
            member = register_member(conn, MANAGER, tier, name, card_no=card_no, phone=phone,
                                     qr_token=qr)
            apply_hq_points(conn, member.id, points)
    for card_no, owner, balance in DEMO_CARDS:
        if not conn.execute("SELECT 1 FROM stored_value_card WHERE card_no = ?",
                            (card_no,)).fetchone():
            issue_card(conn, MANAGER, card_no, identify(conn, owner).id)
            apply_hq_balance(conn, card_no, balance, 0, None)
    if not conn.execute("SELECT 1 FROM local_promotion").fetchone():
        imported = import_promotions(conn, DEMO_PROMOTIONS, strict=True)
        assert imported.committed, imported.problems
    if conn.execute("SELECT 1 FROM stock_movement WHERE ref = ?",
                    (OPENING_REFERENCE,)).fetchone():
        return
    items = [(sku, KG_ON_HAND if unit == "kg" else PIECES_ON_HAND)
             for sku, unit in conn.execute("SELECT sku, unit FROM product WHERE active = 1"
                                           " ORDER BY sku")]
    if items:
        move(conn, MANAGER, "receipt", items, OPENING_REFERENCE)

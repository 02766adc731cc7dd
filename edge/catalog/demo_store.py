"""A realistic demo store: a few hundred products with valid GTINs (Chinese 690–699 prefixes),
weighed produce with PLUs for the label scale, three tax classes, a cashier, a supervisor and a
manager. Deterministic: the same seed gives the same store.
"""

from __future__ import annotations

import random
import sqlite3

from edge.catalog.barcodes import gs1_check_digit
from edge.catalog.search import refresh_index
from edge.ledger.store import write_transaction
from edge.staff import add_staff

DEMO_STAFF = (("1001", "王芳 Wang Fang", "cashier", "1234"),
              ("2001", "李强 Li Qiang", "supervisor", "5678"),
              ("3001", "张伟 Zhang Wei", "manager", "9999"))

# (category, tax class, [(zh, en, price in fen)])
_PACKAGED = [
    ("饮料 Drinks", "standard", [("农夫山泉 550ml", "Nongfu Spring 550ml", 200),
                                 ("可口可乐 330ml", "Coca-Cola 330ml", 350),
                                 ("康师傅冰红茶 500ml", "Master Kong Iced Tea 500ml", 300),
                                 ("王老吉 310ml", "Wanglaoji Herbal Tea 310ml", 450),
                                 ("元气森林 480ml", "Genki Forest 480ml", 550)]),
    ("乳品 Dairy", "reduced", [("伊利纯牛奶 250ml", "Yili Pure Milk 250ml", 350),
                               ("蒙牛酸奶 200g", "Mengniu Yogurt 200g", 480),
                               ("光明鲜牛奶 950ml", "Bright Fresh Milk 950ml", 1590)]),
    ("粮油 Grain & oil", "reduced", [("金龙鱼大米 5kg", "Arawana Rice 5kg", 3990),
                                     ("鲁花花生油 1.8L", "Luhua Peanut Oil 1.8L", 5990),
                                     ("五得利面粉 2.5kg", "Wudeli Flour 2.5kg", 1690)]),
    ("零食 Snacks", "standard", [("乐事薯片 70g", "Lay's Chips 70g", 790),
                                 ("旺旺雪饼 150g", "Want Want Rice Crackers 150g", 890),
                                 ("德芙巧克力 43g", "Dove Chocolate 43g", 690),
                                 ("奥利奥 116g", "Oreo 116g", 750)]),
    ("日化 Household", "standard", [("维达抽纸 3包", "Vinda Tissues 3-pack", 1290),
                                    ("立白洗衣液 2kg", "Liby Laundry Liquid 2kg", 2990),
                                    ("高露洁牙膏 120g", "Colgate Toothpaste 120g", 1190)]),
    ("酒类 Alcohol", "standard", [("青岛啤酒 500ml", "Tsingtao Beer 500ml", 600),
                                  ("雪花啤酒 500ml", "Snow Beer 500ml", 450),
                                  ("红星二锅头 500ml", "Red Star Erguotou 500ml", 2500)]),
    ("烟草 Tobacco", "standard", [("中华香烟", "Zhonghua Cigarettes", 4500)]),
]

_PRODUCE = [("红富士苹果", "Fuji Apples", 1280), ("香蕉", "Bananas", 698),
            ("西红柿", "Tomatoes", 598), ("黄瓜", "Cucumbers", 498), ("土豆", "Potatoes", 298),
            ("大白菜", "Chinese Cabbage", 198), ("猪五花肉", "Pork Belly", 2990),
            ("鸡蛋", "Eggs (loose)", 1180), ("草鱼", "Grass Carp", 1690), ("橙子", "Oranges", 998)]

_ITEMS_PER_ROUND = sum(len(items) for _, _, items in _PACKAGED)
_SIZES = ["", " 家庭装 Family", " 小包装 Mini", " 促销装 Promo", " 礼盒 Gift box"]


def make_gtin13(prefix: str, number: int) -> str:
    body = f"{prefix}{number:0{12 - len(prefix)}d}"
    return body + str(gs1_check_digit(body))


def seed_demo_store(conn: sqlite3.Connection, products: int = 300, seed: int = 7) -> None:
    rng = random.Random(seed)
    rows: list[tuple[str, str | None, str, str, str, int, str, str, int, int]] = []
    gtins: list[tuple[str, str]] = []
    n = 0
    while len(rows) < products - len(_PRODUCE):
        for category, tax_class, items in _PACKAGED:
            for zh, en, price in items:
                round_no = n // _ITEMS_PER_ROUND
                size = _SIZES[round_no % len(_SIZES)]
                variant = round_no // len(_SIZES)
                suffix = f" #{variant}" if variant else ""
                n += 1
                sku = f"P{n:05d}"
                rows.append((sku, None, zh + size + suffix, en + size + suffix, "each",
                             price + rng.choice([0, 0, 10, 50, 100]) * (1 if size else 0),
                             tax_class, category, int(category.startswith(("酒", "烟"))), 1))
                gtins.append((make_gtin13("69" + str(rng.randint(0, 9)), n * 37 + 1000), sku))
                if len(rows) >= products - len(_PRODUCE):
                    break
            if len(rows) >= products - len(_PRODUCE):
                break
    for i, (zh, en, price) in enumerate(_PRODUCE, start=1):
        rows.append((f"F{i:04d}", str(i), zh, en, "kg", price, "reduced", "生鲜 Fresh", 0, 1))
    with write_transaction(conn):
        conn.executemany(
            "INSERT OR REPLACE INTO product (sku, plu, name_zh, name_en, unit, price, tax_class,"
            " category, age_restricted, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        # 无码商品: an item without a barcode, its price typed at the till (PLU 90)
        conn.execute("INSERT OR REPLACE INTO product (sku, plu, name_zh, name_en, unit, price,"
                     " tax_class, category, open_price) VALUES ('X0001', '90', '无码商品',"
                     " 'Unlisted item', 'each', 0, 'standard', '杂货 Sundries', 1)")
        conn.executemany("INSERT OR REPLACE INTO product_gtin (gtin, sku) VALUES (?, ?)",
                         [(g.zfill(14), sku) for g, sku in gtins])
        refresh_index(conn)
    for staff_id, name, role, pin in DEMO_STAFF:
        if not conn.execute("SELECT 1 FROM staff WHERE id = ?", (staff_id,)).fetchone():
            add_staff(conn, staff_id, name, role, pin)

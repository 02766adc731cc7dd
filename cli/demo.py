"""`pos demo`: the main job. Creates (once) a demo store under ./var/demo and runs the till on it
with simulated devices; where no display exists it runs the headless demo instead — a scripted
sale through the JSON-lines protocol, then the receipt text.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("demo", help="run the till on a demo store (headless without a "
                                              "display)")
    parser.add_argument("--dir", default="var/demo", help="where the demo store lives")
    parser.add_argument("--headless", action="store_true", help="the scripted headless sale even "
                                                                "when a display exists")
    parser.set_defaults(run=run_demo)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def demo_store(directory: Path) -> Path:
    from edge.catalog.demo_store import seed_demo_store
    from edge.config import DEFAULT_TOML
    from edge.ledger.store import open_store
    from edge.store_ops.demo_opening import seed_demo_opening

    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "store.db"
    if not (directory / "store.toml").exists():
        (directory / "store.toml").write_text(DEFAULT_TOML, "utf-8")
    if not db.exists():
        conn = open_store(db)
        seed_demo_store(conn)
        seed_demo_opening(conn)
    return db


def run_demo(args: argparse.Namespace) -> int:
    db = demo_store(Path(args.dir))
    if has_display() and not args.headless:
        try:
            from ui.demo.demo_app import run_demo_app
        except ImportError:
            pass
        else:
            return run_demo_app(db)
    return run_headless_demo(db)


def scripted_requests(db: Path) -> list[dict[str, object]]:
    """A realistic basket: packaged goods by barcode, a repeat scan, produce from the label scale
    (18-digit price+weight code), loose produce weighed at the till, a card and a cash tender."""
    from edge.catalog.barcodes import gs1_check_digit
    from edge.ledger.store import connect

    conn = connect(db)
    gtins = [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku)"
        " WHERE p.age_restricted = 0 ORDER BY p.sku LIMIT 3")]
    apple_price = conn.execute("SELECT price FROM product WHERE plu = '1'").fetchone()[0]
    conn.close()
    weight = 1234
    body = f"2200001{apple_price * weight // 1000:05d}{weight:05d}"
    scale_code = body + str(gs1_check_digit(body))
    return [
        {"op": "login", "staff": "1001", "pin": "1234"},
        {"op": "scan", "data": f"]E0{gtins[0]}"},
        {"op": "scan", "data": gtins[1]},
        {"op": "scan", "data": gtins[1]},
        {"op": "scan", "data": gtins[2]},
        {"op": "scan", "data": scale_code},
        {"op": "add", "plu": "2", "qty": "0.856"},
        {"op": "tender", "type": "card", "amount": "20.00", "approval_code": "A1B2C3",
         "masked_pan": "622202******1234"},
        {"op": "state"},
        {"op": "tender", "type": "cash", "amount": "50.00"},
    ]


def run_headless_demo(db: Path) -> int:
    from edge.config import load_config
    from edge.ledger.store import open_store
    from edge.till.session import Till
    from ui.headless.protocol import TillProtocol

    protocol = TillProtocol(Till(open_store(db), load_config(db.with_name("store.toml"))))
    print(f"Headless demo on {db} (no display): each request and the till's answer\n")
    answer: dict[str, object] = {}
    for request in scripted_requests(db):
        answer = json.loads(protocol.handle_line(json.dumps(request)))
        print("→", json.dumps(request, ensure_ascii=False))
        sale = answer.get("sale") or {}
        assert isinstance(sale, dict)
        summary = {k: sale.get(k) for k in ("status", "total", "paid", "due", "change")}
        print("←", json.dumps({"ok": answer["ok"], **summary, **(
            {"error": answer["error"]} if not answer["ok"] else {})}, ensure_ascii=False))
    print("\nReceipt (32 columns):\n")
    print(answer.get("receipt", "(no receipt: the sale did not complete)"))
    return 0 if answer.get("ok") and "receipt" in answer else 1

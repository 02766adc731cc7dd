"""The stock, loss-prevention and money pages in process (ASGI): every figure from facts ingested
the way the stores send them, worked out by hand here; what a manager may see of them in HTML,
JSON and the exports; the replenishment parameters' form (CSRF, roles, audit)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from cloud_sync.agent import batch_bytes
from edge.ledger.outbox import canonical_json
from hq.validation import validate_batch
from tests.hq.console import test_console as base
from tests.hq.console.seed import HqData
from tests.hq.console.test_console import NOW, csrf_of

app = base.app              # the fixtures of test_console.py
clients = base.clients


def _sell_a_month(data: HqData) -> None:
    """SKU A over the 28 days before NOW (a Friday): 1 a day, 5 on Saturdays: 24 + 20 = 44."""
    for back in range(1, 29):
        day = NOW - timedelta(days=back)
        data.sale_of("S001", "T01", day.replace(hour=10), [("A", 5 if day.weekday() == 5 else 1)])


def _row(page: dict[str, Any], sku: str) -> dict[str, Any]:
    return next(r for r in page["rows"] if r["sku"] == sku)


def test_stock_page_shows_on_hand_last_count_and_the_suggestion_with_its_inputs(
        data: HqData, clients: dict[str, TestClient]) -> None:
    data.fact("S001", "T01", "stock.receipt", {"items": [{"sku": "A", "qty_milli": 50_000},
                                                         {"sku": "B", "qty_milli": 3_000}],
                                               "reference": "PO-1", "reason": "", "staff_id": "c01"},
              NOW - timedelta(days=30))
    _sell_a_month(data)
    data.fact("S001", "T01", "stock.count_approved", {
        "count_id": "CNT-1", "approved_by": "m01", "uncounted": "leave",
        "items": [{"sku": "A", "expected": 6_000, "counted": 5_000, "variance": -1_000},
                  {"sku": "B", "expected": 3_000, "counted": 3_000, "variance": 0}]},
        NOW - timedelta(hours=2))
    boss = clients["boss"]
    page = boss.get("/stock.json?store=S001").json()
    a, b = _row(page, "A"), _row(page, "B")
    assert page["window"] == 28 and page["from"] == "2026-11-06" and page["to"] == "2026-12-03"
    # Weekday factors: Saturday's average 5 against 44/28 a day; every other day 1.
    assert page["factors"][5] == round(5 / (44 / 28), 3)
    assert page["factors"][0] == round(1 / (44 / 28), 3)
    assert a["on_hand_milli"] == 50_000 - 44_000 - 1_000 and a["sold_milli"] == 44_000
    assert (a["counted_milli"], a["variance_milli"]) == (5_000, -1_000)
    assert (b["counted_milli"], b["variance_milli"]) == (3_000, 0)
    assert page["count"]["count_id"] == "CNT-1" and page["count"]["variance_milli"] == -1_000
    # Cover from today (Fri) for lead 2 + review 7 days: Fri Sat Sun … Fri Sat: 2 Saturdays.
    assert (a["lead_days"], a["review_days"], a["safety_milli"]) == (2, 7, 0)
    assert a["demand_milli"] == 2 * 5_000 + 7 * 1_000
    assert a["suggest_milli"] == 17_000 - 5_000
    # Reorder point: the lead time's demand (Fri 1 + Sat 5) + safety; 5 on hand is below it.
    assert a["reorder_point_milli"] == 6_000 and a["low"] and page["low_count"] == 1
    assert not b["low"] and b["suggest_milli"] == 0        # nothing sold: nothing to order
    # An HQ transfer into the store not received yet is on order.
    data.conn.execute("INSERT INTO hq_transfer (transfer_id, from_store, to_store, lines, note,"
                      " created_by) VALUES ('TR-1', 'S002', 'S001', %s, '', 'boss')",
                      (json.dumps([{"sku": "A", "qty_milli": 4_000}]),))
    html = boss.get("/stock?store=S001")
    assert html.status_code == 200 and "CNT-1" in html.text
    form = {"csrf": csrf_of(html.text), "store": "S001", "sku": "A", "lead_days": "3",
            "review_days": "7", "safety": "2"}
    assert boss.post("/stock/params", data=form).status_code == 303
    a = _row(boss.get("/stock.json?store=S001").json(), "A")
    # 10 days from Friday hold 2 Saturdays: 10 + 8 = 18; + safety 2 − on hand 5 − on order 4.
    assert (a["lead_days"], a["on_order_milli"], a["own_params"]) == (3, 4_000, True)
    assert a["suggest_milli"] == 18_000 + 2_000 - 5_000 - 4_000
    audited = data.conn.execute("SELECT actor, target, detail FROM hq_audit"
                                " WHERE action = 'replenish.params'").fetchall()
    assert audited == [("boss", "S001/A", {"lead_days": 3, "review_days": 7,
                                           "safety_milli": 2_000, "before": None})]
    # The purchase order, as CSV and XLSX: the SKUs with something to order.
    text = boss.get("/stock/po.csv?store=S001").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["store", "sku", "order_qty"] and rows[1][:3] == ["S001", "A", "11.0"]
    assert len(rows) == 2
    book = load_workbook(io.BytesIO(boss.get("/stock/po.xlsx?store=S001").content))
    assert [c.value for c in book.active[2]][:3] == ["S001", "A", 11.0]
    # The sold-quantity rollup equals a scan of the completed sales' lines, a batch sent twice
    # included.
    data.sale("S001", "T09", NOW - timedelta(days=2), redeliver=True)
    assert data.conn.execute(
        "SELECT sum(qty_milli) FROM hq_rollup_sku_day WHERE store = 'S001'").fetchone() == \
        data.conn.execute("SELECT sum(l.qty_milli) FROM hq_sale_line l JOIN hq_sale s"
                          " USING (store, terminal, seq) WHERE s.status = 'completed'"
                          " AND s.store = 'S001'").fetchone()


def _till_fact(data: HqData, store: str, terminal: str, kind: str, payload: dict[str, Any],
               at: Any, times: int = 1) -> None:
    """A fact as the till sends it, its batch delivered `times` times (a redelivery)."""
    seq = data.seqs.get((store, terminal), 0) + 1
    data.seqs[(store, terminal)] = seq
    raw = batch_bytes(store, terminal, seq - 1, [
        (seq, str(uuid.uuid4()), kind, canonical_json(payload), at.isoformat())])
    for _ in range(times):
        accepted, refused, since = validate_batch(store, terminal, raw)
        assert not refused, refused
        data.storage.ingest(store, terminal, accepted, refused, since)


def test_loss_prevention_counts_the_tills_voids_price_overrides_and_no_sales(
        data: HqData, clients: dict[str, TestClient]) -> None:
    """line.voided (before / after the subtotal), price.overridden and drawer.no_sale, counted
    for their staff_id on their own day, once however often a batch arrives; rates per 100
    sales and outliers by the page's one rule."""
    day = NOW - timedelta(days=1)

    def void(store: str, staff: str, after: bool, sale_id: str | None = None,
             times: int = 1) -> None:
        _till_fact(data, store, "T" + staff, "line.voided", {
            "sale_id": sale_id or str(uuid.uuid4()), "line_no": 1, "sku": "A",
            "qty_milli": 1000, "total": 100, "staff_id": staff,
            "approved_by": "m01" if after else staff, "after_subtotal": after,
            "reason": "wrong item"}, day, times)

    def override(store: str, staff: str, times: int = 1) -> None:
        _till_fact(data, store, "T" + staff, "price.overridden", {
            "sale_id": str(uuid.uuid4()), "line_no": 1, "sku": "A", "original_price": 100,
            "price": 50, "staff_id": staff, "approved_by": "m01", "reason": "damaged"},
            day, times)

    def no_sale(store: str, staff: str, at: Any) -> None:
        _till_fact(data, store, "T" + staff, "drawer.no_sale", {
            "staff_id": staff, "approved_by": "m01", "reason": "change"}, at)

    # Facts of sales not at HQ yet (they come after their voids, or never: a lost basket).
    void("S001", "c01", False)
    void("S001", "c02", False)
    for i in range(4):
        void("S001", "c02", True, times=2 if i == 0 else 1)        # one batch sent twice
    void("S002", "c03", False)
    for i in range(3):
        override("S001", "c02", times=3 if i == 1 else 1)
    no_sale("S002", "c03", day)
    no_sale("S002", "c03", day)
    no_sale("S001", "c01", NOW - timedelta(days=10))               # outside the 7 days
    for store, staff in (("S001", "c01"), ("S001", "c02"), ("S002", "c03"), ("S002", "c04")):
        for _ in range(10):
            sale = data.sale_of(store, "T" + staff, day, [("A", 1)], staff=staff)
    void("S002", "c04", True, sale_id=sale["sale_id"])            # a sale HQ holds
    page = clients["boss"].get("/loss.json").json()
    who = {c["staff"]: c for c in page["cashiers"]}
    counts = {s: tuple(who[s][f] for f in ("line_voids", "line_voids_after", "price_overrides",
                                            "no_sales")) for s in who}
    assert counts == {"c01": (1, 0, 0, 0), "c02": (1, 4, 3, 0), "c03": (1, 0, 0, 2),
                      "c04": (0, 1, 0, 0)}
    assert who["c02"]["rates"]["line_voids_after"] == 40.0
    assert who["c02"]["rates"]["price_overrides"] == 30.0
    # Voids before the subtotal: 10, 10, 10, 0 per 100 sales → median 10, flagged above 30.
    assert page["baseline"]["line_voids"] == {"median": 10.0, "overall": 7.5,
                                              "threshold": 30.0}
    # After the subtotal: 0, 40, 0, 10 → median 5, flagged above 15 (c04's 10: no).
    assert page["baseline"]["line_voids_after"] == {"median": 5.0, "overall": 12.5,
                                                    "threshold": 15.0}
    # The rarer ones: median 0, so the chain's overall rate (3 and 2 of 40 sales) is the
    # baseline.
    assert page["baseline"]["price_overrides"]["threshold"] == 22.5
    assert page["baseline"]["no_sales"]["threshold"] == 15.0
    assert set(who["c02"]["flagged"]) == {"line_voids_after", "price_overrides"}
    assert who["c03"]["flagged"] == ["no_sales"]
    assert who["c01"]["flagged"] == [] and who["c04"]["flagged"] == []   # c04: 1 event
    s001 = next(s for s in page["stores"] if s["store"] == "S001")
    assert (s001["line_voids"], s001["line_voids_after"], s001["price_overrides"]) == (2, 4, 3)
    # Over 92 days the older no-sale counts too.
    c01 = next(c for c in clients["boss"].get("/loss.json?days=92").json()["cashiers"]
               if c["staff"] == "c01")
    assert c01["no_sales"] == 1
    html = clients["boss"].get("/loss").text
    assert "改价" in html and "无交易开钱箱" in html and "小计后删除商品行" in html
    # The rollup equals a count of the facts HQ holds, the redelivered batches included.
    for figure, where in (("line_voids", "type = 'line.voided' AND NOT"
                           " (payload->>'after_subtotal')::boolean"),
                          ("line_voids_after", "type = 'line.voided' AND"
                           " (payload->>'after_subtotal')::boolean"),
                          ("price_overrides", "type = 'price.overridden'"),
                          ("no_sales", "type = 'drawer.no_sale'")):
        assert data.conn.execute(f"SELECT sum({figure}) FROM hq_rollup_cashier_day"
                                 ).fetchone() == data.conn.execute(
            f"SELECT count(*) FROM hq_event WHERE {where}").fetchone(), figure


def test_a_manager_sees_and_changes_only_their_stores_stock(
        data: HqData, clients: dict[str, TestClient]) -> None:
    data.fact("S002", "T01", "stock.receipt", {"items": [{"sku": "Z", "qty_milli": 9_000}],
                                               "reference": "", "reason": "", "staff_id": "c9"},
              NOW - timedelta(hours=1))
    data.fact("S001", "T01", "stock.receipt", {"items": [{"sku": "A", "qty_milli": 1_000}],
                                               "reference": "", "reason": "", "staff_id": "c1"},
              NOW - timedelta(hours=1))
    mgr = clients["mgr1"]
    own = mgr.get("/stock.json").json()
    assert own["store"] == "S001" and own["stores"] == ["S001"]
    assert [r["sku"] for r in own["rows"]] == ["A"]
    for path in ("/stock?store=S002", "/stock.json?store=S002", "/stock/po.csv?store=S002",
                 "/stock/po.xlsx?store=S002"):
        assert mgr.get(path).status_code == 403, path
    html = mgr.get("/stock?store=S001").text
    assert "Z" not in [r["sku"] for r in own["rows"]] and "S002" not in html
    form = {"csrf": csrf_of(html), "store": "S002", "sku": "Z", "lead_days": "1",
            "review_days": "1", "safety": "0"}
    assert mgr.post("/stock/params", data=form).status_code == 403
    assert mgr.post("/stock/params", data={**form, "store": "S001", "sku": "A"}).status_code == 303
    ana = clients["ana"]
    form = {**form, "csrf": csrf_of(ana.get("/stock?store=S001").text), "store": "S001"}
    assert ana.post("/stock/params", data=form).status_code == 403     # read only
    assert mgr.post("/stock/params", data={**form, "csrf": "forged"}).status_code == 403
    bad = {**form, "csrf": csrf_of(html), "store": "S001", "sku": "B", "lead_days": "-1"}
    assert mgr.post("/stock/params", data=bad).headers["location"].endswith("error=params")
    assert mgr.post("/stock/params", data={**bad, "lead_days": "2", "safety": "x"}
                    ).headers["location"].endswith("error=params")
    assert data.conn.execute("SELECT store, sku, updated_by FROM hq_replenish_param"
                             ).fetchall() == [("S001", "A", "mgr1")]
    anonymous = TestClient(clients["boss"].app, base_url="https://testserver")
    assert anonymous.get("/stock/po.csv?store=S001").status_code == 401


def test_loss_prevention_rates_against_sales_and_outliers_against_the_chain_median(
        data: HqData, clients: dict[str, TestClient]) -> None:
    day = NOW - timedelta(days=1)
    sold: dict[str, list[dict[str, Any]]] = {}
    for store, staff, n in (("S001", "c01", 10), ("S001", "c02", 10), ("S002", "c03", 10),
                            ("S002", "c04", 20)):
        for i in range(n):
            manual = [{"line_no": 1, "kind": "amount", "value": 10, "amount": 10, "by": staff,
                       "approved_by": "m01", "reason": "dent"}] if staff == "c02" and i < 2 else None
            sold.setdefault(staff, []).append(
                data.sale_of(store, "T" + staff, day, [("A", 1)], staff=staff, manual=manual))
    for staff, n in (("c02", 4), ("c03", 1)):
        for _ in range(n):
            data.sale_of("S001" if staff == "c02" else "S002", "T" + staff, day, [("A", 1)],
                         staff=staff, status="cancelled")
    for i in range(3):      # c02: three returns without a receipt
        data.fact("S001", "Tc02", "return.completed", {
            "return_id": f"R-b{i}", "kind": "blind", "original_sale_id": None,
            "store_id": "S001", "terminal_id": "Tc02", "staff_id": "c02", "approved_by": "m01",
            "reason": "", "total": 100, "tax": 0, "rounding": 0,
            "lines": [{"line_no": 1, "sale_line_no": None, "sku": "A", "qty_milli": 1000,
                       "amount": 100, "tax_rate_bp": 0, "tax": 0}],
            "tenders": [{"type": "cash", "amount": 100, "reference": None}]}, day)
    paid_wechat = sold["c01"][0]
    data.fact("S001", "Tc01", "return.completed", {   # c01 refunds a WeChat sale in cash
        "return_id": "R-1", "kind": "return", "original_sale_id": paid_wechat["sale_id"],
        "store_id": "S001", "terminal_id": "Tc01", "staff_id": "c01", "approved_by": None,
        "reason": "", "total": 100, "tax": 0, "rounding": 0,
        "lines": [{"line_no": 1, "sale_line_no": 1, "sku": "A", "qty_milli": 1000,
                   "amount": 100, "tax_rate_bp": 0, "tax": 0}],
        "tenders": [{"type": "cash", "amount": 100, "reference": None}]}, day)
    page = clients["boss"].get("/loss.json").json()
    who = {c["staff"]: c for c in page["cashiers"]}
    assert {k: who["c02"][k] for k in ("sales", "cancelled", "manual_discounts",
                                       "blind_returns", "manual_amount")} == {
        "sales": 10, "cancelled": 4, "manual_discounts": 2, "blind_returns": 3,
        "manual_amount": 20}
    assert (who["c01"]["returns"], who["c01"]["other_tender"]) == (1, 1)
    # Cancelled per 100 sales: 0, 40, 10, 0 → median 5, flagged above 15: c02 (40), not c03
    # (10, and only 1 event).
    assert page["baseline"]["cancelled"] == {"median": 5.0, "overall": 10.0, "threshold": 15.0}
    assert who["c02"]["rates"]["cancelled"] == 40.0
    # Blind returns: the median is 0, so the chain's overall rate (3 of 50 sales = 6) is the
    # baseline: 30 > 18.
    assert page["baseline"]["blind_returns"]["threshold"] == 18.0
    assert set(who["c02"]["flagged"]) == {"cancelled", "blind_returns", "manual_discounts"}
    assert who["c01"]["flagged"] == [] and who["c03"]["flagged"] == []
    assert page["cashiers"][0]["staff"] == "c02"          # the most flagged first
    # A manager: their store's cashiers, the chain's medians, never S002's rows.
    mgr = clients["mgr1"]
    theirs = mgr.get("/loss.json").json()
    assert {c["staff"] for c in theirs["cashiers"]} == {"c01", "c02"}
    assert [s["store"] for s in theirs["stores"]] == ["S001"]
    assert theirs["baseline"] == page["baseline"]
    assert mgr.get("/loss.json?store=S002").status_code == 403
    assert mgr.get("/loss?store=S002").status_code == 403
    html = clients["boss"].get("/loss").text
    assert "⚑" in html and "c02" in html
    # The cashier rollup equals a scan of the sales, a batch sent twice included.
    data.sale("S002", "T01", day, redeliver=True)
    assert data.conn.execute(
        "SELECT sum(sales), sum(cancelled), sum(net) FROM hq_rollup_cashier_day").fetchone() == \
        data.conn.execute("SELECT count(*) FILTER (WHERE status = 'completed'), count(*) FILTER"
                          " (WHERE status = 'cancelled'), sum(total) FILTER (WHERE status ="
                          " 'completed') FROM hq_sale").fetchone()


def test_money_page_links_topups_recon_and_invoices(
        data: HqData, clients: dict[str, TestClient]) -> None:
    data.fact("S001", "T01", "shift.z_report", {   # a Z that counts a top-up HQ never got
        "z_number": 7, "store_id": "S001", "from_seq": 0, "to_seq": 1,
        "cash": {"stored_value_topups": {"cash": 5_000}}}, NOW - timedelta(hours=1))
    for store, state in (("S001", "failed"), ("S002", "issued")):
        data.conn.execute(
            "INSERT INTO hq_invoice (order_no, kind, sale_id, store, terminal, state,"
            " buyer_title, amount, reason) VALUES (%s, 'blue', %s, %s, 'T01', %s, '某公司', 1234,"
            " %s)", (f"O-{store}", f"sale-{store}", store, state,
                     "buyer tax id refused" if state == "failed" else ""))
    boss = clients["boss"].get("/money.json?day=2026-12-03").json()
    assert boss["topups"] == [{"store": "S001", "terminal": "T01", "z_number": 7,
                               "tender": "cash", "z_amount": 5_000, "hq_amount": 0,
                               "difference": -5_000}]
    assert boss["recon"]["day"] == "2026-12-03" and boss["recon"]["clean"]
    assert boss["invoices"] == [{"store": "S001", "states": {"failed": {"count": 1,
                                                                        "amount": 1234}}},
                                {"store": "S002", "states": {"issued": {"count": 1,
                                                                        "amount": 1234}}}]
    assert [i["reason"] for i in boss["open_invoices"]] == ["buyer tax id refused"]
    mgr = clients["mgr1"].get("/money.json").json()
    assert mgr["recon"] is None                       # chain-wide: HQ roles only
    assert [i["store"] for i in mgr["invoices"]] == ["S001"]
    assert clients["mgr1"].get("/money.json?store=S002").status_code == 403
    assert "5000" not in clients["boss"].get("/money").text and "50.00" in \
        clients["boss"].get("/money").text


@pytest.mark.parametrize("path", ["/stock", "/loss", "/money"])
def test_new_pages_render_in_both_languages(clients: dict[str, TestClient], path: str) -> None:
    boss = clients["boss"]
    html = boss.get(path)
    assert html.status_code == 200
    for locale, word in (("en", {"/stock": "Stock and replenishment", "/loss": "Loss prevention",
                                 "/money": "Money"}[path]),
                         ("zh_CN", {"/stock": "库存与补货", "/loss": "防损",
                                    "/money": "资金对账"}[path])):
        boss.post("/locale", data={"csrf": csrf_of(html.text), "locale": locale, "next": path})
        assert word in boss.get(path).text


def test_loss_prevention_counts_open_prices_training_and_each_lanes_kiosk_alerts(
        data: HqData, clients: dict[str, TestClient]) -> None:
    """`open_price.sold` (lines and amount) and `training.sale` per cashier; `kiosk.alert` per
    lane and kind against the lane's own completed sales, flagged against the lanes' median;
    once however often a batch arrives; a manager sees only their store's lanes."""
    day = NOW - timedelta(days=1)
    for store, staff, terminal, n in (("S001", "c01", "Tc01", 10), ("S002", "c03", "Tc03", 10),
                                      ("S001", "k", "K01", 20), ("S001", "k", "K02", 20),
                                      ("S002", "k", "K03", 10)):
        for _ in range(n):
            sale = data.sale_of(store, terminal, day, [("A", 1)], staff=staff)
    _till_fact(data, "S001", "Tc01", "open_price.sold", {
        "sale_id": str(uuid.uuid4()), "staff_id": "c01", "lines": [
            {"line_no": 1, "sku": "X0001", "qty_milli": 1000, "unit_price": 500, "total": 500},
            {"line_no": 2, "sku": "X0001", "qty_milli": 2000, "unit_price": 150, "total": 300}]},
        day, times=2)
    for staff, store, n in (("c02", "S001", 3), ("c03", "S002", 2)):
        for _ in range(n):
            _till_fact(data, store, "T" + staff, "training.sale", {
                "staff_id": staff, "status": "completed", "lines": 3, "voided_lines": 1}, day)

    def alert(store: str, lane: str, kind: str, by: str | None = None, times: int = 1) -> None:
        raised = day.replace(hour=10)
        _till_fact(data, store, lane, "kiosk.alert", {
            "terminal_id": lane, "kind": kind, "raised_at": raised.isoformat(),
            "cleared_at": (raised + timedelta(minutes=2)).isoformat(),
            "cleared": "attendant" if by else "resolved", "cleared_by": by,
            "sale_id": sale["sale_id"] if lane == "K03" else None}, day, times)

    for i in range(7):
        alert("S001", "K01", "weight", "m01" if i < 2 else None, times=2 if i == 0 else 1)
    alert("S001", "K01", "age", "m01")
    alert("S001", "K02", "weight")
    alert("S001", "K02", "age", "m01")
    alert("S002", "K03", "weight")
    alert("S002", "K03", "age", "m02")
    alert("S002", "K03", "age", "m02")
    page = clients["boss"].get("/loss.json").json()
    who = {c["staff"]: c for c in page["cashiers"]}
    assert (who["c01"]["open_prices"], who["c01"]["open_price_amount"]) == (2, 800)
    assert who["c01"]["rates"]["open_prices"] == 20.0
    assert (who["c02"]["training_sales"], who["c03"]["training_sales"]) == (3, 2)
    assert who["c02"]["sales"] == 0 and who["c02"]["flagged"] == []   # a trainee trains
    lanes = {lane["terminal"]: lane for lane in page["lanes"]}
    assert set(lanes) == {"K01", "K02", "K03"}       # the tills raised no alert: no lanes
    k01, k03 = lanes["K01"], lanes["K03"]
    assert (k01["sales"], k01["weight"], k01["age"]) == (20, 7, 1)
    assert k01["attended"] == {"weight": 2, "age": 1}
    assert k01["avg_open_min"] == {"weight": 2.0, "age": 2.0}
    assert k01["rates"] == {"weight": 35.0, "age": 5.0}
    # Weight per 100 sales: 35, 5, 10 → median 10, flagged above 30; age: 5, 5, 20 → above 15.
    assert page["lane_baseline"]["weight"]["threshold"] == 30.0
    assert page["lane_baseline"]["age"]["threshold"] == 15.0
    assert k01["flagged"] == ["weight"] and k03["flagged"] == ["age"]
    assert lanes["K02"]["flagged"] == []
    html = clients["boss"].get("/loss").text
    assert "称重异常" in html and "培训模式交易" in html and "手输价格行" in html
    assert 'data-terminal="K01"' in html and "⚑" in html
    english = clients["boss"].get("/loss", headers={"Accept-Language": "en"}).text
    assert "Weight alerts" in english and "Training-mode sales" in english
    # A manager: their store's lanes only, in HTML and JSON.
    mgr = clients["mgr1"]
    theirs = mgr.get("/loss.json").json()
    assert {lane["terminal"] for lane in theirs["lanes"]} == {"K01", "K02"}
    assert theirs["lane_baseline"] == page["lane_baseline"]
    assert 'data-terminal="K03"' not in mgr.get("/loss").text
    assert mgr.get("/loss.json?store=S002").status_code == 403
    # The rollups equal a count of the facts and sales HQ holds, redelivered batches included.
    q = data.conn.execute
    assert q("SELECT sum(open_prices), sum(open_price_amount), sum(training_sales)"
             " FROM hq_rollup_cashier_day").fetchone() == (2, 800, 5)
    assert q("SELECT sum(open_prices) FROM hq_rollup_cashier_day").fetchone() == q(
        "SELECT sum(jsonb_array_length(payload->'lines')) FROM hq_event"
        " WHERE type = 'open_price.sold'").fetchone()
    assert q("SELECT sum(training_sales) FROM hq_rollup_cashier_day").fetchone() == q(
        "SELECT count(*) FROM hq_event WHERE type = 'training.sale'").fetchone()
    assert q("SELECT kind, sum(alerts) FROM hq_rollup_lane_alert_day GROUP BY 1 ORDER BY 1"
             ).fetchall() == q("SELECT payload->>'kind', count(*) FROM hq_event"
                               " WHERE type = 'kiosk.alert' GROUP BY 1 ORDER BY 1").fetchall()
    data.sale("S002", "K03", day, redeliver=True)
    assert q("SELECT store, terminal, sum(sales), sum(net) FROM hq_rollup_terminal_day"
             " GROUP BY 1, 2 ORDER BY 1, 2").fetchall() == q(
        "SELECT store, terminal, count(*), sum(total) FROM hq_sale WHERE status = 'completed'"
        " GROUP BY 1, 2 ORDER BY 1, 2").fetchall()

"""HQ reconciliation (对账) against real PostgreSQL: sales with payment-code and card tenders, refunds
(`payment.refunded`) and a card return reach HQ through ingest; generated settlement files in both
providers' formats (WeChat: backticks and summary rows; Alipay: a zip of GBK CSV) and the card
acquirer's CSV are imported with `pos recon import` and fetched over HTTP from the simulator with
`pos recon fetch`; `pos recon report` gives the expected report: matched, a one-sided payment,
a refund missing at the provider, an amount mismatch, a payment reversed after the charge, fees.
Bad files (a zip cut short, the wrong encoding, a garbage amount) are refused as FILE:LINE:
reason and nothing of them is imported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cli.main import main
from cloud_sync.agent import batch_bytes
from edge.ledger.outbox import canonical_json
from hq.recon.report import reconcile_day
from hq.storage import open_storage
from hq.storage.interface import HqStorage
from hq.validation import validate_batch
from providers.bill_files import BillRow, alipay_trade_bill, wechat_trade_bill
from providers.settlement import ACQUIRER_HEADER
from tests.edge.payments.harness import configure, simulator

DAY = date(2026, 3, 5)
AT = "2026-03-05T02:00:00.000+00:00"          # 10:00 in Beijing
P = "PS001T01000000000"                        # + one digit: the tills' out_trade_no
R = "RS001T01000000000"


class Till:
    def __init__(self, storage: HqStorage, store: str = "S001", terminal: str = "T01") -> None:
        self.storage, self.store, self.terminal, self.seq = storage, store, terminal, 0

    def send(self, event_type: str, body: dict[str, Any]) -> str | None:
        self.seq += 1
        row = (self.seq, f"{self.store}-{self.terminal}-{self.seq}", event_type,
               canonical_json(body), AT)
        accepted, refused, since = validate_batch(
            self.store, self.terminal, batch_bytes(self.store, self.terminal, 0, [row]))
        ack = self.storage.ingest(self.store, self.terminal, accepted, refused, since).ack
        return {r.seq: r.reason for r in ack.rejected}.get(self.seq)

    def sale(self, sale_id: str, amount: int, tender: str, reference: str) -> None:
        card = {"approval_code": "123456", "masked_pan": "622202******1234"} \
            if tender == "card" else {}
        line = {"line_no": 1, "sku": "SKU1", "name": "货", "unit": "each", "qty_milli": 1000,
                "unit_price": amount, "gross": amount, "discount": 0, "total": amount,
                "tax_class": "std", "tax_rate_bp": 0, "tax": 0}
        assert self.send("sale.completed", {
            "sale_id": sale_id, "store_id": self.store, "terminal_id": self.terminal,
            "receipt_no": self.seq + 1, "staff_id": "c01", "opened_at": AT, "closed_at": AT,
            "currency": "CNY", "subtotal": amount, "discount": 0, "tax": 0, "total": amount,
            "rounding": 0, "paid": amount, "change": 0, "lines": [line],
            "tenders": [{"tender_no": 1, "type": tender, "amount": amount,
                         "reference": reference, **card}]}) is None

    def refunded(self, out_refund_no: str, out_trade_no: str, amount: int,
                 provider: str = "wechat") -> str | None:
        return self.send("payment.refunded", {
            "out_refund_no": out_refund_no, "out_trade_no": out_trade_no, "provider": provider,
            "amount": amount, "return_id": f"ret-{out_refund_no}", "sale_id": "sale-1",
            "store_id": self.store, "terminal_id": self.terminal, "refund_id": "5000001",
            "refunded_at": AT})

    def card_return(self, reference: str, amount: int) -> None:
        assert self.send("return.completed", {
            "return_id": f"ret-{reference}", "kind": "return", "original_sale_id": "sale-4",
            "store_id": self.store, "terminal_id": self.terminal, "staff_id": "c01",
            "approved_by": None, "reason": "", "total": amount, "tax": 0, "rounding": 0,
            "lines": [{"line_no": 1, "sale_line_no": 1, "sku": "SKU1", "qty_milli": 1000,
                       "amount": amount, "tax_rate_bp": 0, "tax": 0}],
            "tenders": [{"type": "card", "amount": amount, "reference": reference}]}) is None


@pytest.fixture
def storage(pg_url: str) -> Iterator[HqStorage]:
    s = open_storage(pg_url)
    yield s
    s.close()


def hq_day(storage: HqStorage) -> None:
    """What the stores told HQ about 2026-03-05."""
    till = Till(storage)
    till.sale("sale-1", 1250, "mobile", P + "1")            # WeChat, refunded twice
    till.sale("sale-2", 800, "mobile", P + "2")             # Alipay: the file says 8.10
    till.sale("sale-3", 500, "mobile", P + "3")             # Alipay, matched
    till.sale("sale-4", 3000, "card", "REF0001")            # card, partly returned
    till.sale("sale-5", 2000, "card", "REF0002")            # card, matched
    till.sale("sale-6", 900, "mobile", "EXT-TYPED-IN")      # typed in: no provider's trade
    assert till.refunded(R + "1", P + "1", 250) is None
    assert till.refunded(R + "2", P + "1", 100) is None     # not in the provider's file
    till.card_return("REF0001", 1000)


def wechat_file() -> bytes:
    return wechat_trade_bill([
        BillRow("payment", P + "1", 1250, Decimal("0.07500"), "2026-03-05 10:00:00"),
        BillRow("refund", P + "1", 250, Decimal("0.01500"), "2026-03-05 11:00:00", R + "1"),
        BillRow("payment", P + "9", 666, Decimal("0.03996"), "2026-03-05 12:00:00")])  # 单边账


def alipay_file() -> bytes:
    return alipay_trade_bill([
        BillRow("payment", P + "2", 810, Decimal("0.05"), "2026-03-05 10:00:00"),
        BillRow("payment", P + "3", 500, Decimal("0.03"), "2026-03-05 10:05:00"),
        BillRow("payment", P + "5", 700, Decimal("0.04"), "2026-03-05 10:10:00"),
        BillRow("refund", P + "5", 700, Decimal("0.04"), "2026-03-05 10:11:00")], DAY)


def acquirer_file() -> bytes:
    rows = [ACQUIRER_HEADER,
            "2026-03-05,898310000000001,T01,2026-03-05 10:00:00,SALE,REF0001,,123456,"
            "622202******1234,30.00,0.1500",
            "2026-03-05,898310000000001,T01,2026-03-05 10:30:00,REFUND,RFD0001,REF0001,,"
            "622202******1234,10.00,-0.0500",
            "2026-03-05,898310000000001,T01,2026-03-05 11:00:00,SALE,REF0002,,654321,"
            "622202******9876,20.00,0.1000",
            "2026-03-05,898310000000001,T02,2026-03-05 12:00:00,SALE,REF0099,,111111,"
            "622202******5555,45.00,0.2250"]
    return ("\n".join(rows) + "\n").encode()


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def check_report(storage: HqStorage) -> None:
    report = reconcile_day(storage, DAY)
    assert sorted((e.cls, e.kind, e.key) for e in report.matched) == [
        ("card", "payment", "REF0001"), ("card", "payment", "REF0002"),
        ("card", "refund", "REF0001"), ("mobile", "payment", P + "1"),
        ("mobile", "payment", P + "3"), ("mobile", "refund", R + "1")]
    assert [(e.cls, e.kind, e.key, e.file_amount, e.source) for e in report.one_sided] == [
        ("mobile", "payment", P + "9", 666, "wechat"), ("card", "payment", "REF0099", 4500,
                                                         "acquirer")]
    assert [(e.kind, e.key, e.hq_amount, e.where) for e in report.missing_at_provider] == [
        ("refund", R + "2", 100, "S001/T01")]
    assert [(e.key, e.hq_amount, e.file_amount) for e in report.mismatched] == [
        (P + "2", 800, 810)]
    assert sorted((e.kind, e.file_amount) for e in report.reversed_after_charge) == [
        ("payment", 700), ("refund", 700)]
    t = report.totals
    assert (t["wechat"].payments, t["wechat"].refunds, t["wechat"].fees) == (
        1916, 250, Decimal("0.09996"))
    assert (t["alipay"].payments, t["alipay"].fees) == (2010, Decimal("0.08"))
    assert t["acquirer"].fees == Decimal("0.4250")
    assert t["acquirer"].net == Decimal("85.00") - Decimal("0.4250")
    assert report.no_file == [] and not report.clean


def test_the_report_of_a_day_with_every_kind_of_difference(
        storage: HqStorage, pg_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    hq_day(storage)
    assert main(["recon", "report", "--date", str(DAY), "--db", pg_url]) == 1
    assert "ALERT no wechat/alipay file imported" in capsys.readouterr().out
    for name, data in (("wechat.csv", wechat_file()), ("alipay.csv.zip", alipay_file()),
                       ("acquirer.csv", acquirer_file())):
        assert main(["recon", "import", write(tmp_path, name, data), "--date", str(DAY),
                     "--db", pg_url]) == 0
    check_report(storage)
    assert main(["recon", "report", "--date", str(DAY), "--db", pg_url]) == 1
    out = capsys.readouterr().out
    assert f"ALERT one-sided mobile payment {P}9 6.66 (wechat line 4)" in out
    assert "if no sale took it, refund the customer there" in out
    assert f"missing at the provider: mobile refund {R}2 1.00 (S001/T01)" in out
    assert f"ALERT amount mismatch: mobile payment {P}2 HQ 8.00, file 8.10" in out
    assert f"charged then reversed: payment {P}5 7.00" in out
    assert "6 matched, 2 one-sided, 1 missing at the provider, 1 mismatched" in out
    # importing a day again replaces that source's file whole, never adds to it
    assert main(["recon", "import", write(tmp_path, "again.csv", wechat_file()), "--date",
                 str(DAY), "--db", pg_url]) == 0
    check_report(storage)


def truncated_zip() -> bytes:
    return alipay_file()[:-60]


def gbk_wechat() -> bytes:
    return wechat_file().decode("utf-8").encode("gbk")


def garbage_acquirer() -> bytes:
    return acquirer_file().replace(b",20.00,", b",2O.00,")


@pytest.mark.parametrize("name,data,source,problem", [
    ("cut.csv.zip", truncated_zip, "alipay", "cut.csv.zip: not a readable zip"),
    ("gbk.csv", gbk_wechat, "wechat", "gbk.csv:1: not UTF-8 text"),
    ("garbage.csv", garbage_acquirer, "acquirer",
     "garbage.csv:4: bad amount: '2O.00' is not an amount in yuan"),
])
def test_a_bad_file_is_refused_whole_with_file_line_and_reason(
        storage: HqStorage, pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        name: str, data: Any, source: str, problem: str) -> None:
    good = {"alipay": alipay_file, "wechat": wechat_file, "acquirer": acquirer_file}[source]
    assert main(["recon", "import", write(tmp_path, "good", good()), "--source", source,
                 "--date", str(DAY), "--db", pg_url]) == 0
    before = rows(pg_url)
    path = write(tmp_path, name, data())
    capsys.readouterr()
    assert main(["recon", "import", path, "--source", source, "--date", str(DAY),
                 "--db", pg_url]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}/{problem}" in err and "nothing of" in err
    assert rows(pg_url) == before          # the good file of that day is still whole


def rows(pg_url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(pg_url) as conn:
        return conn.execute("SELECT f.source, f.file_name, count(i.line) FROM hq_recon_file f"
                            " LEFT JOIN hq_recon_item i ON i.file_id = f.id"
                            " GROUP BY f.source, f.file_name ORDER BY 1").fetchall()


def test_fetch_downloads_both_bills_from_the_simulator_over_http(
        storage: HqStorage, pg_url: str, tmp_path: Path) -> None:
    hq_day(storage)
    sim = simulator()
    try:
        sim.bills[("wechat", str(DAY))] = wechat_file()
        sim.bills[("alipay", str(DAY))] = alipay_file()
        configure(tmp_path / "store.db", sim.url)          # the merchant accounts, keys in files
        for provider in ("wechat", "alipay"):
            assert main(["recon", "fetch", "--provider", provider, "--date", str(DAY),
                         "--config", str(tmp_path / "store.toml"), "--out", str(tmp_path),
                         "--db", pg_url]) == 0
        assert (tmp_path / f"wechat-{DAY}.csv").read_bytes() == wechat_file()
        assert main(["recon", "fetch", "--provider", "wechat", "--date", "2026-03-04",
                     "--config", str(tmp_path / "store.toml"), "--db", pg_url]) == 1
    finally:
        sim.stop()
    assert {(r[1], r[2]) for r in sim.requests} == {("wechat", "tradebill"), ("alipay", "bill")}
    assert main(["recon", "import", write(tmp_path, "acq.csv", acquirer_file()), "--date",
                 str(DAY), "--db", pg_url]) == 0
    check_report(storage)


@pytest.mark.parametrize("engine", ["postgres", "sqlite"])
def test_a_refund_is_a_fact_unique_at_hq(engine: str, tmp_path: Path,
                                         request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("pg_url") if engine == "postgres" \
        else f"sqlite:///{tmp_path / 'hq.sqlite'}"
    storage = open_storage(url)
    try:
        till = Till(storage)
        assert till.refunded(R + "1", P + "1", 250) is None
        reason = till.refunded(R + "1", P + "1", 250)         # the same refund, a new seq
        assert reason is not None and reason.startswith("duplicate_fact")
        assert "amount" in (till.refunded(R + "3", P + "1", 0) or "")
        assert "provider" in (till.refunded(R + "4", P + "1", 10, provider="paypal") or "")
        assert "store" in (Till(storage, "S002").send("payment.refunded", {
            "out_refund_no": R + "5", "out_trade_no": P + "1", "provider": "wechat",
            "amount": 10, "return_id": None, "sale_id": "s", "store_id": "S001",
            "terminal_id": "T01", "refund_id": None, "refunded_at": AT}) or "")
        sides = storage.recon_sides(DAY)
        assert [(h.kind, h.key, h.amount) for h in sides.hq["mobile"]] == [
            ("refund", R + "1", 250)]
    finally:
        storage.close()

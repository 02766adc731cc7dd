"""数电 e-invoices on request, end to end at HQ: sales and returns ingested into real PostgreSQL
(and the SQLite demo store), tax codes from HQ's published catalog, the Nuonuo-shaped simulator
over real HTTP: request → submit → poll → issued; red-letter on a partial return; bad requests;
the provider down or silent, and never an invoice issued twice."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine

from cloud_sync.agent import batch_bytes
from cloud_sync.protocol import CatalogItem
from cloud_sync.signing import generate_keypair, load_private_key
from edge.ledger.money import line_amount
from edge.ledger.outbox import canonical_json
from edge.ledger.tax import tax_included
from hq.console.app import ConsoleSettings
from hq.invoices.book import InvoiceBook
from hq.invoices.buyer import InvoiceRequestError, parse_buyer
from hq.invoices.service import request_invoice, retry, run_once, status_lines
from hq.publish import publish_version
from hq.storage import open_storage
from hq.storage.interface import HqStorage
from hq.validation import validate_batch
from providers.invoice_nuonuo import NuonuoProvider, NuonuoSettings, sign
from providers.invoice_simulator import InvoiceSimulator
from tests.hq.console.harness import Served

STORE, TERMINAL = "S001", "T01"
CODES = {"MILK": "1030201020000000000", "RICE": "1010101020000000000",
         "SOAP": "1070223020000000000"}
COMPANY = "91350100M000100Y43"        # a unified social credit code with a right check character
T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


class Hq:
    """HQ's database with a published catalog and a way to ingest the till's facts."""

    def __init__(self, url: str, tmp: Path) -> None:
        self.url = url
        self.storage: HqStorage = open_storage(url)
        self.seq = 0
        generate_keypair(tmp / "hq.key", tmp / "hq.pub")
        self.key = load_private_key(tmp / "hq.key")
        self.publish(CODES)

    def publish(self, codes: dict[str, str]) -> None:
        items = [CatalogItem(sku=sku, name_zh=sku, name_en=sku, unit="each", price=100,
                             tax_class="standard", tax_code=code) for sku, code in codes.items()]
        publish_version(self.storage, self.key, "catalog", items, STORE)

    def send(self, event_type: str, payload: dict[str, Any]) -> None:
        self.seq += 1
        row = (self.seq, str(uuid.uuid4()), event_type, canonical_json(payload),
               "2026-11-30T02:00:00.000+00:00")
        accepted, refused, since = validate_batch(
            STORE, TERMINAL, batch_bytes(STORE, TERMINAL, self.seq - 1, [row]))
        ack = self.storage.ingest(STORE, TERMINAL, accepted, refused, since).ack
        assert ack.rejected == [], ack.rejected

    def sale(self, lines: list[tuple[str, int, int, int, int]], status: str = "completed"
             ) -> dict[str, Any]:
        """lines: (sku, qty_milli, unit_price, discount, rate_bp); VAT included."""
        out = []
        for no, (sku, qty, price, discount, rate) in enumerate(lines, 1):
            gross = line_amount(price, qty)
            total = gross - discount
            out.append({"line_no": no, "sku": sku, "name": f"商品{sku}", "unit": "each",
                        "qty_milli": qty, "unit_price": price, "gross": gross,
                        "discount": discount, "total": total, "tax_class": "standard",
                        "tax_rate_bp": rate, "tax": tax_included(total, rate)})
        total = sum(ln["total"] for ln in out)
        at = "2026-11-30T02:00:00.000+00:00"
        payload = {"sale_id": str(uuid.uuid4()), "store_id": STORE, "terminal_id": TERMINAL,
                   "receipt_no": self.seq + 1, "staff_id": "1001", "opened_at": at,
                   "closed_at": at, "currency": "CNY",
                   "subtotal": sum(ln["gross"] for ln in out),
                   "discount": sum(ln["discount"] for ln in out),
                   "tax": sum(ln["tax"] for ln in out), "total": total, "rounding": 0,
                   "paid": total if status == "completed" else 0, "change": 0, "lines": out,
                   "tenders": [{"tender_no": 1, "type": "cash", "amount": total}]
                   if status == "completed" else []}
        self.send(f"sale.{status}", payload)
        return payload

    def ret(self, sale: dict[str, Any], line_no: int, qty_milli: int) -> dict[str, Any]:
        line = sale["lines"][line_no - 1]
        amount = line["total"] * qty_milli // line["qty_milli"]
        tax = tax_included(amount, line["tax_rate_bp"])
        payload = {"return_id": str(uuid.uuid4()), "kind": "receipt",
                   "original_sale_id": sale["sale_id"], "store_id": STORE,
                   "terminal_id": TERMINAL, "staff_id": "1001", "approved_by": None,
                   "reason": "不想要了", "total": amount, "tax": tax, "rounding": 0,
                   "lines": [{"line_no": 1, "sale_line_no": line_no, "sku": line["sku"],
                              "qty_milli": qty_milli, "amount": amount,
                              "tax_rate_bp": line["tax_rate_bp"], "tax": tax}],
                   "tenders": [{"type": "cash", "amount": amount, "reference": None}]}
        self.send("return.completed", payload)
        return payload


@pytest.fixture
def sim() -> Iterator[InvoiceSimulator]:
    simulator = InvoiceSimulator()
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def provider(sim: InvoiceSimulator) -> NuonuoProvider:
    return NuonuoProvider(NuonuoSettings(url=sim.url, app_key=sim.app_key,
                                         app_secret=sim.app_secret,
                                         access_token=sim.access_token,
                                         seller_tax_id="91110000600037341L", timeout_s=2.0))


@pytest.fixture
def hq(pg_url: str, tmp_path: Path) -> Iterator[Hq]:
    h = Hq(pg_url, tmp_path)
    yield h
    h.storage.close()


@pytest.fixture
def book(hq: Hq) -> Iterator[InvoiceBook]:
    b = InvoiceBook(hq.url)
    yield b
    b.close()


def rounds(book: InvoiceBook, provider: NuonuoProvider, start: datetime, n: int) -> datetime:
    """`n` worker rounds, each far enough after the last for everything to be due."""
    now = start
    for _ in range(n):
        now += timedelta(minutes=11)
        run_once(book, provider, now)
    return now


def person() -> Any:
    return parse_buyer("张三", "", "zhang@example.com", "")


def test_request_is_submitted_polled_and_issued_with_a_20_digit_number(
        hq: Hq, book: InvoiceBook, provider: NuonuoProvider, sim: InvoiceSimulator) -> None:
    sale = hq.sale([("MILK", 2000, 650, 0, 900), ("RICE", 1000, 4990, 500, 900),
                    ("SOAP", 3000, 1290, 387, 1300)])
    qr = f"https://r.example.com/r/{STORE}/{TERMINAL}/{sale['sale_id']}"
    row = request_invoice(book, qr, parse_buyer("厦门某某科技有限公司", COMPANY, "", "13800138000"),
                          T0)
    assert row.state == "requested" and row.amount == sale["total"]

    assert run_once(book, provider, T0).submitted == 1
    [shown] = status_lines(book, sale["sale_id"])
    assert "submitted" in shown
    assert run_once(book, provider, T0 + timedelta(seconds=3)).waiting == 1   # 开票中
    assert run_once(book, provider, T0 + timedelta(seconds=10)).issued == 1

    [shown] = status_lines(book, qr)
    [invoice] = sim.issued()
    assert f"issued {invoice.number}" in shown and len(invoice.number) == 20
    assert invoice.number.isdigit()
    details = invoice.body["invoiceDetail"]
    # DISCOUNT_NEXT_TO_LINE: milk plain, rice and soap each followed by their discount.
    assert [(d["goodsCode"], d["invoiceLineProperty"]) for d in details] == [
        (CODES["MILK"], "0"), (CODES["RICE"], "2"), (CODES["RICE"], "1"),
        (CODES["SOAP"], "2"), (CODES["SOAP"], "1")]
    assert sum(Decimal(d["taxIncludedAmount"]) for d in details) * 100 == sale["total"]
    assert sum(Decimal(d["tax"]) for d in details) * 100 == sale["tax"]
    assert invoice.body["buyerTaxNum"] == COMPANY and invoice.body["invoiceType"] == "1"
    assert rounds(book, provider, T0, 3) and len(sim.issued()) == 1   # nothing more to do


def test_partial_return_of_an_invoiced_sale_issues_a_red_letter_invoice_for_its_share(
        hq: Hq, book: InvoiceBook, provider: NuonuoProvider, sim: InvoiceSimulator) -> None:
    sale = hq.sale([("MILK", 4000, 650, 260, 900), ("SOAP", 1000, 1290, 0, 1300)])
    request_invoice(book, sale["sale_id"], person(), T0)
    now = rounds(book, provider, T0, 3)
    [blue] = sim.issued()
    returned = hq.ret(sale, 1, 1000)              # one of the four cartons of milk
    now = rounds(book, provider, now, 3)

    reds = [i for i in sim.issued() if i.kind == "2"]
    assert len(reds) == 1
    red = reds[0]
    assert red.body["invoiceNum"] == blue.number and len(red.number) == 20
    [line] = red.body["invoiceDetail"]
    assert line["invoiceLineProperty"] == "0" and line["goodsCode"] == CODES["MILK"]
    assert Decimal(line["taxIncludedAmount"]) * 100 == -returned["total"]
    assert Decimal(line["num"]) == -1
    lines = status_lines(book, sale["sale_id"])
    assert lines[1].startswith(f"sale {sale['sale_id']}: red-letter R")
    assert f"for return {returned['return_id']} against {blue.number}: issued {red.number}" \
        in lines[1]
    now = rounds(book, provider, now, 2)          # the same return never gets a second red
    assert len([i for i in sim.issued() if i.kind == "2"]) == 1
    second = hq.ret(sale, 2, 1000)                # then the soap: a red-letter invoice of its own
    rounds(book, provider, now, 3)
    reds = [i for i in sim.issued() if i.kind == "2"]
    assert len(reds) == 2 and {r.body["invoiceNum"] for r in reds} == {blue.number}
    assert sum(r.amount for r in reds) * 100 == -(returned["total"] + second["total"])
    assert len(status_lines(book, sale["sale_id"])) == 3


def test_bad_requests_get_clear_errors_and_store_nothing(hq: Hq, book: InvoiceBook) -> None:
    sale = hq.sale([("MILK", 1000, 650, 0, 900)])
    cancelled = hq.sale([("SOAP", 1000, 1290, 0, 1300)], status="cancelled")
    with pytest.raises(InvoiceRequestError, match="check character") as bad:
        parse_buyer("厦门某某科技有限公司", COMPANY[:-1] + "X", "a@example.com")
    assert bad.value.code == "bad_tax_id"
    with pytest.raises(InvoiceRequestError, match="18 characters") as bad:
        parse_buyer("厦门某某科技有限公司", "9135010012345", "a@example.com")
    with pytest.raises(InvoiceRequestError) as bad:
        parse_buyer("张三", "", "", "")
    assert bad.value.code == "contact_required"
    with pytest.raises(InvoiceRequestError, match="training receipt is not a sale") as bad:
        request_invoice(book, str(uuid.uuid4()), person(), T0)   # e.g. a training sale's id
    assert bad.value.code == "unknown_sale"
    with pytest.raises(InvoiceRequestError) as bad:      # right sale, another store's QR
        request_invoice(book, f"https://r/r/S999/{TERMINAL}/{sale['sale_id']}", person(), T0)
    assert bad.value.code == "unknown_sale"
    with pytest.raises(InvoiceRequestError, match="cancelled") as bad:
        request_invoice(book, cancelled["sale_id"], person(), T0)
    assert bad.value.code == "sale_cancelled"
    assert book.invoices_of(sale["sale_id"]) == [] == book.invoices_of(cancelled["sale_id"])
    request_invoice(book, sale["sale_id"], person(), T0)
    with pytest.raises(InvoiceRequestError, match="already requested") as bad:
        request_invoice(book, sale["sale_id"], parse_buyer("李四", "", "l@example.com"), T0)
    assert bad.value.code == "already_requested"
    [row] = book.invoices_of(sale["sale_id"])
    assert row.buyer_title == "张三"


def test_the_request_endpoint_takes_the_qr_form_over_http(hq: Hq, book: InvoiceBook) -> None:
    sale = hq.sale([("MILK", 1000, 650, 0, 900)])
    server = Served(ConsoleSettings(hq.url))          # HQ's one web app, on uvicorn
    url = f"{server.url}/invoices/{STORE}/{TERMINAL}/{sale['sale_id']}"

    def post(form: dict[str, str], to: str = url) -> tuple[int, dict[str, Any]]:
        req = urllib.request.Request(to, json.dumps(form).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    try:
        assert post({"title": "某公司", "tax_id": "123", "email": "a@example.com"})[0] == 400
        status, body = post({"title": "某公司", "email": "a@example.com"},
                            url.replace(sale["sale_id"], str(uuid.uuid4())))
        assert (status, body["error"]) == (404, "unknown_sale")
        status, body = post({"title": "厦门某某科技有限公司", "tax_id": COMPANY,
                             "email": "a@example.com"})
        assert (status, body["state"]) == (201, "requested")
        assert post({"title": "某公司", "email": "a@example.com"})[0] == 409
        with urllib.request.urlopen(url, timeout=5) as answer:
            [shown] = json.loads(answer.read())["invoices"]
        assert shown["state"] == "requested"
    finally:
        server.stop()


def test_provider_down_or_silent_keeps_the_invoice_waiting_and_never_issues_twice(
        hq: Hq, book: InvoiceBook, provider: NuonuoProvider, sim: InvoiceSimulator) -> None:
    sale = hq.sale([("RICE", 1000, 4990, 990, 900)])
    request_invoice(book, sale["sale_id"], person(), T0)
    sim.down = True                                   # HTTP 503: the platform is down
    for i in range(3):
        assert run_once(book, provider, T0 + timedelta(minutes=11 * i)).waiting == 1
    [row] = book.invoices_of(sale["sale_id"])
    assert row.state == "requested" and "503" in row.reason and row.attempts == 3
    assert "requested; last error: provider: HTTP 503" in status_lines(book, sale["sale_id"])[0]

    sim.down = False
    sim.drop_next_submit = True                       # taken, and the answer is lost
    assert run_once(book, provider, T0 + timedelta(hours=1)).waiting == 1
    assert book.invoices_of(sale["sale_id"])[0].state == "requested"
    rounds(book, provider, T0 + timedelta(hours=1), 4)   # sent again: E9106, found by query
    [row] = book.invoices_of(sale["sale_id"])
    assert row.state == "issued"
    assert [i.order_no for i in sim.invoices.values()] == [row.order_no]
    assert len(sim.issued()) == 1 and sim.issued()[0].number == row.invoice_no
    assert [m for m, o in sim.requests if m == "billing"].count("billing") == 2


def test_platform_unreachable_while_polling_keeps_it_submitted(
        hq: Hq, book: InvoiceBook, provider: NuonuoProvider, sim: InvoiceSimulator) -> None:
    sale = hq.sale([("MILK", 1000, 650, 0, 900)])
    request_invoice(book, sale["sale_id"], person(), T0)
    assert run_once(book, provider, T0).submitted == 1
    port = sim.start()                 # a second listener; stop both: nothing answers now
    sim.stop()
    dead = NuonuoProvider(NuonuoSettings(url=f"http://127.0.0.1:{port}/open/v1/services",
                                         app_key=sim.app_key, app_secret=sim.app_secret,
                                         access_token=sim.access_token,
                                         seller_tax_id="91110000600037341L", timeout_s=1.0))
    run_once(book, dead, T0 + timedelta(minutes=1))
    [row] = book.invoices_of(sale["sale_id"])
    assert row.state == "submitted" and row.reason.startswith("provider:")


def test_a_failed_invoice_shows_its_reason_and_is_issued_once_asked_again(
        hq: Hq, book: InvoiceBook, provider: NuonuoProvider, sim: InvoiceSimulator) -> None:
    sale = hq.sale([("MILK", 1000, 650, 0, 900)])
    request_invoice(book, sale["sale_id"], person(), T0)
    sim.fail_next = "购方名称与税号不匹配"
    now = rounds(book, provider, T0, 3)
    assert status_lines(book, sale["sale_id"])[0].split(" · ")[0].endswith(
        "failed 购方名称与税号不匹配")
    row = retry(book, sale["sale_id"], now)
    assert row.order_no.endswith("-2")
    rounds(book, provider, now, 3)
    rows = book.invoices_of(sale["sale_id"])
    assert [r.state for r in rows] == ["superseded", "issued"]
    assert len(sim.issued()) == 1


def test_a_product_without_a_tax_code_fails_with_what_to_do(
        hq: Hq, book: InvoiceBook, provider: NuonuoProvider, sim: InvoiceSimulator) -> None:
    sale = hq.sale([("MILK", 1000, 650, 0, 900), ("TEA", 1000, 1500, 0, 1300)])
    request_invoice(book, sale["sale_id"], person(), T0)
    now = rounds(book, provider, T0, 1)
    [shown] = status_lines(book, sale["sale_id"])
    assert "failed SKU TEA" in shown and "publish it, then `pos invoice retry`" in shown
    assert sim.requests == []                          # nothing wrong was sent
    hq.publish({"TEA": "1030107010000000000"})
    retry(book, sale["sale_id"], now)
    rounds(book, provider, now, 3)
    assert book.invoices_of(sale["sale_id"])[-1].state == "issued"


def test_the_whole_flow_on_the_sqlite_demo_store(tmp_path: Path, provider: NuonuoProvider,
                                                 sim: InvoiceSimulator) -> None:
    h = Hq(f"sqlite:///{tmp_path / 'hq.sqlite'}", tmp_path)
    book = InvoiceBook(h.url)
    try:
        sale = h.sale([("MILK", 3000, 650, 195, 900)])
        request_invoice(book, sale["sale_id"], person(), T0)
        now = rounds(book, provider, T0, 3)
        h.ret(sale, 1, 2000)
        rounds(book, provider, now, 3)
        assert [r.state for r in book.invoices_of(sale["sale_id"])] == ["issued", "issued"]
    finally:
        book.close()
        h.storage.close()


def test_the_signature_matches_the_platforms_published_vector() -> None:
    # The fixed vector recorded from Nuonuo's official Python sample (docs/invoices.md).
    assert sign("secret", "app", "a" * 32, "12345678", '{"name":"中文"}', "1700000000") == \
        "4BzcKzrcoqxPis0W/W3X2ae0uIo="


def test_the_commands_request_run_and_show_an_invoice(
        tmp_path: Path, sim: InvoiceSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main as pos

    db = f"sqlite:///{tmp_path / 'hq.sqlite'}"
    h = Hq(db, tmp_path)
    sale = h.sale([("MILK", 1000, 650, 65, 900)])
    h.storage.close()
    secret, token = tmp_path / "secret", tmp_path / "token"
    for path, text in ((secret, sim.app_secret), (token, sim.access_token)):
        path.write_text(text)
        path.chmod(0o600)
    conf = tmp_path / "nuonuo.toml"
    conf.write_text(f'[nuonuo]\nurl = "{sim.url}"\napp_key = "{sim.app_key}"\n'
                    f'seller_tax_id = "91110000600037341L"\napp_secret_file = "{secret}"\n'
                    f'access_token_file = "{token}"\n')
    assert pos(["invoice", "request", sale["sale_id"], "--title", "某公司", "--tax-id", "123",
                "--email", "a@example.com", "--db", db]) == 1
    assert "pos: bad_tax_id: taxpayer id '123'" in capsys.readouterr().err
    with time_machine.travel(T0, tick=False) as clock:   # the request's and the worker's time
        assert pos(["invoice", "request", f"https://r.example.com/r/{STORE}/{TERMINAL}/"
                    f"{sale['sale_id']}", "--title", "张三", "--phone", "13800138000",
                    "--db", db]) == 0
        assert pos(["invoice", "status", sale["sale_id"], "--db", db]) == 0
        assert f"invoice B{sale['sale_id'].replace('-', '')} requested" in \
            capsys.readouterr().out
        for _ in range(3):
            assert pos(["invoice", "run", "--once", "--provider", str(conf), "--db", db]) == 0
            clock.shift(timedelta(minutes=11))
    assert pos(["invoice", "status", sale["sale_id"], "--db", db]) == 0
    [invoice] = sim.issued()
    assert f"issued {invoice.number} · ¥5.85 · 张三" in capsys.readouterr().out
    assert pos(["invoice", "retry", sale["sale_id"], "--db", db]) == 1
    assert "not_failed" in capsys.readouterr().err
    token.chmod(0o644)
    assert pos(["invoice", "run", "--once", "--provider", str(conf), "--db", db]) == 1
    assert "readable by others" in capsys.readouterr().err

"""`pos payments`: a manager's refund to the original payment, pending while the provider is
unreachable and settled by `retry-refunds`; `alerts` lists what is left."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import main
from edge.ledger.store import open_store
from providers.simulator import ProviderSimulator
from tests.edge.payments.harness import CODES, RealClock, adapters, configure, paying_till, simulator
from tests.edge.sale.sale_helpers import demo_gtins


@pytest.fixture
def sim() -> Iterator[ProviderSimulator]:
    sim = simulator()
    yield sim
    sim.stop()


def test_refund_pending_while_unreachable_then_retried(db_path: Path, sim: ProviderSimulator,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    conn = open_store(db_path)
    till = paying_till(conn, adapters(sim.url), RealClock())
    for gtin in demo_gtins(conn, 2):
        till.scan(gtin)
    sale = till.pay_code(CODES["wechat"])
    out_trade_no = sale.tenders[0].reference
    assert out_trade_no is not None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        configure(db_path, f"http://127.0.0.1:{probe.getsockname()[1]}")
    refund = ["payments", "refund", "--db", str(db_path), "--out-trade-no", out_trade_no,
              "--amount", "1.00", "--return-id", "RET-1", "--staff", "2001"]
    assert main(refund) == 1 and "pending" in capsys.readouterr().out
    assert main(["payments", "alerts", "--db", str(db_path)]) == 1
    assert "1 pending refunds" in capsys.readouterr().out
    configure(db_path, sim.url)
    assert main(["payments", "retry-refunds", "--db", str(db_path)]) == 0
    assert main(refund) == 0 and "success" in capsys.readouterr().out   # same refund, not twice
    assert sim.charged() == {out_trade_no: sale.total - 100}
    assert main(["payments", "alerts", "--db", str(db_path)]) == 0
    assert main(["payments", "refund", "--db", str(db_path), "--out-trade-no", out_trade_no,
                 "--amount", "9999", "--return-id", "RET-2", "--staff", "2001"]) == 1
    assert "left to refund" in capsys.readouterr().err

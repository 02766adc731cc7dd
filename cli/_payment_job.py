"""The sync agent's payment job: each round, payment-code attempts nobody waits for any more (a
crash left them, a reversal the provider kept refusing or did not answer) are reversed
(edge/payments/settle.py), and refunds of returns that a crash left unasked or an outage left
pending are asked again (edge/payments/return_refunds.py), away from the cashier. Runs beside the
agent in `pos sync`, on its own connection and thread, so a slow provider never holds up the
events going to HQ nor a till. An attempt still not settled after a round is logged as a warning
(the alert; `pos payments alerts` lists it, `pos payments settle` tries it by hand)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path

from edge.config import StoreConfig
from edge.ledger.money import format_amount
from edge.ledger.store import open_store
from edge.payments.provider import PaymentProvider
from edge.payments.return_refunds import settle_return_refunds
from edge.payments.settings import payment_settings
from edge.payments.settle import settle_open_attempts

log = logging.getLogger("pos.payments")
INTERVAL_S = 60.0


class PaymentJob(threading.Thread):
    def __init__(self, db: str | Path, config: StoreConfig,
                 providers: Mapping[str, PaymentProvider], stop: threading.Event,
                 interval_s: float = INTERVAL_S) -> None:
        super().__init__(name="payment-job", daemon=True)
        self.db = db
        self.config = config
        self.providers = providers
        self.stop = stop
        self.interval_s = interval_s

    def run(self) -> None:
        while True:
            self.round()
            if self.stop.wait(self.interval_s):
                return

    def round(self) -> int:
        """One pass; the number of attempts and refunds still not settled after it (-1 when it
        failed)."""
        try:
            conn = open_store(self.db)
            try:
                attempts = settle_open_attempts(conn, self.providers,
                                                payment_settings(self.config))
                refunds = settle_return_refunds(conn, self.providers,
                                                store_id=self.config.store_id,
                                                terminal_id=self.config.terminal_id)
            finally:
                conn.close()
        except Exception:  # the job's loop must go on; the next round tries again
            log.exception("payment round failed")
            return -1
        for left in attempts:
            a = left.attempt
            log.warning("payment %s (%s, %s, since %s) is still not settled: %s; the customer may "
                        "have been charged; `pos payments settle %s` shows the provider's answers",
                        a.out_trade_no, a.provider, format_amount(a.amount, 2), a.created_at,
                        "; ".join(left.answers[-3:]) or "provider not configured here",
                        a.out_trade_no)
        if refunds:
            log.info("%d refunds to payment codes still pending", len(refunds))
        return len(attempts) + len(refunds)


def start_payment_job(db: str | Path, config_file: Path, stop: threading.Event
                      ) -> PaymentJob | None:
    """Start the job when the store has a payment provider configured; None when it has none."""
    from edge.config import ConfigError, load_config
    from providers.accounts import providers_from_config

    try:
        config = load_config(config_file)
        providers = providers_from_config(config)
    except (ConfigError, OSError, ValueError) as exc:
        log.warning("payment attempts and refunds to payment codes are not settled in the "
                    "background: [payments]: %s", exc)
        return None
    if not providers:
        return None
    job = PaymentJob(db, config, providers, stop)
    job.start()
    return job

"""The sync agent's periodic refund job: refunds of returns to payment codes that a crash left
unasked or an outage left pending are asked again (edge/payments/return_refunds.py), away from
the cashier. Runs beside the agent in `pos sync`, on its own connection and thread, so a slow
provider never holds up the events going to HQ."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path

from edge.config import StoreConfig
from edge.ledger.store import open_store
from edge.payments.provider import PaymentProvider
from edge.payments.return_refunds import settle_return_refunds

log = logging.getLogger("pos.refunds")
INTERVAL_S = 60.0


class RefundJob(threading.Thread):
    def __init__(self, db: str | Path, config: StoreConfig,
                 providers: Mapping[str, PaymentProvider], stop: threading.Event,
                 interval_s: float = INTERVAL_S) -> None:
        super().__init__(name="refund-job", daemon=True)
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
        """One pass; the number of refunds still pending after it (-1 when it failed)."""
        try:
            conn = open_store(self.db)
            try:
                left = settle_return_refunds(conn, self.providers,
                                             store_id=self.config.store_id,
                                             terminal_id=self.config.terminal_id)
            finally:
                conn.close()
        except Exception:  # the job's loop must go on; the next round tries again
            log.exception("refund round failed")
            return -1
        if left:
            log.info("%d refunds to payment codes still pending", len(left))
        return len(left)


def start_refund_job(db: str | Path, config_file: Path, stop: threading.Event
                     ) -> RefundJob | None:
    """Start the job when the store has a payment provider configured; None when it has none."""
    from edge.config import ConfigError, load_config
    from providers.accounts import providers_from_config

    try:
        config = load_config(config_file)
        providers = providers_from_config(config)
    except (ConfigError, OSError, ValueError) as exc:
        log.warning("refunds to payment codes are not retried: [payments]: %s", exc)
        return None
    if not providers:
        return None
    job = RefundJob(db, config, providers, stop)
    job.start()
    return job

"""A return's refunds to the original payment-code payments (edge/payments/return_refunds.py),
asked off the GUI thread: the Qt till records the return on its own connection, then a worker
thread asks the provider for the refund on a connection of its own to the same database file.

Why a second connection and not the steps pattern of ui/till/payment_runner.py: a refund's SQLite
work is two short write transactions (the refund row, committed before the request leaves; its
outcome) around the provider's requests, and the store's connections are WAL with a busy
timeout (edge/ledger/store.py `connect`), so a worker may write while the till reads and writes.
The refund code stays one plain function, shared with the headless till and the sync agent's job.

Rule: the worker gets the database path, the providers and ids, never the till's connection;
its outcome comes back to the GUI thread as a queued signal. One refund at a time (a one-thread
pool: a second return's refund queues behind the first). An error on the worker leaves the
refund to the sync agent's job, as an outage would (the return's `mobile` tender is the intent).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from edge.ledger.store import connect
from edge.payments.attempts import Refund
from edge.payments.provider import PaymentProvider
from edge.payments.return_refunds import refund_return
from edge.store_ops.returns import ReturnRecord
from edge.till.return_refunds import refund_to_payments
from edge.till.session import Till

Outcome = list[Refund] | Exception
# (the return, its refunds — or why the worker failed), on the GUI thread
Done = Callable[[ReturnRecord, Outcome], None]


def database_file(conn: sqlite3.Connection) -> str:
    """The file behind a connection's main database; "" for an in-memory one."""
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return str(row[2] or "")
    return ""


class ReturnRefunder(QObject):
    _answered = Signal(object, object)   # (the return, outcome), emitted on the worker thread

    def __init__(self, done: Done, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._done = done
        self._answered.connect(self._deliver)   # queued: the emitter is the worker thread
        self.in_flight = 0

    def refund(self, till: Till, record: ReturnRecord) -> bool:
        """Ask for this return's payment-code refunds; False when there is nothing to ask."""
        if not any(t.type == "mobile" for t in record.tenders) or till.payments is None:
            return False
        path = database_file(till.conn)
        self.in_flight += 1
        if not path:   # an in-memory database has no second connection: ask here and now
            refunds = refund_to_payments(till, record)
            QTimer.singleShot(0, lambda: self._deliver(record, refunds))  # after the caller
            return True
        providers = dict(till.payments.flow.providers)
        store_id, terminal_id = till.config.store_id, till.config.terminal_id
        self.pool.start(lambda: self._work(path, providers, record, store_id, terminal_id))
        return True

    def _work(self, path: str, providers: Mapping[str, PaymentProvider], record: ReturnRecord,
              store_id: str, terminal_id: str) -> None:
        """On the worker thread: its own connection, the refund, nothing of the till's."""
        try:
            conn = connect(path)
            try:
                refunds = refund_return(conn, providers, record.id, store_id=store_id,
                                        terminal_id=terminal_id)
            finally:
                conn.close()
        except Exception as exc:
            self._answered.emit(record, exc)
            return
        self._answered.emit(record, refunds)

    def _deliver(self, record: ReturnRecord, outcome: object) -> None:
        self.in_flight -= 1
        assert isinstance(outcome, (list, Exception))
        self._done(record, outcome)

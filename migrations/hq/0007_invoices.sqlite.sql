-- The SQLite twin of 0007_invoices.postgres.sql (timestamps as ISO-8601 UTC text).
CREATE TABLE hq_invoice (
    order_no          TEXT PRIMARY KEY,
    kind              TEXT NOT NULL CHECK (kind IN ('blue', 'red')),
    sale_id           TEXT NOT NULL,
    return_id         TEXT,                -- red: the return it answers
    store             TEXT NOT NULL,
    terminal          TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('requested', 'submitted', 'issued', 'failed',
                                                     'superseded')),
    buyer_title       TEXT NOT NULL,
    buyer_tax_id      TEXT NOT NULL DEFAULT '',
    email             TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    amount            INTEGER NOT NULL,     -- fen, VAT included; negative for red
    lines             TEXT NOT NULL DEFAULT '',  -- the lines as sent (JSON), once built
    provider_serial   TEXT NOT NULL DEFAULT '',  -- the provider's own id (invoiceSerialNum)
    invoice_no        TEXT NOT NULL DEFAULT '',  -- 20 digits once issued
    original_invoice_no TEXT NOT NULL DEFAULT '', -- red: the blue invoice it reverses
    reason            TEXT NOT NULL DEFAULT '',  -- why it failed, or the last transient error
    attempts          INTEGER NOT NULL DEFAULT 0,
    requested_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    submitted_at      TEXT,
    issued_at         TEXT,
    next_try_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- A sale has one live blue invoice; a failed one may be asked again under a new order_no.
CREATE UNIQUE INDEX hq_invoice_blue ON hq_invoice (sale_id)
    WHERE kind = 'blue' AND state NOT IN ('failed', 'superseded');
CREATE UNIQUE INDEX hq_invoice_red ON hq_invoice (return_id)
    WHERE kind = 'red' AND state NOT IN ('failed', 'superseded');
CREATE INDEX hq_invoice_sale ON hq_invoice (sale_id);
CREATE INDEX hq_invoice_due ON hq_invoice (state, next_try_at);

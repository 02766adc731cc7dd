-- 数电 e-invoices on request (docs/invoices.md). One row per invoice HQ asks the provider for: the
-- blue invoice of a sale, and one red-letter (红字) invoice per return of an invoiced sale.
-- `order_no` is the idempotent request number the provider deduplicates on (Nuonuo `orderNo`),
-- derived from the fact it invoices, so a retry can never issue a second invoice.
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
    amount            BIGINT NOT NULL,     -- fen, VAT included; negative for red
    lines             TEXT NOT NULL DEFAULT '',  -- the lines as sent (JSON), once built
    provider_serial   TEXT NOT NULL DEFAULT '',  -- the provider's own id (invoiceSerialNum)
    invoice_no        TEXT NOT NULL DEFAULT '',  -- 20 digits once issued
    original_invoice_no TEXT NOT NULL DEFAULT '', -- red: the blue invoice it reverses
    reason            TEXT NOT NULL DEFAULT '',  -- why it failed, or the last transient error
    attempts          INTEGER NOT NULL DEFAULT 0,
    requested_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    submitted_at      TIMESTAMPTZ,
    issued_at         TIMESTAMPTZ,
    next_try_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- A sale has one live blue invoice; a failed one may be asked again under a new order_no.
CREATE UNIQUE INDEX hq_invoice_blue ON hq_invoice (sale_id)
    WHERE kind = 'blue' AND state NOT IN ('failed', 'superseded');
CREATE UNIQUE INDEX hq_invoice_red ON hq_invoice (return_id)
    WHERE kind = 'red' AND state NOT IN ('failed', 'superseded');
CREATE INDEX hq_invoice_sale ON hq_invoice (sale_id);
CREATE INDEX hq_invoice_due ON hq_invoice (state, next_try_at);

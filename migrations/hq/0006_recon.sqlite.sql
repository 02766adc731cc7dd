-- The SQLite twin of 0006_recon.postgres.sql.
CREATE TABLE hq_payment_refund (
    out_refund_no TEXT PRIMARY KEY,
    out_trade_no  TEXT NOT NULL,
    provider      TEXT NOT NULL,
    store         TEXT NOT NULL,
    terminal      TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    return_id     TEXT,
    sale_id       TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    refund_id     TEXT,
    refunded_at   TEXT NOT NULL,
    business_date TEXT NOT NULL
);
CREATE INDEX hq_payment_refund_date ON hq_payment_refund (business_date);
CREATE INDEX hq_sale_tender_reference ON hq_sale_tender (reference) WHERE reference IS NOT NULL;

CREATE TABLE hq_recon_file (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL CHECK (source IN ('wechat', 'alipay', 'acquirer')),
    bill_date   TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (source, bill_date)
);

CREATE TABLE hq_recon_item (
    file_id       INTEGER NOT NULL REFERENCES hq_recon_file (id) ON DELETE CASCADE,
    line          INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
    key           TEXT,
    out_trade_no  TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    fee           TEXT NOT NULL,
    PRIMARY KEY (file_id, line)
);
CREATE INDEX hq_recon_item_key ON hq_recon_item (key);

-- Refunds to payment-code payments (payment.refunded, hq/schemas.py) and the providers' and the
-- card acquirer's settlement files imported for reconciliation (对账, hq/recon/).
-- A refund's out_refund_no is unique at HQ: one sent again under another seq is dead-lettered
-- as duplicate_fact. Amounts are BIGINT fen; fees keep the file's decimals (WeChat: 5).
CREATE TABLE hq_payment_refund (
    out_refund_no TEXT PRIMARY KEY,
    out_trade_no  TEXT NOT NULL,
    provider      TEXT NOT NULL,
    store         TEXT NOT NULL,
    terminal      TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    return_id     TEXT,
    sale_id       TEXT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    refund_id     TEXT,
    refunded_at   TIMESTAMPTZ NOT NULL,
    business_date DATE NOT NULL         -- refunded_at in HQ's zone (Beijing, as the files)
);
CREATE INDEX hq_payment_refund_date ON hq_payment_refund (business_date);
CREATE INDEX hq_sale_tender_reference ON hq_sale_tender (reference) WHERE reference IS NOT NULL;

-- One imported file per (source, bill date): importing the day again replaces it whole.
CREATE TABLE hq_recon_file (
    id          BIGSERIAL PRIMARY KEY,
    source      TEXT NOT NULL CHECK (source IN ('wechat', 'alipay', 'acquirer')),
    bill_date   DATE NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    imported_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (source, bill_date)
);

-- One settled payment or refund of a file. `key` is what HQ's side is matched on: the
-- out_trade_no of a payment, the out_refund_no of a refund, the card terminal's reference.
CREATE TABLE hq_recon_item (
    file_id       BIGINT NOT NULL REFERENCES hq_recon_file (id) ON DELETE CASCADE,
    line          INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
    key           TEXT,
    out_trade_no  TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    fee           NUMERIC(20, 5) NOT NULL,
    PRIMARY KEY (file_id, line)
);
CREATE INDEX hq_recon_item_key ON hq_recon_item (key);

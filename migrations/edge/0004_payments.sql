-- Payment-provider attempts (payment codes: WeChat Pay, Alipay) and their refunds.
-- An attempt row is written, with its idempotent out_trade_no, before the request leaves the
-- till; it changes state only towards a final one (paid, closed, reversed) and is never deleted.
-- out_trade_no comes from the store, the terminal and the durable counter `payment_seq`.

INSERT INTO counter (name, value) VALUES ('payment_seq', 0), ('refund_seq', 0);

CREATE TABLE payment_attempt (
    out_trade_no   TEXT PRIMARY KEY,
    seq            INTEGER NOT NULL UNIQUE,
    provider       TEXT NOT NULL,
    sale_id        TEXT NOT NULL,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    code_hint      TEXT NOT NULL,          -- the payment code masked: first 4 and last 4 digits
    staff_id       TEXT NOT NULL,
    -- pending: sent or about to be; may still complete the sale. reversing: the till gave up and
    -- reverses it; never completes a sale. paid | closed | reversed: final.
    state          TEXT NOT NULL CHECK (state IN ('pending', 'reversing', 'paid', 'closed',
                                                  'reversed')),
    provider_state TEXT,                   -- the provider's last word (SUCCESS, USERPAYING, ...)
    transaction_id TEXT,                   -- the provider's own id, once known
    charged_then_reversed INTEGER NOT NULL DEFAULT 0 CHECK (charged_then_reversed IN (0, 1)),
    note           TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    final_at       TEXT
);
CREATE INDEX payment_attempt_open ON payment_attempt (state) WHERE state IN ('pending', 'reversing');
CREATE INDEX payment_attempt_sale ON payment_attempt (sale_id);

-- Refunds of a paid attempt: each partial refund has its own out_refund_no, reused by retries.
-- pending: asked for (or about to be) and not yet confirmed by a query; success | failed: final.
CREATE TABLE payment_refund (
    out_refund_no  TEXT PRIMARY KEY,
    out_trade_no   TEXT NOT NULL REFERENCES payment_attempt (out_trade_no),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    return_id      TEXT,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'success', 'failed')),
    provider_state TEXT,
    refund_id      TEXT,
    note           TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    final_at       TEXT
);
CREATE INDEX payment_refund_trade ON payment_refund (out_trade_no);
CREATE INDEX payment_refund_open ON payment_refund (state) WHERE state = 'pending';

-- Store operations: members and points, stored-value cards, returns, shifts and cash, Z reports,
-- stock ledger and counts, locally imported promotions. Facts here are inserted once and never
-- updated; balances and on-hand quantities are sums over ledgers. Every fact row carries the outbox
-- seq of the event written in its transaction (`event_seq`): reports cut by seq, not by clock.

INSERT INTO counter (name, value) VALUES ('z_number', 0);

-- Members: master data (HQ owns it; the till may register one and sends `member.registered`).
CREATE TABLE member (
    id         TEXT PRIMARY KEY,
    card_no    TEXT UNIQUE,
    phone      TEXT UNIQUE,
    qr_token   TEXT UNIQUE,
    name       TEXT NOT NULL DEFAULT '',
    tier       TEXT NOT NULL CHECK (tier IN ('silver', 'gold', 'diamond')),
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
);

-- The points ledger: balance = SUM(points). kind: earn | redeem | earn_reversal | redeem_refund
-- | hq_adjust (a balance correction sent by HQ).
CREATE TABLE points_movement (
    id        INTEGER PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES member (id),
    kind      TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'earn_reversal', 'redeem_refund',
                                           'hq_adjust')),
    points    INTEGER NOT NULL,
    sale_id   TEXT,
    return_id TEXT,
    event_seq INTEGER NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX points_movement_member ON points_movement (member_id);
CREATE INDEX points_movement_sale ON points_movement (sale_id);

-- The member (and tier) a completed sale was sold to, written with the sale.
CREATE TABLE sale_member (
    sale_id        TEXT PRIMARY KEY REFERENCES sale (id),
    member_id      TEXT NOT NULL,
    tier           TEXT NOT NULL,
    eligible_spend INTEGER NOT NULL,
    points_earned  INTEGER NOT NULL
);

CREATE TABLE sale_coupon (
    sale_id TEXT NOT NULL REFERENCES sale (id),
    code    TEXT NOT NULL,
    PRIMARY KEY (sale_id, code)
);

-- Lines voided before the sale completed, kept as facts for the Z report.
CREATE TABLE sale_voided_line (
    sale_id   TEXT NOT NULL REFERENCES sale (id),
    line_no   INTEGER NOT NULL,
    sku       TEXT NOT NULL,
    qty_milli INTEGER NOT NULL,
    gross     INTEGER NOT NULL,
    PRIMARY KEY (sale_id, line_no)
);

-- Stored-value cards (储值卡): HQ holds the balance. `confirmed_balance` is HQ's figure including
-- every local movement with event_seq <= confirmed_seq; the local view adds the later ones.
-- `locked_by` names another terminal that spent the card offline (sent down by HQ).
CREATE TABLE stored_value_card (
    card_no           TEXT PRIMARY KEY,
    member_id         TEXT REFERENCES member (id),
    confirmed_balance INTEGER NOT NULL DEFAULT 0,
    confirmed_seq     INTEGER NOT NULL DEFAULT 0,
    locked_by         TEXT,
    active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE stored_value_movement (
    id        INTEGER PRIMARY KEY,
    card_no   TEXT NOT NULL REFERENCES stored_value_card (card_no),
    kind      TEXT NOT NULL CHECK (kind IN ('topup', 'spend', 'refund')),
    amount    INTEGER NOT NULL,
    offline   INTEGER NOT NULL CHECK (offline IN (0, 1)),
    tender    TEXT,
    sale_id   TEXT,
    return_id TEXT,
    staff_id  TEXT,
    event_seq INTEGER NOT NULL UNIQUE,
    at        TEXT NOT NULL
);
CREATE INDEX stored_value_movement_card ON stored_value_movement (card_no, event_seq);

-- Returns, blind returns and post-voids: each a fact with its lines and refund tenders.
CREATE TABLE sale_return (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('return', 'blind', 'post_void')),
    original_sale_id TEXT REFERENCES sale (id),
    store_id         TEXT NOT NULL,
    terminal_id      TEXT NOT NULL,
    staff_id         TEXT NOT NULL,
    approved_by      TEXT,
    reason           TEXT NOT NULL DEFAULT '',
    event_seq        INTEGER NOT NULL UNIQUE REFERENCES outbox (seq),
    created_at       TEXT NOT NULL,
    total            INTEGER NOT NULL,
    tax              INTEGER NOT NULL,
    rounding         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sale_return_original ON sale_return (original_sale_id);

CREATE TABLE return_line (
    return_id   TEXT NOT NULL REFERENCES sale_return (id),
    line_no     INTEGER NOT NULL,
    sale_line_no INTEGER,
    sku         TEXT NOT NULL,
    category    TEXT NOT NULL DEFAULT '',
    qty_milli   INTEGER NOT NULL CHECK (qty_milli > 0),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    tax_rate_bp INTEGER NOT NULL,
    tax         INTEGER NOT NULL,
    PRIMARY KEY (return_id, line_no)
);

CREATE TABLE return_tender (
    return_id TEXT NOT NULL REFERENCES sale_return (id),
    tender_no INTEGER NOT NULL,
    type      TEXT NOT NULL,
    amount    INTEGER NOT NULL CHECK (amount > 0),
    reference TEXT,
    PRIMARY KEY (return_id, tender_no)
);

-- Shifts and the drawer. A shift is opened and closed by two facts; cash moves are facts.
CREATE TABLE shift_open (
    id          TEXT PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    staff_id    TEXT NOT NULL,
    float       INTEGER NOT NULL CHECK (float >= 0),
    event_seq   INTEGER NOT NULL UNIQUE,
    at          TEXT NOT NULL
);

CREATE TABLE shift_close (
    shift_id      TEXT PRIMARY KEY REFERENCES shift_open (id),
    staff_id      TEXT NOT NULL,
    counted       INTEGER NOT NULL,
    expected      INTEGER NOT NULL,
    over_short    INTEGER NOT NULL,
    denominations TEXT NOT NULL,
    event_seq     INTEGER NOT NULL UNIQUE,
    at            TEXT NOT NULL
);

CREATE TABLE cash_movement (
    id        INTEGER PRIMARY KEY,
    shift_id  TEXT NOT NULL REFERENCES shift_open (id),
    kind      TEXT NOT NULL CHECK (kind IN ('cash_in', 'cash_out', 'pickup')),
    amount    INTEGER NOT NULL CHECK (amount > 0),
    reason    TEXT NOT NULL,
    staff_id  TEXT NOT NULL,
    event_seq INTEGER NOT NULL UNIQUE,
    at        TEXT NOT NULL
);

CREATE TABLE z_report (
    z_number    INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    from_seq    INTEGER NOT NULL,
    to_seq      INTEGER NOT NULL,
    staff_id    TEXT NOT NULL,
    body        TEXT NOT NULL,
    event_seq   INTEGER NOT NULL UNIQUE,
    at          TEXT NOT NULL
);

-- Stock: a ledger of signed deltas; on-hand = SUM(qty_milli). event_seq is the seq of the fact
-- that moved the stock (the sale, the return, the receipt...).
CREATE TABLE stock_movement (
    id        INTEGER PRIMARY KEY,
    sku       TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('sale', 'return', 'receipt', 'transfer', 'adjustment',
                                           'count')),
    qty_milli INTEGER NOT NULL,
    ref       TEXT,
    event_seq INTEGER NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX stock_movement_sku ON stock_movement (sku, event_seq);

-- Replenishment levels (master data, editable).
CREATE TABLE stock_level (
    sku            TEXT PRIMARY KEY,
    min_qty_milli  INTEGER NOT NULL CHECK (min_qty_milli >= 0),
    max_qty_milli  INTEGER NOT NULL CHECK (max_qty_milli >= min_qty_milli),
    lead_time_days INTEGER NOT NULL DEFAULT 2 CHECK (lead_time_days >= 0)
);

-- A stock count: the session (its start seq is the snapshot watermark), the scans, the approval.
CREATE TABLE stock_count (
    id        TEXT PRIMARY KEY,
    scope     TEXT NOT NULL CHECK (scope IN ('full', 'category')),
    category  TEXT,
    staff_id  TEXT NOT NULL,
    start_seq INTEGER NOT NULL,
    event_seq INTEGER NOT NULL UNIQUE,
    at        TEXT NOT NULL
);

-- One row per scan; the latest row of an item (a recount replaces the figure) is its count.
-- at_seq: the outbox seq when the item was counted, so movements after it are not counted twice.
CREATE TABLE stock_count_entry (
    id        INTEGER PRIMARY KEY,
    count_id  TEXT NOT NULL REFERENCES stock_count (id),
    sku       TEXT NOT NULL,
    qty_milli INTEGER NOT NULL CHECK (qty_milli >= 0),
    recount   INTEGER NOT NULL CHECK (recount IN (0, 1)),
    at_seq    INTEGER NOT NULL,
    staff_id  TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX stock_count_entry_count ON stock_count_entry (count_id, sku, id);

CREATE TABLE stock_count_approval (
    count_id    TEXT PRIMARY KEY REFERENCES stock_count (id),
    approved_by TEXT NOT NULL,
    event_seq   INTEGER NOT NULL UNIQUE,
    at          TEXT NOT NULL
);

-- Promotions imported on this till with `pos promo import` (HQ's arrive in sync_promotion).
CREATE TABLE local_promotion (
    promotion_id TEXT PRIMARY KEY,
    body         TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);

CREATE INDEX sale_line_sku ON sale_line (sku);
CREATE INDEX sale_staff ON sale (staff_id);

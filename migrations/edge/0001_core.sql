-- The till core: catalog, staff, completed sales, the outbox and the journal.
-- Money columns are INTEGER minor units (fen). Quantities are INTEGER thousandths (qty_milli):
-- 1 each = 1000, 0.532 kg = 532.

CREATE TABLE counter (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counter (name, value) VALUES ('outbox_seq', 0), ('journal_seq', 0), ('receipt_no', 0);

CREATE TABLE product (
    sku            TEXT PRIMARY KEY,
    plu            TEXT UNIQUE,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    unit           TEXT NOT NULL CHECK (unit IN ('each', 'kg')),
    price          INTEGER NOT NULL CHECK (price >= 0),
    tax_class      TEXT NOT NULL,
    category       TEXT NOT NULL DEFAULT '',
    age_restricted INTEGER NOT NULL DEFAULT 0 CHECK (age_restricted IN (0, 1)),
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE INDEX product_category ON product (category);

-- Every GTIN is stored as 14 digits so EAN-8, EAN-13, UPC-A and GTIN-14 scans meet in one key.
CREATE TABLE product_gtin (
    gtin TEXT PRIMARY KEY,
    sku  TEXT NOT NULL REFERENCES product (sku) ON DELETE CASCADE
);
CREATE INDEX product_gtin_sku ON product_gtin (sku);

CREATE TABLE staff (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager')),
    pin_hash        TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked          INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

-- A finished sale is a fact: written once, in the transaction that also writes its outbox event
-- and journal entry, and never updated.
CREATE TABLE sale (
    id           TEXT PRIMARY KEY,
    store_id     TEXT NOT NULL,
    terminal_id  TEXT NOT NULL,
    receipt_no   INTEGER NOT NULL UNIQUE,
    event_seq    INTEGER NOT NULL UNIQUE REFERENCES outbox (seq),
    status       TEXT NOT NULL CHECK (status IN ('completed', 'cancelled')),
    staff_id     TEXT NOT NULL,
    opened_at    TEXT NOT NULL,
    closed_at    TEXT NOT NULL,
    currency     TEXT NOT NULL,
    line_count   INTEGER NOT NULL,
    subtotal     INTEGER NOT NULL,
    discount     INTEGER NOT NULL,
    tax          INTEGER NOT NULL,
    total        INTEGER NOT NULL,
    rounding     INTEGER NOT NULL,
    paid         INTEGER NOT NULL,
    change       INTEGER NOT NULL
);
CREATE INDEX sale_closed_at ON sale (closed_at);

CREATE TABLE sale_line (
    sale_id     TEXT NOT NULL REFERENCES sale (id),
    line_no     INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    qty_milli   INTEGER NOT NULL,
    unit_price  INTEGER NOT NULL,
    gross       INTEGER NOT NULL,
    discount    INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    tax_class   TEXT NOT NULL,
    tax_rate_bp INTEGER NOT NULL,
    tax         INTEGER NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (sale_id, line_no)
);

CREATE TABLE sale_tender (
    sale_id       TEXT NOT NULL REFERENCES sale (id),
    tender_no     INTEGER NOT NULL,
    type          TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    reference     TEXT,
    approval_code TEXT,
    masked_pan    TEXT,
    PRIMARY KEY (sale_id, tender_no)
);

-- Everything HQ has not confirmed. seq is per terminal, gapless, given in the fact's transaction.
-- A row leaves 'pending' only on HQ's application acknowledgement.
CREATE TABLE outbox (
    seq           INTEGER PRIMARY KEY,
    event_id      TEXT NOT NULL UNIQUE,
    type          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'acked', 'rejected')),
    acked_at      TEXT,
    reject_reason TEXT
);
CREATE INDEX outbox_pending ON outbox (state, seq);

-- Append-only, hash-chained: hash = sha256(prev_hash || canonical entry). See edge/journal.py.
CREATE TABLE journal (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    staff_id  TEXT,
    body      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

-- A suspended basket, resumable on any till of this store's database.
CREATE TABLE suspended_sale (
    id           TEXT PRIMARY KEY,
    suspended_at TEXT NOT NULL,
    staff_id     TEXT NOT NULL,
    body         TEXT NOT NULL
);

-- The basket in progress once money has been taken for it (a card approval), so a crash of the
-- till cannot forget a payment. One row per terminal at most.
CREATE TABLE open_sale (
    terminal_id TEXT PRIMARY KEY,
    saved_at    TEXT NOT NULL,
    body        TEXT NOT NULL
);

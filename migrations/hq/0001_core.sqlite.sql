-- The SQLite twin of 0001_core.postgres.sql, for the one-machine demo; keep the two in step.
-- HQ core: per-terminal stream state, the dedup record, sales, generic events, dead letters and
-- the signed downlink versions. Money is INTEGER fen; qty_milli is thousandths of a unit.

CREATE TABLE hq_terminal (
    store     TEXT NOT NULL,
    terminal  TEXT NOT NULL,
    acked_to  INTEGER NOT NULL DEFAULT 0,   -- highest contiguous seq committed
    max_seq   INTEGER NOT NULL DEFAULT 0,
    dead_to   INTEGER NOT NULL DEFAULT 0,   -- highest seq dead-lettered (0: none)
    last_seen TEXT,
    online    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (store, terminal)
);

-- The dedup record: written in the transaction of the event's effect.
CREATE TABLE hq_received (
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    rejected    INTEGER NOT NULL,
    received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (store, terminal, seq)
);

CREATE TABLE hq_sale (
    store         TEXT NOT NULL,
    terminal      TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    sale_id       TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('completed', 'cancelled')),
    receipt_no    INTEGER NOT NULL,
    staff_id      TEXT NOT NULL,
    opened_at     TEXT NOT NULL,
    closed_at     TEXT NOT NULL,
    business_date TEXT NOT NULL,
    currency      TEXT NOT NULL,
    subtotal      INTEGER NOT NULL,
    discount      INTEGER NOT NULL,
    tax           INTEGER NOT NULL,
    total         INTEGER NOT NULL,
    rounding      INTEGER NOT NULL,
    paid          INTEGER NOT NULL,
    change        INTEGER NOT NULL,
    line_count    INTEGER NOT NULL,
    PRIMARY KEY (store, terminal, seq)
);
CREATE INDEX hq_sale_sale_id ON hq_sale (sale_id);
CREATE INDEX hq_sale_day ON hq_sale (business_date, store, terminal);

CREATE TABLE hq_sale_line (
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
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
    PRIMARY KEY (store, terminal, seq, line_no)
);

CREATE TABLE hq_sale_tender (
    store         TEXT NOT NULL,
    terminal      TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    tender_no     INTEGER NOT NULL,
    type          TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    reference     TEXT,
    approval_code TEXT,
    masked_pan    TEXT,
    PRIMARY KEY (store, terminal, seq, tender_no)
);

-- Well-formed events of types without their own tables yet: kept whole, never lost.
CREATE TABLE hq_event (
    store      TEXT NOT NULL,
    terminal   TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    event_id   TEXT NOT NULL,
    type       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    payload    TEXT NOT NULL,
    PRIMARY KEY (store, terminal, seq)
);

CREATE TABLE hq_dead_letter (
    id          INTEGER PRIMARY KEY,
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    seq         INTEGER,            -- NULL when the message could not be read at all
    event_id    TEXT,
    type        TEXT,
    reason      TEXT NOT NULL,
    raw         BLOB NOT NULL,
    received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX hq_dead_letter_stream ON hq_dead_letter (store, terminal, seq);

-- Each downlink version exactly as signed and sent.
CREATE TABLE hq_version (
    store      TEXT NOT NULL,
    stream     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    signed     BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (store, stream, version)
);

-- The current state of each stream per store, from which snapshots are made.
CREATE TABLE hq_stream_item (
    store   TEXT NOT NULL,
    stream  TEXT NOT NULL,
    key     TEXT NOT NULL,
    body    BLOB NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (store, stream, key)
);

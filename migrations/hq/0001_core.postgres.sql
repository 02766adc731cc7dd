-- HQ core: per-terminal stream state, the dedup record, sales, generic events, dead letters and
-- the signed downlink versions. Money is BIGINT fen; qty_milli is thousandths of a unit.

CREATE TABLE hq_terminal (
    store     TEXT NOT NULL,
    terminal  TEXT NOT NULL,
    acked_to  BIGINT NOT NULL DEFAULT 0,   -- highest contiguous seq committed
    max_seq   BIGINT NOT NULL DEFAULT 0,
    dead_to   BIGINT NOT NULL DEFAULT 0,   -- highest seq dead-lettered (0: none)
    last_seen TIMESTAMPTZ,
    online    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (store, terminal)
);

-- The dedup record: written in the transaction of the event's effect.
CREATE TABLE hq_received (
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    rejected    BOOLEAN NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (store, terminal, seq)
);

CREATE TABLE hq_sale (
    store         TEXT NOT NULL,
    terminal      TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    sale_id       TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('completed', 'cancelled')),
    receipt_no    BIGINT NOT NULL,
    staff_id      TEXT NOT NULL,
    opened_at     TIMESTAMPTZ NOT NULL,
    closed_at     TIMESTAMPTZ NOT NULL,
    business_date DATE NOT NULL,
    currency      TEXT NOT NULL,
    subtotal      BIGINT NOT NULL,
    discount      BIGINT NOT NULL,
    tax           BIGINT NOT NULL,
    total         BIGINT NOT NULL,
    rounding      BIGINT NOT NULL,
    paid          BIGINT NOT NULL,
    change        BIGINT NOT NULL,
    line_count    INTEGER NOT NULL,
    PRIMARY KEY (store, terminal, seq)
);
CREATE INDEX hq_sale_sale_id ON hq_sale (sale_id);
CREATE INDEX hq_sale_day ON hq_sale (business_date, store, terminal);

CREATE TABLE hq_sale_line (
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    line_no     INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    qty_milli   BIGINT NOT NULL,
    unit_price  BIGINT NOT NULL,
    gross       BIGINT NOT NULL,
    discount    BIGINT NOT NULL,
    total       BIGINT NOT NULL,
    tax_class   TEXT NOT NULL,
    tax_rate_bp INTEGER NOT NULL,
    tax         BIGINT NOT NULL,
    PRIMARY KEY (store, terminal, seq, line_no)
);

CREATE TABLE hq_sale_tender (
    store         TEXT NOT NULL,
    terminal      TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    tender_no     INTEGER NOT NULL,
    type          TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    reference     TEXT,
    approval_code TEXT,
    masked_pan    TEXT,
    PRIMARY KEY (store, terminal, seq, tender_no)
);

-- Well-formed events of types without their own tables yet: kept whole, never lost.
CREATE TABLE hq_event (
    store      TEXT NOT NULL,
    terminal   TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    event_id   TEXT NOT NULL,
    type       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    payload    JSONB NOT NULL,
    PRIMARY KEY (store, terminal, seq)
);

CREATE TABLE hq_dead_letter (
    id          BIGSERIAL PRIMARY KEY,
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    seq         BIGINT,            -- NULL when the message could not be read at all
    event_id    TEXT,
    type        TEXT,
    reason      TEXT NOT NULL,
    raw         BYTEA NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX hq_dead_letter_stream ON hq_dead_letter (store, terminal, seq);

-- Each downlink version exactly as signed and sent.
CREATE TABLE hq_version (
    store      TEXT NOT NULL,
    stream     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    signed     BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (store, stream, version)
);

-- The current state of each stream per store, from which snapshots are made.
CREATE TABLE hq_stream_item (
    store   TEXT NOT NULL,
    stream  TEXT NOT NULL,
    key     TEXT NOT NULL,
    body    BYTEA NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (store, stream, key)
);

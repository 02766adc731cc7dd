-- The sync agent's own tables: what it last told the till, the downlink versions applied, and
-- prices that HQ sent ahead of their time. Written only by cloud_sync (agent and downlink).

-- One row: the agent's view of the link, shown by the till and by `pos sync status`.
CREATE TABLE sync_status (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    connected      INTEGER NOT NULL DEFAULT 0 CHECK (connected IN (0, 1)),
    broker         TEXT NOT NULL DEFAULT '',
    last_ack_at    TEXT,
    last_acked_seq INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    last_error_at  TEXT,
    updated_at     TEXT,
    agent_pid      INTEGER
);
INSERT INTO sync_status (id) VALUES (1);

-- The last version of each downlink stream applied here; a version applies only on top of the
-- one before it.
CREATE TABLE sync_stream (
    stream     TEXT PRIMARY KEY CHECK (stream IN ('catalog', 'prices', 'promotions')),
    version    INTEGER NOT NULL,
    applied_at TEXT NOT NULL
);

-- Prices that take effect later; promoted into product.price at effective_at, offline too.
CREATE TABLE sync_scheduled_price (
    sku          TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    price        INTEGER NOT NULL CHECK (price >= 0),
    version      INTEGER NOT NULL,
    PRIMARY KEY (sku, effective_at)
);
CREATE INDEX sync_scheduled_price_due ON sync_scheduled_price (effective_at);

-- Promotions as HQ sent them; the pricing engine reads the bodies.
CREATE TABLE sync_promotion (
    promotion_id TEXT PRIMARY KEY,
    body         TEXT NOT NULL,
    active       INTEGER NOT NULL CHECK (active IN (0, 1)),
    version      INTEGER NOT NULL
);

-- Downlink messages refused (bad signature, wrong store, out of order beyond repair), for the
-- operator.
CREATE TABLE sync_refused (
    id          INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    stream      TEXT,
    reason      TEXT NOT NULL
);

-- The SQLite twin of 0011_orders.postgres.sql. Taking orders needs PostgreSQL (row locks keep HQ
-- from promising a unit twice: hq/orders/book.py); the demo storage has the tables so that the
-- ingest and the ownership rule read order facts the same way on both engines.
CREATE TABLE hq_channel (
    channel     TEXT PRIMARY KEY,
    secret      TEXT NOT NULL,
    webhook_url TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE hq_store (
    store TEXT PRIMARY KEY,
    name  TEXT NOT NULL DEFAULT '',
    lat   REAL,
    lon   REAL
);

CREATE TABLE hq_order (
    order_id         TEXT PRIMARY KEY,
    channel          TEXT NOT NULL REFERENCES hq_channel (channel),
    channel_order_id TEXT NOT NULL,
    store            TEXT NOT NULL,
    status           TEXT NOT NULL,
    pickup_code      TEXT NOT NULL,
    paid_online      INTEGER NOT NULL,
    body             TEXT NOT NULL,
    result           TEXT,
    conflict         TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (channel, channel_order_id)
);

CREATE TABLE hq_order_hold (
    order_id  TEXT NOT NULL REFERENCES hq_order (order_id),
    store     TEXT NOT NULL,
    sku       TEXT NOT NULL,
    qty_milli INTEGER NOT NULL CHECK (qty_milli > 0),
    PRIMARY KEY (order_id, sku)
);

-- Transfers between stores, created at HQ and sent down both stores' signed `transfers` stream
-- (edge/store_ops/transfers.py). A store's part of a transfer (ship when it is the sender,
-- receive when it is the receiver) is recorded once, as a `stock.transfer` fact whose reference
-- is the transfer id; transfer_leg remembers it, and outlives a snapshot of the stream.
CREATE TABLE sync_stream_new (
    stream     TEXT PRIMARY KEY CHECK (stream IN ('catalog', 'prices', 'promotions', 'transfers')),
    version    INTEGER NOT NULL,
    applied_at TEXT NOT NULL
);
INSERT INTO sync_stream_new SELECT stream, version, applied_at FROM sync_stream;
DROP TABLE sync_stream;
ALTER TABLE sync_stream_new RENAME TO sync_stream;

CREATE TABLE transfer_order (
    transfer_id TEXT PRIMARY KEY,
    from_store  TEXT NOT NULL,
    to_store    TEXT NOT NULL,
    lines       TEXT NOT NULL,        -- JSON [{"sku", "qty_milli"}], as HQ sent it
    note        TEXT NOT NULL DEFAULT '',
    cancelled   INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    version     INTEGER NOT NULL      -- the stream version that brought it
);

CREATE TABLE transfer_leg (
    transfer_id TEXT PRIMARY KEY,     -- a store is one side of a transfer: one leg each
    direction   TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    event_seq   INTEGER NOT NULL,     -- the stock.transfer fact
    staff_id    TEXT NOT NULL,
    at          TEXT NOT NULL
);

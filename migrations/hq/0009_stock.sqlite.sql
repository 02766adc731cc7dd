-- The SQLite twin of 0009_stock.postgres.sql: reported stock movements (a sale's are its lines in
-- hq_sale_line) and each store's on-hand per SKU, kept in the ingest transaction.
CREATE TABLE hq_stock_movement (
    store     TEXT NOT NULL,
    terminal  TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    item_no   INTEGER NOT NULL,
    sku       TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('return', 'receipt', 'transfer', 'adjustment', 'count',
                                           'order')),
    qty_milli INTEGER NOT NULL,
    reference TEXT,
    PRIMARY KEY (store, terminal, seq, item_no)
);
CREATE INDEX hq_stock_movement_sku ON hq_stock_movement (store, sku);

CREATE TABLE hq_stock_on_hand (
    store      TEXT NOT NULL,
    sku        TEXT NOT NULL,
    qty_milli  INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (store, sku)
);

-- Transfers between stores, created at HQ (`pos hq stock transfer`) and sent to both stores on
-- their signed `transfers` stream; each store's leg arrives as its stock.transfer fact whose
-- reference is the transfer id (shipped: out of from_store, received: into to_store).
CREATE TABLE hq_transfer (
    transfer_id TEXT PRIMARY KEY,
    from_store  TEXT NOT NULL,
    to_store    TEXT NOT NULL,
    lines       TEXT NOT NULL,            -- [{"sku", "qty_milli"}]
    note        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL ,
    CHECK (from_store <> to_store)
);

CREATE TABLE hq_transfer_leg (
    transfer_id TEXT NOT NULL REFERENCES hq_transfer (transfer_id),
    direction   TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    lines       TEXT NOT NULL,            -- as the store moved them, signed
    PRIMARY KEY (transfer_id, direction)
);

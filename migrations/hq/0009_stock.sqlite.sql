-- The SQLite twin of 0009_stock.postgres.sql: reported stock movements (a sale's are its lines in
-- hq_sale_line) and each store's on-hand per SKU, kept in the ingest transaction.
CREATE TABLE hq_stock_movement (
    store     TEXT NOT NULL,
    terminal  TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    item_no   INTEGER NOT NULL,
    sku       TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('return', 'receipt', 'transfer', 'adjustment', 'count')),
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

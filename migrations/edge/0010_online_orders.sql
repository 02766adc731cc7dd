-- Online orders picked up in store (edge/orders/): HQ sends each order on the store's signed
-- `orders` stream; the store reserves its stock in the same transaction (available = on hand −
-- reserved), picks it, and hands it over at the till once. Reservations are rows, removed when
-- the order is handed over, expires or is cancelled; every change is also an outbox fact.
CREATE TABLE sync_stream_new (
    stream     TEXT PRIMARY KEY CHECK (stream IN ('catalog', 'prices', 'promotions', 'transfers',
                                                  'orders')),
    version    INTEGER NOT NULL,
    applied_at TEXT NOT NULL
);
INSERT INTO sync_stream_new SELECT stream, version, applied_at FROM sync_stream;
DROP TABLE sync_stream;
ALTER TABLE sync_stream_new RENAME TO sync_stream;

CREATE TABLE online_order (
    order_id      TEXT PRIMARY KEY,
    channel       TEXT NOT NULL,
    pickup_code   TEXT NOT NULL,             -- 6 digits, shown to the customer as digits and QR
    lines         TEXT NOT NULL,             -- JSON [{line, sku, name, qty_milli, unit_price}]
    slot_end      TEXT NOT NULL,             -- UTC ISO-8601: pickup until then (+ grace)
    paid_online   INTEGER NOT NULL CHECK (paid_online IN (0, 1)),
    substitutions INTEGER NOT NULL CHECK (substitutions IN (0, 1)),
    member_id     TEXT,
    state         TEXT NOT NULL CHECK (state IN ('reserved', 'partial', 'declined', 'picked',
                                                 'handed_over', 'expired', 'cancelled')),
    version       INTEGER NOT NULL,
    updated_at    TEXT NOT NULL
);

-- A code names one order among those still to be handed over (codes come round again).
CREATE UNIQUE INDEX online_order_open_code ON online_order (pickup_code)
    WHERE state IN ('reserved', 'partial', 'picked');

CREATE TABLE stock_reservation (
    order_id  TEXT NOT NULL REFERENCES online_order (order_id),
    line      INTEGER NOT NULL,
    sku       TEXT NOT NULL,
    qty_milli INTEGER NOT NULL CHECK (qty_milli > 0),
    PRIMARY KEY (order_id, line)
);
CREATE INDEX stock_reservation_sku ON stock_reservation (sku);

CREATE TABLE order_pick (
    order_id   TEXT NOT NULL REFERENCES online_order (order_id),
    line       INTEGER NOT NULL,
    sku        TEXT NOT NULL,               -- what was picked: the ordered SKU or a substitute
    qty_milli  INTEGER NOT NULL CHECK (qty_milli >= 0),
    amount     INTEGER NOT NULL,            -- fen, at the order's unit price (weighed: actual)
    PRIMARY KEY (order_id, line)
);

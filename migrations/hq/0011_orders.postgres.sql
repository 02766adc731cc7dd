-- Online orders (hq/orders/): channels that may place them, store locations to route by, the
-- orders with HQ's hold on each store's stock (available to promise = on hand − holds), and the
-- status webhooks owed to each channel (delivered with retries).
CREATE TABLE hq_channel (
    channel     TEXT PRIMARY KEY,
    secret      TEXT NOT NULL,          -- HMAC key the channel signs requests with, and we sign hooks
    webhook_url TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE hq_store (
    store TEXT PRIMARY KEY,
    name  TEXT NOT NULL DEFAULT '',
    lat   DOUBLE PRECISION,
    lon   DOUBLE PRECISION
);

CREATE TABLE hq_order (
    order_id         TEXT PRIMARY KEY,
    channel          TEXT NOT NULL REFERENCES hq_channel (channel),
    channel_order_id TEXT NOT NULL,
    store            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('held', 'sent', 'reserved', 'partial',
                       'declined', 'picked', 'handed_over', 'expired', 'cancelled')),
    pickup_code      TEXT NOT NULL,
    paid_online      BOOLEAN NOT NULL,
    body             JSONB NOT NULL,     -- the order as sent to the store
    result           JSONB,              -- the store's latest word (reserved / picked lines)
    conflict         JSONB,              -- the store sold a unit this order holds (order.conflict)
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (channel, channel_order_id)
);
CREATE INDEX hq_order_store ON hq_order (store, status);

CREATE TABLE hq_order_hold (
    order_id  TEXT NOT NULL REFERENCES hq_order (order_id),
    store     TEXT NOT NULL,
    sku       TEXT NOT NULL,
    qty_milli BIGINT NOT NULL CHECK (qty_milli > 0),
    PRIMARY KEY (order_id, sku)
);
CREATE INDEX hq_order_hold_sku ON hq_order_hold (store, sku);

CREATE TABLE hq_webhook (
    id           BIGSERIAL PRIMARY KEY,
    channel      TEXT NOT NULL REFERENCES hq_channel (channel),
    order_id     TEXT NOT NULL,
    body         JSONB NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at TIMESTAMPTZ,
    last_error   TEXT
);
CREATE INDEX hq_webhook_due ON hq_webhook (next_at) WHERE delivered_at IS NULL;

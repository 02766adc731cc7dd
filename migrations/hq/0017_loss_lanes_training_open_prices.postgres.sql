-- The last loss-prevention facts (issue 22 item 8), kept in the ingest transaction by
-- hq/storage/rollups.py add_cashier_days / add_lane_days:
--   per cashier and day: open-price lines sold and their amount (`open_price.sold`), training
--   sales (`training.sale`); facts that exist only from this version of the till on;
--   per lane (terminal) and day: completed sales (what a lane's alert rate is against), and per
--   kind its kiosk alerts (`kiosk.alert`: weight, age), how many staff cleared and how long
--   they stayed open.
ALTER TABLE hq_rollup_cashier_day
    ADD COLUMN open_prices       BIGINT NOT NULL DEFAULT 0,   -- open-price lines sold
    ADD COLUMN open_price_amount BIGINT NOT NULL DEFAULT 0,   -- their totals, fen
    ADD COLUMN training_sales    BIGINT NOT NULL DEFAULT 0;   -- practice sales finished

CREATE TABLE hq_rollup_terminal_day (
    store         TEXT NOT NULL,
    business_date DATE NOT NULL,
    terminal      TEXT NOT NULL,
    sales         BIGINT NOT NULL,
    net           BIGINT NOT NULL,
    PRIMARY KEY (store, business_date, terminal)
);

CREATE TABLE hq_rollup_lane_alert_day (
    store         TEXT NOT NULL,
    business_date DATE NOT NULL,
    terminal      TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('weight', 'age')),
    alerts        BIGINT NOT NULL,
    attended      BIGINT NOT NULL,   -- cleared by a staff member (cleared_by given)
    open_seconds  BIGINT NOT NULL,   -- Σ (cleared_at − raised_at)
    PRIMARY KEY (store, business_date, terminal, kind)
);

-- The sales already at HQ, per terminal and day, so that the rates hold from the start.
INSERT INTO hq_rollup_terminal_day (store, business_date, terminal, sales, net)
SELECT store, business_date, terminal, count(*), sum(total)
  FROM hq_sale WHERE status = 'completed' GROUP BY 1, 2, 3;

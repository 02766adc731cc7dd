-- The console's stock, replenishment and loss-prevention pages (hq/console/pages/stock.py,
-- loss.py): two more rollups kept in the ingest transaction (hq/storage/rollups.py), so that no
-- page view scans sale lines, and the replenishment parameters HQ edits per store and SKU.

-- Quantity sold per store, business day and SKU: Σ qty_milli of completed sales' lines.
CREATE TABLE hq_rollup_sku_day (
    store         TEXT NOT NULL,
    business_date DATE NOT NULL,
    sku           TEXT NOT NULL,
    qty_milli     BIGINT NOT NULL,
    lines         BIGINT NOT NULL,
    PRIMARY KEY (store, business_date, sku)
);

-- Per store, business day and cashier (staff_id of the fact): what loss prevention counts.
CREATE TABLE hq_rollup_cashier_day (
    store              TEXT NOT NULL,
    business_date      DATE NOT NULL,
    staff              TEXT NOT NULL,
    sales              BIGINT NOT NULL DEFAULT 0,   -- completed sales
    net                BIGINT NOT NULL DEFAULT 0,   -- Σ their total, fen
    cancelled          BIGINT NOT NULL DEFAULT 0,   -- sale.cancelled
    manual_discounts   BIGINT NOT NULL DEFAULT 0,   -- manual discounts given (by this cashier)
    manual_amount      BIGINT NOT NULL DEFAULT 0,   -- their amount, fen
    returns            BIGINT NOT NULL DEFAULT 0,   -- return.completed of kind 'return'
    blind_returns      BIGINT NOT NULL DEFAULT 0,   -- kind 'blind' (no receipt)
    post_voids         BIGINT NOT NULL DEFAULT 0,   -- kind 'post_void' (a closed sale voided)
    other_tender       BIGINT NOT NULL DEFAULT 0,   -- refunds to a tender the sale was not paid with
    PRIMARY KEY (store, business_date, staff)
);
CREATE INDEX hq_rollup_cashier_day_date ON hq_rollup_cashier_day (business_date);

-- Lead time, review period and safety stock for a store's SKU; '*' as sku: the store's default.
-- Absent rows fall back to the store's default, then to the code's (hq/console/pages/stock.py).
CREATE TABLE hq_replenish_param (
    store        TEXT NOT NULL,
    sku          TEXT NOT NULL,
    lead_days    INTEGER NOT NULL CHECK (lead_days BETWEEN 0 AND 365),
    review_days  INTEGER NOT NULL CHECK (review_days BETWEEN 1 AND 365),
    safety_milli BIGINT NOT NULL CHECK (safety_milli >= 0),
    updated_by   TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (store, sku)
);

-- The money page's top-ups against Z reports (hq/storage/ledger.py reconcile_topups) reads every
-- Z report: found without scanning the other events.
CREATE INDEX hq_event_z_report ON hq_event (store, terminal, seq) WHERE type = 'shift.z_report';

-- The last approved count of a store, found without scanning its events.
CREATE INDEX hq_event_count_approved ON hq_event (store, created_at) WHERE type = 'stock.count_approved';

-- Sales HQ held before these rollups existed, rolled up once here (days cut as the sales were);
-- manual discounts and returns count from here on.
INSERT INTO hq_rollup_sku_day (store, business_date, sku, qty_milli, lines)
SELECT s.store, s.business_date, l.sku, sum(l.qty_milli), count(*)
  FROM hq_sale s JOIN hq_sale_line l USING (store, terminal, seq)
 WHERE s.status = 'completed' GROUP BY 1, 2, 3;
INSERT INTO hq_rollup_cashier_day (store, business_date, staff, sales, net, cancelled)
SELECT store, business_date, staff_id, count(*) FILTER (WHERE status = 'completed'),
       coalesce(sum(total) FILTER (WHERE status = 'completed'), 0),
       count(*) FILTER (WHERE status = 'cancelled')
  FROM hq_sale GROUP BY 1, 2, 3;

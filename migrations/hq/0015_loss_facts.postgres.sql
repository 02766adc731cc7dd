-- Loss prevention's figures from the till's own facts (edge/till/session.py: `line.voided`,
-- `price.overridden`, `drawer.no_sale`), counted per store, business day and cashier in the
-- ingest transaction (hq/storage/rollups.py add_cashier_days). Facts of these types exist only
-- from this version of the till on: there is nothing earlier to roll up.
ALTER TABLE hq_rollup_cashier_day
    ADD COLUMN line_voids       BIGINT NOT NULL DEFAULT 0,   -- line.voided before the subtotal
    ADD COLUMN line_voids_after BIGINT NOT NULL DEFAULT 0,   -- line.voided after the subtotal
    ADD COLUMN price_overrides  BIGINT NOT NULL DEFAULT 0,   -- price.overridden
    ADD COLUMN no_sales         BIGINT NOT NULL DEFAULT 0;   -- drawer.no_sale

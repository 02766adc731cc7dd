-- Open-price items (无码商品): the cashier types the price at the till (edge/till/session.py);
-- above till.open_price_approval_above a supervisor approves.
ALTER TABLE product ADD COLUMN open_price INTEGER NOT NULL DEFAULT 0 CHECK (open_price IN (0, 1));

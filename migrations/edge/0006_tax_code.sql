-- The product's tax classification code (税收分类编码): 19 digits, or '' while the store has not
-- given one. An e-invoice line needs it (docs/invoices.md); selling never does.
ALTER TABLE product ADD COLUMN tax_code TEXT NOT NULL DEFAULT ''
    CHECK (tax_code = '' OR (length(tax_code) = 19 AND tax_code NOT GLOB '*[^0-9]*'));

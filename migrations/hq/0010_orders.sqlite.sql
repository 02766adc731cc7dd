-- Online orders need PostgreSQL (row locks keep HQ from promising a unit twice); the SQLite demo
-- storage keeps order facts as events and their stock movements, and has no order tables.
SELECT 1;

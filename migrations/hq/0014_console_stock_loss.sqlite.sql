-- The console's stock and loss-prevention rollups are PostgreSQL only (the console needs it):
-- see 0013_console_stock_loss.postgres.sql. This file keeps both engines' numbering in step.
SELECT 1;

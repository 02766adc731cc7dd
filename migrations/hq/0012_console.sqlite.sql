-- The web console (hq/console/) runs on PostgreSQL only: its accounts, audit log and sales
-- rollups are in 0009_console.postgres.sql. This file keeps both engines' numbering in step.
SELECT 1;

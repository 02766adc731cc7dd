-- The console's loss-prevention rollups are PostgreSQL only (the console needs it): see
-- the postgres file of this number. This file keeps both engines' numbering in step.
SELECT 1;

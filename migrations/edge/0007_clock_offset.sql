-- This terminal's clock against HQ's, as the sync agent measured it from HQ's time in its acks
-- (cloud_sync/hq_clock.py): the till's status strip, `pos doctor` and the fleet view read it.
ALTER TABLE sync_status ADD COLUMN clock_offset_s REAL;      -- this clock minus HQ's, seconds
ALTER TABLE sync_status ADD COLUMN clock_checked_at TEXT;    -- when (UTC ISO-8601)

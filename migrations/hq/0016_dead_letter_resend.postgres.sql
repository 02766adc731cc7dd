-- A resend requested from the console: who asked and when. A dead letter asked for again is no
-- longer listed among a terminal's rejections (its seq is expected anew, hq_received forgets it).
ALTER TABLE hq_dead_letter ADD COLUMN resend_requested_at TIMESTAMPTZ;
ALTER TABLE hq_dead_letter ADD COLUMN resend_requested_by TEXT;

-- An event's delivery state lives apart from the event. The outbox row of a sale is ~2 KB (its
-- payload), and marking it acked rewrote the whole row: in a backlog drain that was the sync
-- agent's costliest work, half of its CPU, paid by the sales HQ's workers were waiting for.
-- outbox_event holds the fact as written (never changed); outbox_state its state, one narrow row
-- per event, written with it in the same transaction (edge/ledger/outbox.py writes both). `outbox`
-- stays what every reader knows: a view with the old columns; its triggers keep an UPDATE or
-- DELETE through it (a restore marking events acked) working as on the old table.
ALTER TABLE outbox RENAME TO outbox_event;  -- the facts' references (sale.event_seq...) follow

CREATE TABLE outbox_state (
    seq           INTEGER PRIMARY KEY REFERENCES outbox_event (seq),
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'acked', 'rejected')),
    acked_at      TEXT,
    reject_reason TEXT
);
INSERT INTO outbox_state (seq, state, acked_at, reject_reason)
    SELECT seq, state, acked_at, reject_reason FROM outbox_event;

DROP INDEX outbox_pending;
ALTER TABLE outbox_event DROP COLUMN reject_reason;
ALTER TABLE outbox_event DROP COLUMN acked_at;
ALTER TABLE outbox_event DROP COLUMN state;

-- Partial: an index of what is still to do, as small as the backlog; an ack removes its rows.
CREATE INDEX outbox_pending ON outbox_state (seq) WHERE state = 'pending';
CREATE INDEX outbox_rejected ON outbox_state (seq) WHERE state = 'rejected';

-- The state row leads, and each event column is looked up only when a query uses it: a count
-- by state (the till's status, backups, `pos sync status`) reads the narrow rows alone.
CREATE VIEW outbox AS
    SELECT s.seq AS seq,
           (SELECT e.event_id FROM outbox_event AS e WHERE e.seq = s.seq) AS event_id,
           (SELECT e.type FROM outbox_event AS e WHERE e.seq = s.seq) AS type,
           (SELECT e.payload FROM outbox_event AS e WHERE e.seq = s.seq) AS payload,
           (SELECT e.created_at FROM outbox_event AS e WHERE e.seq = s.seq) AS created_at,
           s.state AS state, s.acked_at AS acked_at, s.reject_reason AS reject_reason
    FROM outbox_state AS s;

CREATE TRIGGER outbox_update_state INSTEAD OF UPDATE OF state, acked_at, reject_reason ON outbox
BEGIN
    UPDATE outbox_state SET state = NEW.state, acked_at = NEW.acked_at,
                            reject_reason = NEW.reject_reason
    WHERE seq = OLD.seq;
END;

CREATE TRIGGER outbox_update_event INSTEAD OF UPDATE OF event_id, type, payload, created_at
ON outbox BEGIN
    UPDATE outbox_event SET event_id = NEW.event_id, type = NEW.type, payload = NEW.payload,
                            created_at = NEW.created_at
    WHERE seq = OLD.seq;
END;

CREATE TRIGGER outbox_delete INSTEAD OF DELETE ON outbox BEGIN
    DELETE FROM outbox_state WHERE seq = OLD.seq;
    DELETE FROM outbox_event WHERE seq = OLD.seq;
END;

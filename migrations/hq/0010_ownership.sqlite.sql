-- The SQLite twin of 0009_ownership.postgres.sql.
CREATE TABLE hq_grant (
    id          INTEGER PRIMARY KEY,
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    owner_store TEXT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX hq_grant_object ON hq_grant (object_id, kind);

CREATE TABLE hq_security_alert (
    id       INTEGER PRIMARY KEY,
    store    TEXT NOT NULL,
    terminal TEXT NOT NULL,
    seq      INTEGER,
    event_id TEXT NOT NULL,
    type     TEXT NOT NULL,
    detail   TEXT NOT NULL,
    at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX hq_security_alert_event ON hq_security_alert (store, terminal, seq);

ALTER TABLE hq_sv_card ADD COLUMN owner_store TEXT;
UPDATE hq_sv_card SET owner_store = (
    SELECT m.store FROM hq_sv_movement m WHERE m.card_no = hq_sv_card.card_no
    AND m.kind = 'topup' ORDER BY m.received_at, m.seq LIMIT 1);

DROP INDEX hq_sale_sale_id;
CREATE UNIQUE INDEX hq_sale_sale_id ON hq_sale (sale_id, store, terminal);
DROP INDEX hq_event_return_id;
CREATE UNIQUE INDEX hq_event_return_id ON hq_event (json_extract(payload, '$.return_id'), store,
    terminal) WHERE type = 'return.completed';
CREATE INDEX hq_event_original_sale ON hq_event (json_extract(payload, '$.original_sale_id'))
    WHERE type = 'return.completed';
CREATE INDEX hq_event_member ON hq_event (json_extract(payload, '$.member_id'))
    WHERE type = 'member.registered';

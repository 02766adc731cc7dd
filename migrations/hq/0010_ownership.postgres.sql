-- The ownership rule (hq/ownership.py): the grants HQ's look-ups give a terminal for another
-- store's object, the security alerts of facts that named one without a grant, the store that
-- owns a stored-value card, and fact ids kept per sender: a sale or return id another terminal
-- took first is held twice (and raises an alert when read), never a reason to refuse the genuine.
CREATE TABLE hq_grant (
    id          BIGSERIAL PRIMARY KEY,
    store       TEXT NOT NULL,              -- the terminal the look-up answered
    terminal    TEXT NOT NULL,
    kind        TEXT NOT NULL,              -- hq/ownership.py Kind: 'sale', 'card', ...
    object_id   TEXT NOT NULL,
    owner_store TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount >= 0),  -- fen the terminal's facts may charge
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX hq_grant_object ON hq_grant (object_id, kind);

CREATE TABLE hq_security_alert (
    id       BIGSERIAL PRIMARY KEY,
    store    TEXT NOT NULL,
    terminal TEXT NOT NULL,
    seq      BIGINT,
    event_id TEXT NOT NULL,
    type     TEXT NOT NULL,
    detail   TEXT NOT NULL,
    at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX hq_security_alert_event ON hq_security_alert (store, terminal, seq);

-- A card belongs to the store of its first topup at HQ.
ALTER TABLE hq_sv_card ADD COLUMN owner_store TEXT;
UPDATE hq_sv_card c SET owner_store = (
    SELECT m.store FROM hq_sv_movement m WHERE m.card_no = c.card_no AND m.kind = 'topup'
    ORDER BY m.received_at, m.seq LIMIT 1);

DROP INDEX hq_sale_sale_id;
CREATE UNIQUE INDEX hq_sale_sale_id ON hq_sale (sale_id, store, terminal);
DROP INDEX hq_event_return_id;
CREATE UNIQUE INDEX hq_event_return_id ON hq_event ((payload->>'return_id'), store, terminal)
    WHERE type = 'return.completed';
CREATE INDEX hq_event_original_sale ON hq_event ((payload->>'original_sale_id'))
    WHERE type = 'return.completed';
CREATE INDEX hq_event_member ON hq_event ((payload->>'member_id'))
    WHERE type = 'member.registered';

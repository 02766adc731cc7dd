-- The SQLite twin of 0004_stored_value_ledger.postgres.sql.
CREATE TABLE hq_sv_movement (
    movement_id TEXT PRIMARY KEY,
    card_no     TEXT NOT NULL,
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('topup', 'spend', 'refund')),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    delta       INTEGER NOT NULL,
    sale_id     TEXT,
    return_id   TEXT,
    shift_id    TEXT,
    tender      TEXT,
    offline     INTEGER NOT NULL,
    overdraft   INTEGER NOT NULL DEFAULT 0,
    at          TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX hq_sv_movement_card ON hq_sv_movement (card_no, store, terminal, seq);
CREATE INDEX hq_sv_movement_store ON hq_sv_movement (store, terminal, kind, seq);

CREATE TABLE hq_sv_card (
    card_no       TEXT PRIMARY KEY,
    balance       INTEGER NOT NULL,
    lock_store    TEXT,
    lock_terminal TEXT,
    lock_until    TEXT
);

CREATE TABLE hq_sv_alert (
    id          INTEGER PRIMARY KEY,
    card_no     TEXT NOT NULL,
    movement_id TEXT NOT NULL,
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    detail      TEXT NOT NULL,
    at          TEXT NOT NULL
);

DROP INDEX hq_event_card;

-- HQ's stored-value ledger (hq/storage/ledger.py): one row per movement, the card's balance kept
-- with it in the same transaction, and the alerts the rules raise. Amounts are BIGINT fen.
CREATE TABLE hq_sv_movement (
    movement_id TEXT PRIMARY KEY,          -- the event id: a replay changes nothing
    card_no     TEXT NOT NULL,
    store       TEXT NOT NULL,             -- the store whose takings a topup belongs to
    terminal    TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('topup', 'spend', 'refund')),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    delta       BIGINT NOT NULL,           -- the signed effect on the balance
    sale_id     TEXT,
    return_id   TEXT,
    shift_id    TEXT,
    tender      TEXT,
    offline     BOOLEAN NOT NULL,
    overdraft   BOOLEAN NOT NULL DEFAULT FALSE,
    at          TEXT NOT NULL,             -- the till's clock, as sent
    received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX hq_sv_movement_card ON hq_sv_movement (card_no, store, terminal, seq);
CREATE INDEX hq_sv_movement_store ON hq_sv_movement (store, terminal, kind, seq);

CREATE TABLE hq_sv_card (
    card_no       TEXT PRIMARY KEY,
    balance       BIGINT NOT NULL,
    lock_store    TEXT,                    -- an offline spend's terminal, until it catches up,
    lock_terminal TEXT,                    -- the lock expires or HQ clears it
    lock_until    TIMESTAMPTZ
);

CREATE TABLE hq_sv_alert (
    id          BIGSERIAL PRIMARY KEY,
    card_no     TEXT NOT NULL,
    movement_id TEXT NOT NULL,
    store       TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    detail      TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);

-- Look-ups read the ledger now, not hq_event.
DROP INDEX hq_event_card;

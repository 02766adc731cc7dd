-- The SQLite twin of 0012_loyalty.postgres.sql.
-- Members' points and coupons at HQ (hq/loyalty/ledger.py): one ledger of points movements per
-- member, fed by the stores' member.points facts and by the online channel; the holds a till's
-- look-up puts on points or on a coupon; coupons HQ issued and every redemption a store reported.
CREATE TABLE hq_points_movement (
    movement_id TEXT PRIMARY KEY,            -- the event id, or the online channel's reference
    member_id   TEXT NOT NULL,
    store       TEXT,                        -- NULL: the online channel
    terminal    TEXT,
    seq         INTEGER,
    kind        TEXT NOT NULL,               -- 'sale' (earn − redeem at a till), 'online_earn', 'online_spend'
    points      INTEGER NOT NULL,             -- signed
    sale_id     TEXT,
    offline     INTEGER NOT NULL DEFAULT 0,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX hq_points_movement_member ON hq_points_movement (member_id, store, terminal, seq);

CREATE TABLE hq_points_member (
    member_id TEXT PRIMARY KEY,
    balance   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE hq_points_hold (
    id         INTEGER PRIMARY KEY,
    member_id  TEXT NOT NULL,
    store      TEXT NOT NULL,
    terminal   TEXT NOT NULL,
    points     INTEGER NOT NULL CHECK (points > 0),
    expires_at TEXT NOT NULL
);
CREATE INDEX hq_points_hold_member ON hq_points_hold (member_id);

CREATE TABLE hq_loyalty_alert (
    id        INTEGER PRIMARY KEY,
    member_id TEXT,
    code      TEXT,
    store     TEXT,
    terminal  TEXT,
    detail    TEXT NOT NULL,
    at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE hq_coupon (
    code          TEXT PRIMARY KEY,
    member_id     TEXT NOT NULL,
    value         INTEGER NOT NULL CHECK (value > 0),   -- fen
    expires_at    TEXT NOT NULL,
    issued_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    hold_store    TEXT,
    hold_terminal TEXT,
    hold_until    TEXT,
    redeemed_by   TEXT                                  -- 'store/terminal', or 'online:REF'
);

CREATE TABLE hq_coupon_redemption (
    event_id  TEXT PRIMARY KEY,
    code      TEXT NOT NULL,
    store     TEXT NOT NULL,
    terminal  TEXT NOT NULL,
    seq       INTEGER,
    sale_id   TEXT NOT NULL,
    amount    INTEGER NOT NULL,
    offline   INTEGER NOT NULL,
    accepted  INTEGER NOT NULL,
    reason    TEXT,
    at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX hq_coupon_redemption_code ON hq_coupon_redemption (code);

-- The points HQ already holds as generic member.points facts start the ledger.
INSERT INTO hq_points_movement (movement_id, member_id, store, terminal, seq, kind, points, sale_id)
SELECT event_id, json_extract(payload, '$.member_id'), store, terminal, seq, 'sale',
       json_extract(payload, '$.earned') - json_extract(payload, '$.redeemed'),
       json_extract(payload, '$.sale_id')
FROM hq_event WHERE type = 'member.points' AND json_extract(payload, '$.member_id') IS NOT NULL
    AND typeof(json_extract(payload, '$.earned')) = 'integer'
    AND typeof(json_extract(payload, '$.redeemed')) = 'integer'
ON CONFLICT DO NOTHING;
INSERT INTO hq_points_member (member_id, balance)
SELECT member_id, sum(points) FROM hq_points_movement GROUP BY member_id;

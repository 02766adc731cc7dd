-- Members' points and coupons at HQ (hq/loyalty/ledger.py): one ledger of points movements per
-- member, fed by the stores' member.points facts and by the online channel; the holds a till's
-- look-up puts on points or on a coupon; coupons HQ issued and every redemption a store reported.
CREATE TABLE hq_points_movement (
    movement_id TEXT PRIMARY KEY,            -- the event id, or the online channel's reference
    member_id   TEXT NOT NULL,
    store       TEXT,                        -- NULL: the online channel
    terminal    TEXT,
    seq         BIGINT,
    kind        TEXT NOT NULL,               -- 'sale' (earn − redeem at a till), 'online_earn', 'online_spend'
    points      BIGINT NOT NULL,             -- signed
    sale_id     TEXT,
    offline     BOOLEAN NOT NULL DEFAULT FALSE,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX hq_points_movement_member ON hq_points_movement (member_id, store, terminal, seq);

CREATE TABLE hq_points_member (
    member_id TEXT PRIMARY KEY,
    balance   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE hq_points_hold (
    id         BIGSERIAL PRIMARY KEY,
    member_id  TEXT NOT NULL,
    store      TEXT NOT NULL,
    terminal   TEXT NOT NULL,
    points     BIGINT NOT NULL CHECK (points > 0),
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX hq_points_hold_member ON hq_points_hold (member_id);

CREATE TABLE hq_loyalty_alert (
    id        BIGSERIAL PRIMARY KEY,
    member_id TEXT,
    code      TEXT,
    store     TEXT,
    terminal  TEXT,
    detail    TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE hq_coupon (
    code          TEXT PRIMARY KEY,
    member_id     TEXT NOT NULL,
    value         BIGINT NOT NULL CHECK (value > 0),   -- fen
    expires_at    TIMESTAMPTZ NOT NULL,
    issued_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    hold_store    TEXT,
    hold_terminal TEXT,
    hold_until    TIMESTAMPTZ,
    redeemed_by   TEXT                                  -- 'store/terminal', or 'online:REF'
);

CREATE TABLE hq_coupon_redemption (
    event_id  TEXT PRIMARY KEY,
    code      TEXT NOT NULL,
    store     TEXT NOT NULL,
    terminal  TEXT NOT NULL,
    seq       BIGINT,
    sale_id   TEXT NOT NULL,
    amount    BIGINT NOT NULL,
    offline   BOOLEAN NOT NULL,
    accepted  BOOLEAN NOT NULL,
    reason    TEXT,
    at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX hq_coupon_redemption_code ON hq_coupon_redemption (code);

-- The points HQ already holds as generic member.points facts start the ledger.
INSERT INTO hq_points_movement (movement_id, member_id, store, terminal, seq, kind, points, sale_id)
SELECT event_id, payload->>'member_id', store, terminal, seq, 'sale',
       (payload->>'earned')::bigint - (payload->>'redeemed')::bigint, payload->>'sale_id'
FROM hq_event WHERE type = 'member.points' AND payload->>'member_id' IS NOT NULL
    AND payload->>'earned' ~ '^[0-9]{1,12}$' AND payload->>'redeemed' ~ '^[0-9]{1,12}$'
ON CONFLICT DO NOTHING;
INSERT INTO hq_points_member (member_id, balance)
SELECT member_id, sum(points) FROM hq_points_movement GROUP BY member_id;

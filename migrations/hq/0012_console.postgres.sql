-- The HQ web console (hq/console/): accounts, sessions, the audit log of every change, dead
-- letters marked resolved, and the sales rollups the ingest transaction keeps (hq/storage/rollups.py)
-- so that no page view scans raw sale lines.

CREATE TABLE hq_user (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'manager')),
    stores        TEXT[] NOT NULL DEFAULT '{}',   -- a manager's stores; ignored for HQ roles
    password_hash TEXT NOT NULL,                  -- scrypt$n$r$p$salt$hash (hq/console/accounts.py)
    locale        TEXT,                           -- 'en' or 'zh_CN'; NULL: from the browser
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A session is known by the SHA-256 of its cookie, so a copy of this table opens no session.
CREATE TABLE hq_session (
    token_hash  BYTEA PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES hq_user (id),
    csrf        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX hq_session_user ON hq_session (user_id);

-- Every change made through the console or `pos hq user`: who, what, when. Append-only.
CREATE TABLE hq_audit (
    id     BIGSERIAL PRIMARY KEY,
    at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor  TEXT NOT NULL,            -- a username, or 'cli:<os user>'
    action TEXT NOT NULL,            -- e.g. login, login_failed, user.add, dead_letter.resolve
    target TEXT NOT NULL DEFAULT '',
    detail JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX hq_audit_at ON hq_audit (at);

ALTER TABLE hq_dead_letter ADD COLUMN resolved_at TIMESTAMPTZ;
ALTER TABLE hq_dead_letter ADD COLUMN resolved_by TEXT;
ALTER TABLE hq_dead_letter ADD COLUMN resolution  TEXT;

-- Completed sales per store, business day and hour of the day (HQ's zone, from closed_at).
-- net: Σ sale total (after discounts, tax included, before cash rounding), fen.
CREATE TABLE hq_rollup_sales_hour (
    store         TEXT NOT NULL,
    business_date DATE NOT NULL,
    hour          SMALLINT NOT NULL CHECK (hour BETWEEN 0 AND 23),
    sales         BIGINT NOT NULL,
    net           BIGINT NOT NULL,
    PRIMARY KEY (business_date, store, hour)
);

-- What each tender kept, per store and business day: its amount, less the change for cash.
CREATE TABLE hq_rollup_tender_day (
    store         TEXT NOT NULL,
    business_date DATE NOT NULL,
    tender        TEXT NOT NULL,
    tenders       BIGINT NOT NULL,
    amount        BIGINT NOT NULL,
    PRIMARY KEY (business_date, store, tender)
);

-- Sales HQ held before the rollups existed, rolled up once here.
INSERT INTO hq_rollup_sales_hour (store, business_date, hour, sales, net)
SELECT store, business_date,
       extract(hour FROM closed_at AT TIME ZONE 'Asia/Shanghai')::smallint, count(*), sum(total)
  FROM hq_sale WHERE status = 'completed' GROUP BY 1, 2, 3;
INSERT INTO hq_rollup_tender_day (store, business_date, tender, tenders, amount)
SELECT store, business_date, type, count(*), sum(kept) FROM (
    SELECT s.store, s.business_date, t.type,
           t.amount - CASE WHEN t.type = 'cash' AND t.tender_no = (
               SELECT max(c.tender_no) FROM hq_sale_tender c WHERE c.store = s.store
                  AND c.terminal = s.terminal AND c.seq = s.seq AND c.type = 'cash')
               THEN s.change ELSE 0 END AS kept
      FROM hq_sale s JOIN hq_sale_tender t USING (store, terminal, seq)
     WHERE s.status = 'completed') k
 GROUP BY 1, 2, 3;

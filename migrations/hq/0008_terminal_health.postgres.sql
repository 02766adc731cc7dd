-- Each terminal's latest health report (`pos doctor --publish`), kept by the ingest workers for
-- `pos hq fleet`: the figures an operator sorts and filters by as columns, and the whole
-- validated report as JSON, so a field added to the report needs no migration.
CREATE TABLE hq_terminal_health (
    store                 TEXT NOT NULL,
    terminal              TEXT NOT NULL,
    received_at           TIMESTAMPTZ NOT NULL,  -- HQ's clock: "last seen", whatever the till's says
    reported_at           TIMESTAMPTZ NOT NULL,  -- the terminal's clock
    status                TEXT NOT NULL CHECK (status IN ('ok', 'warn', 'fail')),
    version               TEXT NOT NULL,
    pending               BIGINT,                -- events not yet at HQ
    oldest_unsynced_age_s DOUBLE PRECISION,
    disk_free_bytes       BIGINT,
    clock_offset_s        DOUBLE PRECISION,
    last_backup_age_s     DOUBLE PRECISION,
    report                JSONB NOT NULL,
    PRIMARY KEY (store, terminal)
);
CREATE INDEX hq_terminal_health_received ON hq_terminal_health (received_at);

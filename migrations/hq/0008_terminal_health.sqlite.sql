-- The SQLite twin of 0008_terminal_health.postgres.sql: each terminal's latest health report,
-- known figures as columns, the whole validated report as JSON text. Times are UTC ISO-8601.
CREATE TABLE hq_terminal_health (
    store                 TEXT NOT NULL,
    terminal              TEXT NOT NULL,
    received_at           TEXT NOT NULL,
    reported_at           TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('ok', 'warn', 'fail')),
    version               TEXT NOT NULL,
    pending               INTEGER,
    oldest_unsynced_age_s REAL,
    disk_free_bytes       INTEGER,
    clock_offset_s        REAL,
    last_backup_age_s     REAL,
    report                TEXT NOT NULL,
    PRIMARY KEY (store, terminal)
);
CREATE INDEX hq_terminal_health_received ON hq_terminal_health (received_at);

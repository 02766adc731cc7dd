-- The SQLite twin of 0005_journal_heads.postgres.sql.
ALTER TABLE hq_terminal ADD COLUMN journal_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hq_terminal ADD COLUMN journal_hash TEXT NOT NULL DEFAULT '';

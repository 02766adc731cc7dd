-- The journal head (seq, hash) each terminal last sent with its events: an anchor that a
-- journal rewritten later no longer matches (`pos hq heads`, `pos journal verify --heads`).
ALTER TABLE hq_terminal ADD COLUMN journal_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE hq_terminal ADD COLUMN journal_hash TEXT NOT NULL DEFAULT '';

CREATE TABLE legacy_refresh_tokens (
    hash BYTEA PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE
);
--bun:split
INSERT INTO legacy_refresh_tokens (hash, session_id)
    SELECT refresh_hash, id FROM sessions WHERE refresh_hash IS NOT NULL AND refresh_gen = 0;
--bun:split
DROP INDEX sessions_refresh_hash_key;

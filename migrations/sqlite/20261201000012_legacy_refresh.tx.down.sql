CREATE UNIQUE INDEX sessions_refresh_hash_key ON sessions (refresh_hash);
--bun:split
DROP TABLE legacy_refresh_tokens;

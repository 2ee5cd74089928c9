CREATE TABLE key_pairs (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    api_key TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    verified_at TIMESTAMP,
    last_used_at TIMESTAMP
);
--bun:split
CREATE UNIQUE INDEX key_pairs_api_key_key ON key_pairs (api_key);
--bun:split
CREATE INDEX key_pairs_user_idx ON key_pairs (user_id, created_at);

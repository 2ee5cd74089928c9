CREATE TABLE key_pairs (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    api_key TEXT NOT NULL,
    secret_hash BYTEA NOT NULL,
    verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    verified_at TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);
--bun:split
CREATE UNIQUE INDEX key_pairs_api_key_key ON key_pairs (api_key);
--bun:split
CREATE INDEX key_pairs_user_idx ON key_pairs (user_id, created_at);

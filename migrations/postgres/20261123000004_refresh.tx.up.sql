ALTER TABLE sessions ADD COLUMN idle_seconds INTEGER NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE sessions ADD COLUMN refresh_rotated_at TIMESTAMPTZ;
--bun:split
CREATE TABLE used_refresh_tokens (
    hash BYTEA PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    rotated_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX used_refresh_tokens_session_idx ON used_refresh_tokens (session_id);

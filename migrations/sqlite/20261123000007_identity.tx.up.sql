CREATE TABLE identity_verifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stripe_session_id TEXT NOT NULL,
    status TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
--bun:split
CREATE UNIQUE INDEX identity_verifications_session_key ON identity_verifications (stripe_session_id);
--bun:split
CREATE INDEX identity_verifications_user_idx ON identity_verifications (user_id, created_at);

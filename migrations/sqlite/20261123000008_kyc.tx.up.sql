ALTER TABLE identity_verifications ADD COLUMN counted BOOLEAN NOT NULL DEFAULT TRUE;
--bun:split
ALTER TABLE identity_verifications ADD COLUMN screening TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE identity_verifications ADD COLUMN screening_tries INTEGER NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE identity_verifications ADD COLUMN screening_next_at TIMESTAMP;
--bun:split
ALTER TABLE identity_verifications ADD COLUMN screening_error TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE identity_verifications ADD COLUMN scan_id TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE identity_verifications ADD COLUMN matches INTEGER NOT NULL DEFAULT 0;
--bun:split
CREATE INDEX identity_verifications_screening_idx ON identity_verifications (screening, screening_next_at);
--bun:split
CREATE TABLE user_kyc (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    verification_id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    seal_key_id TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
--bun:split
CREATE TABLE stripe_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX stripe_events_received_idx ON stripe_events (received_at);

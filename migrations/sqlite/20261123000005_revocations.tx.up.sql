CREATE TABLE revocations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX revocations_created_idx ON revocations (created_at);
--bun:split
CREATE INDEX revocations_expires_idx ON revocations (expires_at);

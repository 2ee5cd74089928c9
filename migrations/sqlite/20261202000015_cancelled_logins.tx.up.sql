-- Logins cancelled with their own bearer before the code (DELETE /session/{id}), real
-- or decoy alike, so the bearer is refused afterwards on every instance without
-- telling which addresses have accounts. Kept until the bearer would have expired.
CREATE TABLE cancelled_logins (
    session_id TEXT PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX cancelled_logins_expires_idx ON cancelled_logins (expires_at);

CREATE TABLE rate_counters (
    bucket TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
--bun:split
CREATE INDEX rate_counters_expires_idx ON rate_counters (expires_at);
--bun:split
ALTER TABLE users ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE users ADD COLUMN codes_blocked_until TIMESTAMP;

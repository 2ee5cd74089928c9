CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    action TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    detail TEXT NOT NULL
);
--bun:split
CREATE INDEX audit_log_at_idx ON audit_log (at);
--bun:split
CREATE INDEX audit_log_target_idx ON audit_log (target_id, at);
--bun:split
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);

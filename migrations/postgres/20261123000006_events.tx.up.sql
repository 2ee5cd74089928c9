CREATE TABLE outbox_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    user_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE TABLE event_deliveries (
    event_id TEXT NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    user_id TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_until TIMESTAMPTZ,
    last_error TEXT NOT NULL DEFAULT '',
    delivered_at TIMESTAMPTZ,
    PRIMARY KEY (event_id, endpoint)
);
--bun:split
CREATE INDEX event_deliveries_due_idx ON event_deliveries (status, next_attempt_at);
--bun:split
CREATE INDEX event_deliveries_order_idx ON event_deliveries (endpoint, user_id, status, occurred_at);

CREATE TABLE changes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX changes_created_idx ON changes (created_at);
--bun:split
ALTER TABLE outbox_events ADD COLUMN routed_at TIMESTAMPTZ;
--bun:split
UPDATE outbox_events SET routed_at = occurred_at;
--bun:split
CREATE INDEX outbox_events_unrouted_idx ON outbox_events (occurred_at) WHERE routed_at IS NULL;

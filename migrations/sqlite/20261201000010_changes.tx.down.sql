DROP INDEX outbox_events_unrouted_idx;
--bun:split
ALTER TABLE outbox_events DROP COLUMN routed_at;
--bun:split
DROP TABLE changes;

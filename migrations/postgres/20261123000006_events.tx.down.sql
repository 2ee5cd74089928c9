DROP TABLE event_deliveries;
--bun:split
DROP TABLE outbox_events;

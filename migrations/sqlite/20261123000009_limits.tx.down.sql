ALTER TABLE users DROP COLUMN codes_blocked_until;
--bun:split
ALTER TABLE users DROP COLUMN code_failures;
--bun:split
DROP TABLE rate_counters;

DROP TABLE used_refresh_tokens;
--bun:split
ALTER TABLE sessions DROP COLUMN refresh_rotated_at;
--bun:split
ALTER TABLE sessions DROP COLUMN idle_seconds;

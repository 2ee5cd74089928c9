ALTER TABLE sessions ADD COLUMN register_alias TEXT;
--bun:split
ALTER TABLE sessions ADD COLUMN register_full_name TEXT;
--bun:split
ALTER TABLE users ADD COLUMN invited_by TEXT;

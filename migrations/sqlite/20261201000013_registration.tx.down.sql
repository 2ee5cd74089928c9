ALTER TABLE users DROP COLUMN invited_by;
--bun:split
ALTER TABLE sessions DROP COLUMN register_full_name;
--bun:split
ALTER TABLE sessions DROP COLUMN register_alias;

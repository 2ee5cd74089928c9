ALTER TABLE sessions DROP COLUMN register_full_name;
ALTER TABLE sessions DROP COLUMN register_alias;

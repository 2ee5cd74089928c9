ALTER TABLE sessions ADD COLUMN register_alias TEXT;
ALTER TABLE sessions ADD COLUMN register_full_name TEXT;

ALTER TABLE sessions DROP COLUMN refresh_gen;

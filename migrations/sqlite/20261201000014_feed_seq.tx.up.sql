-- Commit order for the revocation feed: SQLite has one writer at a time, so a counter
-- bumped by each insert, under the write lock, numbers entries in commit order.
CREATE TABLE revocation_seq (n INTEGER NOT NULL);
--bun:split
INSERT INTO revocation_seq (n) VALUES (0);
--bun:split
ALTER TABLE revocations ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
--bun:split
CREATE INDEX revocations_seq_idx ON revocations (seq);
--bun:split
CREATE TRIGGER revocations_number AFTER INSERT ON revocations
BEGIN
    UPDATE revocation_seq SET n = n + 1;
    UPDATE revocations SET seq = (SELECT n FROM revocation_seq) WHERE rowid = NEW.rowid;
END;

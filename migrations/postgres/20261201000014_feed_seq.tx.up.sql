-- Commit order for the revocation feed: each entry carries its transaction's ID, and a
-- reader's cursor is its snapshot's xmin (every transaction below it has ended), so an
-- entry whose transaction commits late is still read (issue 11).
ALTER TABLE revocations ADD COLUMN seq BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
--bun:split
CREATE INDEX revocations_seq_idx ON revocations (seq);

DROP TRIGGER revocations_number;
--bun:split
DROP INDEX revocations_seq_idx;
--bun:split
ALTER TABLE revocations DROP COLUMN seq;
--bun:split
DROP TABLE revocation_seq;

DROP INDEX revocations_seq_idx;
--bun:split
ALTER TABLE revocations DROP COLUMN seq;

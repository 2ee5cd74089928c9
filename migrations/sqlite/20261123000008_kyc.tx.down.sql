DROP TABLE stripe_events;
--bun:split
DROP TABLE user_kyc;
--bun:split
DROP INDEX identity_verifications_screening_idx;
--bun:split
ALTER TABLE identity_verifications DROP COLUMN matches;
--bun:split
ALTER TABLE identity_verifications DROP COLUMN scan_id;
--bun:split
ALTER TABLE identity_verifications DROP COLUMN screening_error;
--bun:split
ALTER TABLE identity_verifications DROP COLUMN screening_next_at;
--bun:split
ALTER TABLE identity_verifications DROP COLUMN screening_tries;
--bun:split
ALTER TABLE identity_verifications DROP COLUMN screening;
--bun:split
ALTER TABLE identity_verifications DROP COLUMN counted;

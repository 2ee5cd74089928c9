-- A new login code supersedes the address's unused ones (store.insertCode); this keeps that
-- update to the few unused codes instead of every code the address was ever sent.
CREATE INDEX verification_codes_unused_idx ON verification_codes (email_id, purpose) WHERE used_at IS NULL;

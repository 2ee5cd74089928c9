ALTER TABLE oauth_auth_requests DROP COLUMN browser_session_id;
--bun:split
DROP INDEX sessions_parent_idx;
--bun:split
ALTER TABLE sessions DROP COLUMN scope;
--bun:split
ALTER TABLE sessions DROP COLUMN parent_id;
--bun:split
ALTER TABLE sessions DROP COLUMN client_id;

-- Sessions an app's code exchange opens (OpenID Connect): the app they belong to, the
-- scopes granted (space-separated, as in the access token's scope claim), and the
-- browser session whose login started them, so ending that browser session (logout)
-- ends them too. Browser sessions and API sessions leave client_id and parent_id empty.
ALTER TABLE sessions ADD COLUMN client_id TEXT;
--bun:split
ALTER TABLE sessions ADD COLUMN parent_id TEXT;
--bun:split
ALTER TABLE sessions ADD COLUMN scope TEXT NOT NULL DEFAULT '';
--bun:split
CREATE INDEX sessions_parent_idx ON sessions (parent_id);
--bun:split
-- The browser session that answered an authorization request (its cookie's session);
-- the app session its code opens is session_id.
ALTER TABLE oauth_auth_requests ADD COLUMN browser_session_id TEXT;

-- Authorization requests of registered apps (OpenID Connect code flow): what the app
-- asked for, who logged in to answer it, and the code it was answered with. The code is
-- stored only as a hash, is single use, and names the session it opened, so a second
-- use can close what the first one issued. Kept until expires_at, then pruned.
CREATE TABLE oauth_auth_requests (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    response_mode TEXT NOT NULL,
    scopes TEXT NOT NULL,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    prompt TEXT NOT NULL,
    max_age_seconds INTEGER,
    login_hint TEXT NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    session_id TEXT,
    auth_time TIMESTAMP,
    amr TEXT NOT NULL,
    code_hash BLOB,
    code_expires_at TIMESTAMP,
    code_used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
--bun:split
CREATE UNIQUE INDEX oauth_auth_requests_code_idx ON oauth_auth_requests (code_hash);
--bun:split
CREATE INDEX oauth_auth_requests_expires_idx ON oauth_auth_requests (expires_at);

-- Registered apps (OpenID Connect relying parties). List-valued fields are JSON arrays
-- in text, alike on both dialects; the secret is stored only as a keyed hash, and a
-- rotated-out one stays valid until prev_secret_until.
CREATE TABLE oauth_clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    logo_url TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    backchannel_logout_uri TEXT NOT NULL DEFAULT '',
    scopes TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    first_party BOOLEAN NOT NULL DEFAULT FALSE,
    id_token_alg TEXT NOT NULL,
    access_ttl_seconds INTEGER NOT NULL DEFAULT 0,
    refresh_ttl_seconds INTEGER NOT NULL DEFAULT 0,
    secret_hash BYTEA,
    prev_secret_hash BYTEA,
    prev_secret_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- What a person allowed a third-party app to know or do (OpenID Connect consent): the
-- scopes granted, as a JSON array in text. One row per person and app; asking for a
-- scope outside it asks again, and revoking it closes that app's sessions.
CREATE TABLE oauth_consents (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

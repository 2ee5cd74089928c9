CREATE TABLE users (
    id TEXT PRIMARY KEY,
    alias TEXT NOT NULL,
    full_name TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
--bun:split
CREATE UNIQUE INDEX users_alias_key ON users (alias);
--bun:split
CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, role)
);
--bun:split
CREATE TABLE user_groups (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, group_name)
);
--bun:split
CREATE TABLE emails (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    verified BOOLEAN NOT NULL DEFAULT FALSE,
    preferred BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    verified_at TIMESTAMP
);
--bun:split
CREATE UNIQUE INDEX emails_verified_address_key ON emails (address) WHERE verified;
--bun:split
CREATE UNIQUE INDEX emails_user_address_key ON emails (user_id, address);
--bun:split
CREATE INDEX emails_address_idx ON emails (address);
--bun:split
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email_id TEXT REFERENCES emails (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    verified_at TIMESTAMP,
    revoked_at TIMESTAMP,
    refresh_hash BLOB
);
--bun:split
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at);
--bun:split
CREATE UNIQUE INDEX sessions_refresh_hash_key ON sessions (refresh_hash);
--bun:split
CREATE TABLE verification_codes (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email_id TEXT NOT NULL REFERENCES emails (id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
--bun:split
CREATE INDEX verification_codes_email_idx ON verification_codes (email_id, purpose);
--bun:split
CREATE INDEX verification_codes_expires_idx ON verification_codes (expires_at);
--bun:split
CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY,
    algorithm TEXT NOT NULL,
    state TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    private_sealed BLOB NOT NULL,
    seal_key_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    activated_at TIMESTAMP,
    retired_at TIMESTAMP,
    not_after TIMESTAMP
);

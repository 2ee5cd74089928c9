// Package keys owns authd's key material: the server secrets derived from the one
// key-encryption key (HKDF, one label per use), sealing at rest (AES-256-GCM), and the
// token-signing keys: created on first start, stored sealed through the Store
// interface, loaded into memory, and published as a JWK Set of public keys only.
// It does not mint or verify tokens (package issuer does).
package keys

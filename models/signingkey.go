package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Signing key states. A next key is published before it signs; a retired key stays
// published until every token it signed has expired.
const (
	KeyNext    = "next"
	KeyActive  = "active"
	KeyRetired = "retired"
	// KeyRevoked is withdrawn at once (compromised): never published, never accepted.
	KeyRevoked = "revoked"
)

// KeyChanges are what a key rotation decided: rows to insert and rows to update.
type KeyChanges struct {
	Insert []SigningKey
	Update []SigningKey
	// Effects go with the change (the change-feed entry that makes every instance
	// reload, an audit-worthy event); Now is when it was decided.
	Effects Effects
	Now     time.Time
}

// SigningKey is one token-signing key. PrivateSealed is the private key (PKCS#8 DER)
// sealed with AES-256-GCM; PublicJWK is the public half as a JSON Web Key.
type SigningKey struct {
	bun.BaseModel `bun:"table:signing_keys"`

	ID            string     `bun:"id,pk"` // the JWT kid
	Algorithm     string     `bun:"algorithm,notnull"`
	State         string     `bun:"state,notnull"`
	PublicJWK     string     `bun:"public_jwk,notnull"`
	PrivateSealed []byte     `bun:"private_sealed,notnull"`
	SealKeyID     string     `bun:"seal_key_id,notnull"` // which derived sealing key sealed it
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	ActivatedAt   *time.Time `bun:"activated_at"`
	RetiredAt     *time.Time `bun:"retired_at"`
	// NotAfter is when the key leaves the JWKS: retirement plus the longest lifetime of
	// a token it signed. Nil while the key is next or active.
	NotAfter *time.Time `bun:"not_after"`
}

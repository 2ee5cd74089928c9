package models

import (
	"time"

	"github.com/uptrace/bun"
)

// KeyPair is an API key and the keyed hash of its secret. The secret itself is shown
// once, at creation, and never stored.
type KeyPair struct {
	bun.BaseModel `bun:"table:key_pairs"`

	ID         string     `bun:"id,pk"`
	UserID     string     `bun:"user_id,notnull"`
	Name       string     `bun:"name,notnull"`
	APIKey     string     `bun:"api_key,notnull"`
	SecretHash []byte     `bun:"secret_hash,notnull"`
	Verified   bool       `bun:"verified,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	ExpiresAt  time.Time  `bun:"expires_at,notnull"`
	VerifiedAt *time.Time `bun:"verified_at"`
	LastUsedAt *time.Time `bun:"last_used_at"`
}

// KeyPairOwner is a key pair with what authenticating by it needs of its owner.
type KeyPairOwner struct {
	KeyPair  KeyPair
	Identity Identity
}

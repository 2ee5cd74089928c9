package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Revocation kinds on the feed gateways poll.
const (
	RevokedSession = "session" // Subject is a session ID: refuse its tokens (sid)
	RevokedUser    = "user"    // Subject is a user ID: refuse tokens issued before CreatedAt
	RevokedKeyPair = "keypair" // Subject is a key pair ID: drop any cached check of it
	RevokedToken   = "token"   // Subject is a token ID (jti): refuse that token
)

// Revocation is one entry of the revocation feed. It lives until ExpiresAt, when the
// last token it could cover has expired, and is pruned after.
type Revocation struct {
	bun.BaseModel `bun:"table:revocations"`

	ID        string    `bun:"id,pk"` // UUIDv7: time-ordered
	Kind      string    `bun:"kind,notnull"`
	Subject   string    `bun:"subject,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
	// Seq orders entries by commit, set by the database (store.RevocationsAfter).
	Seq int64 `bun:"seq,scanonly"`
}

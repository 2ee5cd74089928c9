package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Kinds of Change: what an instance may hold in memory that another instance's write
// made stale. Revocation kinds (session, user, keypair, token) are changes too.
const (
	ChangedUser        = RevokedUser    // Subject is a user ID: roles, flags, names or enabled changed
	ChangedSession     = RevokedSession // Subject is a session ID: its row changed (idle window, close)
	ChangedKeyPair     = RevokedKeyPair // Subject is a key pair ID: verified, deleted
	ChangedToken       = RevokedToken   // Subject is a revoked token ID (jti)
	ChangedSigningKeys = "signing-keys" // the signing keys changed (rotation, revocation); no subject
	ChangedClient      = "client"       // Subject is a registered app's client ID: changed, re-keyed or deleted
)

// Change is one entry of the internal change feed: every instance reads it (each
// second, and at once on a Postgres notification) and drops what it caches of
// Subject. Entries are pruned after ChangeRetention; a cache entry lives far less.
type Change struct {
	bun.BaseModel `bun:"table:changes"`

	ID        string    `bun:"id,pk"` // UUIDv7: time-ordered
	Kind      string    `bun:"kind,notnull"`
	Subject   string    `bun:"subject,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// ChangeRetention is how long change-feed entries are kept.
const ChangeRetention = time.Hour

// Event is a lifecycle event as a use case decides it; storage gives it an ID and
// writes it to the outbox. Data holds IDs only.
type Event struct {
	Type   string
	UserID string
	Data   map[string]string
}

// Effects are what a use case decided must be written together with a state change,
// in its transaction: lifecycle events, revocation-feed entries (with the horizon the
// use case chose) and change-feed entries. Storage records them only when the change
// itself happened; the use case evicts its own caches after the commit.
type Effects struct {
	Events      []Event
	Revocations []Revocation // Kind, Subject and ExpiresAt set; storage sets ID and CreatedAt
	Changes     []Change     // Kind and Subject set; storage sets ID and CreatedAt
	Audit       []AuditEvent // complete rows, written with the change (not after it)
	// LogoutApps says the change ends sessions and their apps must hear of it: storage
	// queues a back-channel logout notice (EventAppLogout) for each open app session the
	// change ends whose app registered a back-channel logout URI. Only storage knows,
	// inside the transaction, which sessions those are.
	LogoutApps bool
}

// Emit adds a lifecycle event.
func (fx *Effects) Emit(typ, userID string, data map[string]string) *Effects {
	fx.Events = append(fx.Events, Event{Type: typ, UserID: userID, Data: data})
	return fx
}

// Revoke adds a revocation-feed entry that lives until until, and the change every
// instance applies to its caches.
func (fx *Effects) Revoke(kind, subject string, until time.Time) *Effects {
	fx.Revocations = append(fx.Revocations, Revocation{Kind: kind, Subject: subject, ExpiresAt: until})
	return fx.Changed(kind, subject)
}

// Changed adds a change-feed entry.
func (fx *Effects) Changed(kind, subject string) *Effects {
	fx.Changes = append(fx.Changes, Change{Kind: kind, Subject: subject})
	return fx
}

// Add appends other's entries to fx.
func (fx *Effects) Add(other Effects) *Effects {
	fx.Events = append(fx.Events, other.Events...)
	fx.Revocations = append(fx.Revocations, other.Revocations...)
	fx.Changes = append(fx.Changes, other.Changes...)
	fx.Audit = append(fx.Audit, other.Audit...)
	fx.LogoutApps = fx.LogoutApps || other.LogoutApps
	return fx
}

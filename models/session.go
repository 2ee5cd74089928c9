package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Session kinds accepted by POST /session.
const (
	SessionWeb     = "web"
	SessionMobile  = "mobile"
	SessionCLI     = "cli"
	SessionService = "service"
)

// Session kinds of the OpenID Provider, never chosen through POST /session: the hosted
// login's browser session (its cookie serves single sign-on), and the session one
// app's code exchange opens under it.
const (
	SessionBrowser = "browser"
	SessionApp     = "app"
)

// ValidSessionKind reports whether k is one of the session kinds.
func ValidSessionKind(k string) bool {
	switch k {
	case SessionWeb, SessionMobile, SessionCLI, SessionService:
		return true
	}
	return false
}

// Session is one login of one user on one client. It is pending until its email code
// is verified (VerifiedAt set), then it holds a refresh token (only its hash) and
// access tokens are minted for it. ExpiresAt is the absolute end; LastSeenAt drives the
// idle timeout.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	ID          string     `bun:"id,pk"`
	UserID      string     `bun:"user_id,notnull"`
	EmailID     string     `bun:"email_id,nullzero"` // the address the login code went to; empty once removed
	Kind        string     `bun:"kind,notnull"`
	IP          string     `bun:"ip,notnull"`
	UserAgent   string     `bun:"user_agent,notnull"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	ExpiresAt   time.Time  `bun:"expires_at,notnull"`
	LastSeenAt  time.Time  `bun:"last_seen_at,notnull"`
	VerifiedAt  *time.Time `bun:"verified_at"`
	RevokedAt   *time.Time `bun:"revoked_at"`
	RefreshHash []byte     `bun:"refresh_hash"` // SHA-256 of the current refresh token's secret
	// RefreshGen is the current refresh token's generation (issuer.Refresh).
	RefreshGen int64 `bun:"refresh_gen,notnull"`
	// IdleSeconds is this session's idle timeout, fixed at login (admins get a short
	// one); zero means the configured default.
	IdleSeconds      int        `bun:"idle_seconds,notnull"`
	RefreshRotatedAt *time.Time `bun:"refresh_rotated_at"`
	// RegisterAlias and RegisterFullName are what a POST /user for an account nobody
	// has verified yet asked for: the first verified registration names the account.
	RegisterAlias    string `bun:"register_alias,nullzero"`
	RegisterFullName string `bun:"register_full_name,nullzero"`
	// ClientID, Scope and ParentID are set on app sessions: the app, the scopes it was
	// granted (space-separated) and the browser session whose login started it.
	ClientID string `bun:"client_id,nullzero"`
	Scope    string `bun:"scope,notnull"`
	ParentID string `bun:"parent_id,nullzero"`
}

// IdleTimeout is the session's own idle timeout, or def when it has none.
func (s *Session) IdleTimeout(def time.Duration) time.Duration {
	if s.IdleSeconds > 0 {
		return time.Duration(s.IdleSeconds) * time.Second
	}
	return def
}

// Active reports whether the session is verified, not revoked and not past its
// absolute or idle end at now; def is the idle timeout of sessions without their own.
func (s *Session) Active(now time.Time, def time.Duration) bool {
	return s.VerifiedAt != nil && s.RevokedAt == nil && now.Before(s.ExpiresAt) &&
		now.Before(s.LastSeenAt.Add(s.IdleTimeout(def)))
}

// UsedRefreshToken remembers a rotated-out refresh token (its hash) until its session
// ends, so presenting it again is recognised as reuse.
type UsedRefreshToken struct {
	bun.BaseModel `bun:"table:used_refresh_tokens"`

	Hash      []byte    `bun:"hash,pk"`
	SessionID string    `bun:"session_id,notnull"`
	RotatedAt time.Time `bun:"rotated_at,notnull"`
}

// Code purposes: what a verification code unlocks. A code is bound to its purpose and
// subject, so a code sent for one thing cannot unlock another.
const (
	PurposeSession = "session"
	PurposeEmail   = "email"
	PurposeKeyPair = "keypair"
)

// VerificationCode is a 6-digit code sent by email. Only an HMAC of it is stored.
type VerificationCode struct {
	bun.BaseModel `bun:"table:verification_codes"`

	ID        string     `bun:"id,pk"`
	Purpose   string     `bun:"purpose,notnull"`
	SubjectID string     `bun:"subject_id,notnull"` // session, email or key pair ID
	UserID    string     `bun:"user_id,notnull"`
	EmailID   string     `bun:"email_id,notnull"` // where it was sent
	CodeHash  []byte     `bun:"code_hash,notnull"`
	Attempts  int        `bun:"attempts,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	ExpiresAt time.Time  `bun:"expires_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
}

package models

import (
	"time"

	"github.com/uptrace/bun"
)

// AuthRequest is a registered app's authorization request (OpenID Connect code flow):
// what it asked for, then who logged in to answer it (UserID, SessionID, AuthTime, AMR),
// then the code it was answered with (its hash; single use, CodeUsedAt once redeemed).
type AuthRequest struct {
	bun.BaseModel `bun:"table:oauth_auth_requests"`

	ID                  string     `bun:"id,pk"`
	ClientID            string     `bun:"client_id,notnull"`
	RedirectURI         string     `bun:"redirect_uri,notnull"`
	ResponseMode        string     `bun:"response_mode,notnull"` // query or form_post
	Scopes              []string   `bun:"scopes,notnull"`
	State               string     `bun:"state,notnull"`
	Nonce               string     `bun:"nonce,notnull"`
	CodeChallenge       string     `bun:"code_challenge,notnull"`
	CodeChallengeMethod string     `bun:"code_challenge_method,notnull"` // S256, or "" without PKCE
	Prompt              []string   `bun:"prompt,notnull"`
	MaxAgeSeconds       *int       `bun:"max_age_seconds"`
	LoginHint           string     `bun:"login_hint,notnull"`
	UserID              string     `bun:"user_id,nullzero"`
	SessionID           string     `bun:"session_id,nullzero"` // the app session its code opens
	BrowserSessionID    string     `bun:"browser_session_id,nullzero"`
	AuthTime            *time.Time `bun:"auth_time"`
	AMR                 []string   `bun:"amr,notnull"`
	CodeHash            []byte     `bun:"code_hash"`
	CodeExpiresAt       *time.Time `bun:"code_expires_at"`
	CodeUsedAt          *time.Time `bun:"code_used_at"`
	CreatedAt           time.Time  `bun:"created_at,notnull"`
	ExpiresAt           time.Time  `bun:"expires_at,notnull"`
}

// AuthAnswer is who answered an authorization request and the code (its hash) that
// answers it: the person, the app session the code will open, the browser session
// they logged in with, when and how.
type AuthAnswer struct {
	RequestID, UserID           string
	SessionID, BrowserSessionID string
	AuthTime                    time.Time
	AMR                         []string
	CodeHash                    []byte
	CodeExpiresAt               time.Time
}

// ApplyTo records the answer on its request.
func (a AuthAnswer) ApplyTo(r *AuthRequest) {
	at, until := a.AuthTime, a.CodeExpiresAt
	r.UserID, r.SessionID, r.BrowserSessionID, r.AuthTime, r.AMR = a.UserID, a.SessionID, a.BrowserSessionID, &at, a.AMR
	r.CodeHash, r.CodeExpiresAt = a.CodeHash, &until
}

// Done reports a request someone logged in to answer.
func (r *AuthRequest) Done() bool { return r.UserID != "" }

package models

import (
	"time"

	"github.com/uptrace/bun"
)

// NewAccount is everything a registration writes at once.
type NewAccount struct {
	User   User
	Roles  []string
	Groups []string
	Email  Email
}

// EmailOwner is an email row with its account.
type EmailOwner struct {
	Email Email
	User  User
	// UserHasVerifiedEmail is true when the account has any verified address; an
	// account without one is a registration that was never completed.
	UserHasVerifiedEmail bool
}

// Activation is what verifying a session's code changes, all or nothing.
type Activation struct {
	CodeID      string
	SessionID   string
	UserID      string
	EmailID     string
	RefreshHash []byte
	ExpiresAt   time.Time // the session's absolute end from now on
	IdleSeconds int       // the session's idle timeout; 0 for the default
	Now         time.Time
	// Browser says the login is the hosted page's: only a browser session is activated
	// then, and never one otherwise, so a code works only at the door it was sent for.
	Browser bool
}

// SessionView is a session with the account fields GET /session shows.
type SessionView struct {
	Session `bun:",extend"`

	Alias        string `bun:"alias"`
	FullName     string `bun:"full_name"`
	UserEnabled  bool   `bun:"user_enabled"`
	UserVerified bool   `bun:"user_verified"`

	// CancelledUntil is set when the login was cancelled with its own bearer before its
	// code; for a decoy login it is all there is (no session row, no user).
	CancelledUntil *time.Time `bun:"cancelled_until,scanonly"`
}

// CancelledLogin records a login cancelled before its code, real or decoy, until its
// bearer would have expired.
type CancelledLogin struct {
	bun.BaseModel `bun:"table:cancelled_logins"`

	SessionID string    `bun:"session_id,pk"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
}

// UserFilter narrows a listing of users.
type UserFilter struct {
	Enabled *bool  // nil: both
	Role    string // "": any
}

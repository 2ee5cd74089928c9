package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Built-in role and group names. New users get RoleUser and GroupPublic.
const (
	RoleUser    = "user"
	RoleAdmin   = "admin"
	RolePartner = "partner"
	RoleGateway = "gateway" // may read the revocation feed
	GroupPublic = "public"
)

// User is an account. Alias is stored lowercased and unique.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID        string    `bun:"id,pk"`
	Alias     string    `bun:"alias,notnull"`
	FullName  string    `bun:"full_name,notnull"`
	Enabled   bool      `bun:"enabled,notnull"`
	Verified  bool      `bun:"verified,notnull"` // identity verification (KYC), not email
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
	// CodeFailures counts wrong codes in a row; a success resets it. While
	// CodesBlockedUntil is ahead, every code of the user is refused like a wrong one.
	CodeFailures      int        `bun:"code_failures,notnull"`
	CodesBlockedUntil *time.Time `bun:"codes_blocked_until"`
	// InvitedBy is the partner that opened the account (POST /partners/user); empty
	// for a self-registration. An invited account keeps the name and alias the partner
	// gave and does not expire unverified.
	InvitedBy string `bun:"invited_by,nullzero"`
}

// UserRole grants one role to one user.
type UserRole struct {
	bun.BaseModel `bun:"table:user_roles"`

	UserID    string    `bun:"user_id,pk"`
	Role      string    `bun:"role,pk"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// UserGroup puts one user in one group.
type UserGroup struct {
	bun.BaseModel `bun:"table:user_groups"`

	UserID    string    `bun:"user_id,pk"`
	Group     string    `bun:"group_name,pk"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// Email is an address on an account. A verified address belongs to one account at
// most (a partial unique index); an unverified one may sit on several.
type Email struct {
	bun.BaseModel `bun:"table:emails"`

	ID         string     `bun:"id,pk"`
	UserID     string     `bun:"user_id,notnull"`
	Address    string     `bun:"address,notnull"` // normalised: trimmed, lowercased
	Verified   bool       `bun:"verified,notnull"`
	Preferred  bool       `bun:"preferred,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	VerifiedAt *time.Time `bun:"verified_at"`
}

// Identity is what a session answers about its user: the account, its roles and
// groups. It is assembled by storage, never stored as such.
type Identity struct {
	User   User
	Roles  []string
	Groups []string
}

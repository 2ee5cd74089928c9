package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Identity verification states: Stripe's session states, plus none before any attempt.
const (
	VerificationNone          = "none"
	VerificationRequiresInput = "requires_input"
	VerificationProcessing    = "processing"
	VerificationVerified      = "verified"
	VerificationCanceled      = "canceled"
)

// IdentityVerification is one attempt: a Stripe Identity session tied to a user in our
// database (never by metadata coming back from Stripe).
type IdentityVerification struct {
	bun.BaseModel `bun:"table:identity_verifications"`

	ID              string    `bun:"id,pk"`
	UserID          string    `bun:"user_id,notnull"`
	StripeSessionID string    `bun:"stripe_session_id,notnull"`
	Status          string    `bun:"status,notnull"`
	LastError       string    `bun:"last_error,notnull"`
	CreatedAt       time.Time `bun:"created_at,notnull"`
	UpdatedAt       time.Time `bun:"updated_at,notnull"`
}

// Open reports whether the attempt can still be completed by the user.
func (v *IdentityVerification) Open() bool {
	return v.Status == VerificationRequiresInput || v.Status == VerificationProcessing
}

package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Identity verification states of one attempt: Stripe's session states, then authd's
// own once Stripe has verified the document (screening, and the outcome). None is
// what a user with no attempt reports.
const (
	VerificationNone          = "none"
	VerificationRequiresInput = "requires_input" // open: the user has not submitted yet
	VerificationProcessing    = "processing"     // open: Stripe is checking
	VerificationCanceled      = "canceled"       // closed by Stripe or us
	VerificationFailed        = "failed"         // Stripe's checks failed, or the screen hit
	VerificationScreening     = "screening"      // document verified; PEP and sanctions screen pending
	VerificationVerified      = "verified"       // document verified and screen clear
	VerificationRevoked       = "revoked"        // an admin withdrew the verification
)

// Screening outcomes of an attempt; empty until Stripe verifies the document.
const (
	ScreeningPending = "pending"
	ScreeningClear   = "clear"
	ScreeningHit     = "hit"
)

// IdentityVerification is one attempt: a Stripe Identity session tied to a user in our
// database (never by metadata coming back from Stripe). Counted attempts are spent
// against the limit; an admin reset stops counting the earlier ones.
type IdentityVerification struct {
	bun.BaseModel `bun:"table:identity_verifications"`

	ID              string     `bun:"id,pk"`
	UserID          string     `bun:"user_id,notnull"`
	StripeSessionID string     `bun:"stripe_session_id,notnull"`
	Status          string     `bun:"status,notnull"`
	LastError       string     `bun:"last_error,notnull"` // Stripe's reason code, or the screen's outcome
	Counted         bool       `bun:"counted,notnull"`
	Screening       string     `bun:"screening,notnull"`
	ScreeningTries  int        `bun:"screening_tries,notnull"`
	ScreeningNextAt *time.Time `bun:"screening_next_at"`
	ScreeningError  string     `bun:"screening_error,notnull"` // why the last screening try did not answer
	ScanID          string     `bun:"scan_id,notnull"`         // NameScan's ID, for the audit trail
	Matches         int        `bun:"matches,notnull"`
	CreatedAt       time.Time  `bun:"created_at,notnull"`
	UpdatedAt       time.Time  `bun:"updated_at,notnull"`
}

// Open reports whether the attempt can still be completed by the user.
func (v *IdentityVerification) Open() bool {
	return v.Status == VerificationRequiresInput || v.Status == VerificationProcessing
}

// AcceptsStripe reports whether a Stripe event moving the attempt to status is a step
// forward. Stripe's order is requires_input, processing, then one of failed, canceled
// or verified (which starts screening); once the document is verified, or the attempt
// is failed or canceled, Stripe events change nothing, except that a verification
// still wins over an earlier failure of the same session (the user retried in it).
func (v *IdentityVerification) AcceptsStripe(status string) bool {
	if v.Screening != "" || v.Status == VerificationRevoked {
		return false
	}
	rank := map[string]int{VerificationRequiresInput: 0, VerificationProcessing: 1,
		VerificationFailed: 2, VerificationCanceled: 2, VerificationScreening: 3}
	from, ok1 := rank[v.Status]
	to, ok2 := rank[status]
	if !ok1 || !ok2 || v.Status == VerificationCanceled {
		return false
	}
	return to > from
}

// SealedKYC is a user's identity fields, sealed (AES-256-GCM under a key derived from
// the key-encryption key named by SealKeyID, bound to the user ID). Only the identity
// package opens it.
type SealedKYC struct {
	bun.BaseModel `bun:"table:user_kyc"`

	UserID         string    `bun:"user_id,pk"`
	VerificationID string    `bun:"verification_id,notnull"`
	Sealed         []byte    `bun:"sealed,notnull"`
	SealKeyID      string    `bun:"seal_key_id,notnull"`
	UpdatedAt      time.Time `bun:"updated_at,notnull"`
}

// StripeEvent records a processed Stripe webhook event, so each is applied once.
type StripeEvent struct {
	bun.BaseModel `bun:"table:stripe_events"`

	ID         string    `bun:"id,pk"`
	Type       string    `bun:"type,notnull"`
	ReceivedAt time.Time `bun:"received_at,notnull"`
}

// StripeChange is what one Stripe event does to an attempt, applied in one
// transaction with the record that the event was seen.
type StripeChange struct {
	EventID, EventType string
	VerificationID     string
	Status             string     // the attempt's new status
	Reason             string     // Stripe's reason code when it failed
	KYC                *SealedKYC // set when the document was verified
	// Redact deletes the fields this attempt stored (Stripe redacted the session);
	// the status is left as it is.
	Redact bool
	Now    time.Time
	// Effects are recorded with the change when it applies (the attempt moved forward).
	Effects Effects
}

// ScreeningResult is the outcome of a PEP and sanctions screen of an attempt.
type ScreeningResult struct {
	VerificationID, UserID string
	Hit                    bool
	Matches                int
	ScanID                 string
	Now                    time.Time
	Effects                Effects // recorded with the outcome
}

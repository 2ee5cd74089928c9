package identity

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/models"
)

// Session is what authd needs of a Stripe Identity verification session.
type Session struct {
	ID, URL, ClientSecret, Status string
}

// Event is a Stripe webhook event whose signature checked out. SignedAt is the
// signature's timestamp; the service judges its age with its own clock.
type Event struct {
	ID, Type  string
	SignedAt  time.Time
	SessionID string // the verification session the event is about, if any
	ErrorCode string // the session's last_error.code, for requires_input
}

// Date is a calendar date as Stripe gives it; zero parts mean unknown.
type Date struct{ Year, Month, Day int }

// Address is a postal address as Stripe gives it (country ISO 3166-1 alpha-2).
type Address struct {
	Line1, Line2, City, State, PostalCode, Country string
}

// Person is what one Stripe source says about the user.
type Person struct {
	FirstName, LastName string
	DOB                 Date
	Address             Address
}

// Verified is a verified session's data: Stripe's verified outputs and the document
// report, kept apart so the service can prefer the former.
type Verified struct {
	Status         string
	Outputs        Person // verified_outputs
	Document       Person // last_verification_report.document
	DocumentType   string // passport, id_card or driving_license
	IssuingCountry string // ISO 3166-1 alpha-2
}

// Stripe is the port to Stripe Identity.
type Stripe interface {
	CreateSession(ctx context.Context, userID, returnURL string) (*Session, error)
	GetSession(ctx context.Context, id string) (*Session, error)
	// VerifiedSession retrieves a session with verified_outputs and
	// last_verification_report expanded (webhook payloads never carry them).
	VerifiedSession(ctx context.Context, id string) (*Verified, error)
	// ParseEvent checks payload against the Stripe-Signature header with the webhook
	// secret (but not the timestamp's age) and decodes it.
	ParseEvent(payload []byte, signature string) (*Event, error)
}

// Subject is who is screened: names and date of birth from the document, and the
// nationality (ISO 3166-1 alpha-3) when known.
type Subject struct {
	FirstName, LastName string
	DOB                 Date
	Nationality         string
}

// Screen is a PEP and sanctions screen's answer.
type Screen struct {
	ScanID  string
	Matches int // a hit is any match at or above the configured match rate
}

// ErrScreeningRefused wraps a screening answer that retrying soon will not change (a
// 4xx other than 429: a bad key or request); the service then waits longest.
var ErrScreeningRefused = errors.New("screening service refused the request")

// Screener is the port to the PEP and sanctions screening service.
type Screener interface {
	Screen(ctx context.Context, s Subject) (*Screen, error)
}

// Sealer encrypts personal data at rest; keys.Secrets implements it.
type Sealer interface {
	Seal(plaintext, aad []byte) (sealed []byte, keyID string, err error)
	Open(sealed []byte, keyID string, aad []byte) ([]byte, error)
}

// Store is the storage identity needs; *store.Store implements it.
type Store interface {
	UserByID(ctx context.Context, id string) (*models.User, error)
	Identity(ctx context.Context, userID string) (*models.Identity, error) // the acting admin's roles
	Verifications(ctx context.Context, userID string) ([]models.IdentityVerification, error)
	AddVerification(ctx context.Context, v *models.IdentityVerification, max int, openSince time.Time) error
	VerificationBySession(ctx context.Context, sessionID string) (*models.IdentityVerification, error)
	StripeEventSeen(ctx context.Context, id string) (bool, error)
	ApplyStripeChange(ctx context.Context, c models.StripeChange) (applied bool, err error)
	ClaimScreenings(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]models.IdentityVerification, error)
	RetryScreening(ctx context.Context, id string, tries int, next time.Time, reason string) error
	FinishScreening(ctx context.Context, r models.ScreeningResult) error
	KYC(ctx context.Context, userID string) (*models.SealedKYC, error)
	KYCs(ctx context.Context, userIDs []string) ([]models.SealedKYC, error)
	ResetVerifications(ctx context.Context, userID string, audit *models.AuditEvent, fx models.Effects) error
	RevokeVerification(ctx context.Context, userID string, audit *models.AuditEvent, fx models.Effects) error
}

package models

import (
	"errors"
	"fmt"
)

// Kind classifies an Error. Package handlers maps each kind to one HTTP status;
// nothing else in authd knows about statuses.
type Kind int

const (
	KindInternal         Kind = iota // a fault of ours: the public message is generic
	KindInvalid                      // malformed or out-of-range input
	KindUnauthorized                 // missing, wrong, expired or revoked credential or code
	KindForbidden                    // authenticated but not allowed
	KindNotFound                     // no such resource, or it belongs to someone else
	KindConflict                     // unique conflict
	KindTooLarge                     // request body over the limit
	KindUnsupportedMedia             // body with a content type other than JSON
	KindMethodNotAllowed             // known path, wrong method
	KindTooMany                      // rate limited
	KindUnavailable                  // a dependency is down or not configured
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindUnauthorized:
		return "unauthorized"
	case KindForbidden:
		return "forbidden"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindTooLarge:
		return "too_large"
	case KindUnsupportedMedia:
		return "unsupported_media_type"
	case KindMethodNotAllowed:
		return "method_not_allowed"
	case KindTooMany:
		return "too_many_requests"
	case KindUnavailable:
		return "unavailable"
	default:
		return "internal"
	}
}

// Error is an API failure: Public is what the client sees (x-error and the JSON
// body), Cause is what only the operator sees in the log.
type Error struct {
	Kind   Kind
	Code   string // stable machine code where a protocol needs one (OAuth's "invalid_grant")
	Public string // one safe sentence; never holds input, SQL, secrets or CR/LF
	Cause  error  // logged with the error ID, never rendered
	// RetryAfter, when positive, is sent as the Retry-After header in seconds.
	RetryAfter int
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Public, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Public)
}

func (e *Error) Unwrap() error { return e.Cause }

// E builds an Error of the given kind with a public message.
func E(kind Kind, public string) *Error { return &Error{Kind: kind, Public: public} }

// Wrap builds an Error that keeps cause for the log.
func Wrap(kind Kind, public string, cause error) *Error {
	return &Error{Kind: kind, Public: public, Cause: cause}
}

// Internal wraps an unexpected fault; the client sees a generic sentence.
func Internal(cause error) *Error {
	if errors.Is(cause, ErrUnstorable) {
		// The client's fault, found by the database rather than by validation: a
		// 400, and the statement that met it changed nothing.
		return &Error{Kind: KindInvalid, Public: "the request holds text that cannot be stored", Cause: cause}
	}
	if errors.Is(cause, ErrUnavailable) {
		// Not a fault of ours or the client's: a dependency is away. 503 tells
		// clients and load balancers to come back, and nothing was half-written.
		return &Error{Kind: KindUnavailable, Public: "database unavailable; try again", Cause: cause, RetryAfter: 5}
	}
	return &Error{Kind: KindInternal, Public: "internal server error", Cause: cause}
}

// Invalid is shorthand for a 400-class input error.
func Invalid(public string) *Error { return E(KindInvalid, public) }

// KindOf reports the kind of err: for anything that is not an *Error, the kind that
// Internal gives it (internal, or unavailable and invalid for those sentinels).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal(err).Kind
}

// Sentinels returned by storage, translated from driver errors in one place.
// Use cases decide what they mean to a client.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrLimit means a per-user limit (emails, key pairs) is reached.
	ErrLimit = errors.New("limit reached")
	// ErrAliasTaken is a conflict on a user's alias (a registration's name claimed at
	// verification), told apart from other conflicts of the same write.
	ErrAliasTaken = fmt.Errorf("%w: alias", ErrConflict)
	// ErrUnavailable: the database cannot be reached (refused, dropped, closed).
	ErrUnavailable = errors.New("database unavailable")
	// ErrUnstorable: the database refused a value as such (a byte its encoding cannot
	// hold, a text longer than its column or its index allows). Input checks should
	// have refused it first; this keeps one they missed a 400 rather than a 500.
	ErrUnstorable = errors.New("value the database cannot store")
)

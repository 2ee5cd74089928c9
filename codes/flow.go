package codes

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/limits"
	"github.com/authd/authd/models"
)

// Store is the storage codes are checked against.
type Store interface {
	AttemptCode(ctx context.Context, id, purpose string, maxAttempts int, now time.Time) (*models.VerificationCode, error)
	UserByID(ctx context.Context, id string) (*models.User, error)
	SessionIPs(ctx context.Context, userID string, since time.Time) ([]string, error)
	authn.AuditStore
}

// Mailer delivers codes. It must not wait for the mail server: a slow or down SMTP
// server may delay codes but never a request.
type Mailer interface {
	SendCode(ctx context.Context, c models.CodeEmail) error
}

// Options are the code rules' parameters.
type Options struct {
	TTL         time.Duration // how long an emailed code lives (default 10m)
	MaxAttempts int           // wrong submissions that kill a code (default 5)
	Pepper      []byte        // HMAC key for stored codes; required
	Rand        io.Reader
	Now         func() time.Time
	Logger      *slog.Logger
}

// Service issues, sends and checks codes.
type Service struct {
	store Store
	mail  Mailer
	guard *limits.Guard
	o     Options
}

// New builds the service, filling unset options with authd's defaults.
func New(st Store, mail Mailer, guard *limits.Guard, o Options) *Service {
	if o.TTL <= 0 {
		o.TTL = 10 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, mail: mail, guard: guard, o: o}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }

// TTL is how long a code issued now lives.
func (s *Service) TTL() time.Duration { return s.o.TTL }

// ErrBad is the one answer for a wrong, expired, used, dead or unknown code, so a
// caller learns nothing about which it was.
func ErrBad(cause error) error {
	return models.Wrap(models.KindUnauthorized, "invalid or expired verification code", cause)
}

// Issue draws a code of purpose for subjectID, sent to o's address; the row holds only
// its keyed hash. The plain code goes to Send and nowhere else.
func (s *Service) Issue(purpose, subjectID string, o models.EmailOwner, now, expires time.Time) (*models.VerificationCode, string, error) {
	plain, err := newCode(s.o.Rand)
	if err != nil {
		return nil, "", models.Internal(err)
	}
	c := &models.VerificationCode{
		ID: uuid.NewString(), Purpose: purpose, SubjectID: subjectID, UserID: o.User.ID,
		EmailID: o.Email.ID, CreatedAt: now, ExpiresAt: expires,
	}
	c.CodeHash = hashCode(s.o.Pepper, c, plain)
	return c, plain, nil
}

// Send queues a code email. A full or closed queue is logged, not returned: the
// answer must not differ (for logins it would tell who has an account), and the user
// can ask for a new code.
func (s *Service) Send(ctx context.Context, c models.CodeEmail) {
	s.guard.Observer().Code("sent")
	if err := s.mail.SendCode(ctx, c); err != nil {
		s.o.Logger.ErrorContext(ctx, "queue code email", "purpose", c.Purpose, "err", err)
	}
}

// CheckOwn spends one attempt on a code of purpose that belongs to the caller and
// checks it. A code of someone else, of another purpose, wrong, expired, used or dead
// all get the same 401.
func (s *Service) CheckOwn(ctx context.Context, p *authn.Principal, purpose, codeID, code string) (*models.VerificationCode, error) {
	if err := authn.RequireVerified(p); err != nil {
		return nil, err
	}
	if _, err := models.ParseID(codeID, "verificationCodeID"); err != nil {
		return nil, err
	}
	if !models.ValidCodeShape(code) {
		return nil, models.Invalid("code must be 6 digits")
	}
	c, _, err := s.Attempt(ctx, codeID, purpose, code, p.UserID, p.Client, s.now())
	return c, err
}

// Check spends one attempt on a code of purpose whoever's it is, for a caller with no
// credential (the code ID and code are the proof); same answers as CheckOwn.
func (s *Service) Check(ctx context.Context, purpose, codeID, code string, client authn.Client) (*models.VerificationCode, error) {
	if _, err := models.ParseID(codeID, "verificationCodeID"); err != nil {
		return nil, err
	}
	if !models.ValidCodeShape(code) {
		return nil, models.Invalid("code must be 6 digits")
	}
	c, _, err := s.Attempt(ctx, codeID, purpose, code, "", client, s.now())
	return c, err
}

// Attempt spends one attempt on a code and checks it, under the abuse limits: a
// client IP with too many failures gets 429; a code of a user whose codes are blocked
// (a long run of wrong ones) is refused exactly like a wrong code, unless it comes
// from a network the user logged in from before; a wrong, unknown
// or foreign code counts against the IP and, when its user is known, their run; a
// right one ends the run. owner, when set, is the only user whose code is accepted.
// A right code comes with its user as read for the check.
func (s *Service) Attempt(ctx context.Context, codeID, purpose, code, owner string, client authn.Client, now time.Time) (*models.VerificationCode, *models.User, error) {
	if err := s.guard.CheckCodeIP(client.IP); err != nil {
		return nil, nil, err
	}
	obs := s.guard.Observer()
	c, err := s.store.AttemptCode(ctx, codeID, purpose, s.o.MaxAttempts, now)
	if errors.Is(err, models.ErrNotFound) {
		obs.Code("wrong")
		s.guard.CodeIPFailed(ctx, client.IP)
		return nil, nil, ErrBad(err)
	}
	if err != nil {
		return nil, nil, models.Internal(err)
	}
	u, err := s.store.UserByID(ctx, c.UserID)
	if err != nil {
		return nil, nil, models.Internal(err)
	}
	if limits.CodesBlocked(u, now) && !s.guard.FromKnownNetwork(ctx, client.IP, s.knownIPs(u.ID)) {
		obs.Code("blocked")
		return nil, nil, ErrBad(errors.New("codes of this account are blocked after a run of wrong ones"))
	}
	if (owner != "" && c.UserID != owner) || !codeMatches(s.o.Pepper, c, code) {
		obs.Code("wrong")
		s.guard.CodeIPFailed(ctx, client.IP)
		if owner == "" || c.UserID == owner {
			s.guard.CodeFailed(ctx, c.UserID, now)
		}
		s.auditWrong(ctx, c, owner, client)
		return nil, nil, ErrBad(errors.New("code mismatch or not the caller's"))
	}
	if u.CodeFailures > 0 || u.CodesBlockedUntil != nil {
		s.guard.CodeSucceeded(ctx, c.UserID)
	}
	return c, u, nil
}

// knownIPs lists the IPs userID logged in from in the last 90 days: a run of wrong
// codes from elsewhere blocks the account's codes, but not for its owner's networks,
// or anyone could lock any account by guessing at codes they asked for.
func (s *Service) knownIPs(userID string) limits.KnownIPs {
	return func(ctx context.Context) ([]string, error) {
		return s.store.SessionIPs(ctx, userID, s.now().Add(-90*24*time.Hour))
	}
}

// auditWrong records a wrong submission of a real code on its account's log: the one
// that killed the code, or one that left it alive. The actor is the signed-in caller
// (owner) when there is one, else the account the code belongs to (a login).
func (s *Service) auditWrong(ctx context.Context, c *models.VerificationCode, owner string, client authn.Client) {
	action := models.AuditCodeWrong
	if c.Attempts >= s.o.MaxAttempts {
		action = models.AuditCodeExhausted
	}
	actor := authn.Actor{ID: owner, Client: client}
	if owner == "" {
		actor.ID = c.UserID
	}
	authn.RecordAudit(ctx, s.store, s.o.Logger, s.now(), action, actor, c.UserID, c.Purpose+" code "+c.ID)
}

package login

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/limits"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// PendingSession is what POST /user and POST /session answer: a credential that only
// shows and cancels itself, and the ID of the code that was emailed.
type PendingSession struct {
	Bearer             string
	SessionID          string
	ExpiresAt          time.Time
	IP                 string
	UserAgent          string
	VerificationCodeID string
}

// RegisterInput is POST /user.
type RegisterInput struct {
	Email, FullName, Alias string
	Client                 authn.Client
}

// Register creates an account and emails its first login code. To reveal nothing
// about who has an account, an address already on an account is answered exactly as
// a login (the name and alias are ignored), and the alias check comes first so a 409
// never depends on the address. An address on a registration that was never
// completed gets a fresh code for that registration.
func (s *Service) Register(ctx context.Context, in RegisterInput) (*PendingSession, error) {
	defer s.guard.PadLogin(ctx, time.Now())
	addr, err := models.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := models.NormalizeFullName(in.FullName)
	if err != nil {
		return nil, err
	}
	alias, err := models.NormalizeAlias(in.Alias)
	if err != nil {
		return nil, err
	}
	taken, err := s.store.AliasTaken(ctx, alias)
	if err != nil {
		return nil, models.Internal(err)
	}
	if taken {
		return nil, models.E(models.KindConflict, "alias is already taken")
	}
	owners, err := s.store.EmailsByAddress(ctx, addr)
	if err != nil {
		return nil, models.Internal(err)
	}
	if err := s.guard.AllowSend(ctx, addr, in.Client.IP, s.knownIPs(owners)); err != nil {
		return nil, err
	}
	if o, ok := loginOwner(owners); ok {
		return s.startLogin(ctx, o, models.SessionWeb, in.Client, nil)
	}
	if o, ok := unfinishedRegistration(owners); ok {
		// Nobody proved this address yet: whoever does names the account, unless a
		// partner opened it (then the partner's name and alias stand).
		reg := &registration{alias: alias, fullName: name}
		if o.User.InvitedBy != "" {
			reg = &registration{}
		}
		return s.startLogin(ctx, o, models.SessionWeb, in.Client, reg)
	}
	if verifiedAnywhere(owners) {
		// Verified on a disabled account: answer like a login that sends nothing.
		return s.decoy(in.Client)
	}
	// Unknown, or only waiting unverified on other accounts: a new account may claim it;
	// whoever verifies the address first owns it.
	now := s.now()
	u := models.User{ID: uuid.NewString(), Alias: alias, FullName: name, Enabled: true, CreatedAt: now, UpdatedAt: now}
	e := models.Email{ID: uuid.NewString(), UserID: u.ID, Address: addr, CreatedAt: now}
	err = s.store.CreateAccount(ctx, models.NewAccount{
		User: u, Email: e, Roles: []string{models.RoleUser}, Groups: []string{models.GroupPublic},
	}, revocation.UserCreated(u.ID))
	if errors.Is(err, models.ErrConflict) {
		return nil, models.Wrap(models.KindConflict, "alias is already taken", err)
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return s.startLogin(ctx, models.EmailOwner{Email: e, User: u}, models.SessionWeb, in.Client, &registration{alias: alias, fullName: name})
}

// StartInput is POST /session.
type StartInput struct {
	Email, Kind string
	Client      authn.Client
}

// StartSession emails a login code to a verified address of an enabled account. Any
// other address gets the same answer and nothing is sent or stored.
func (s *Service) StartSession(ctx context.Context, in StartInput) (*PendingSession, error) {
	kind := in.Kind
	if kind == "" {
		kind = models.SessionWeb
	}
	if !models.ValidSessionKind(kind) {
		return nil, models.Invalid("kind must be one of web, mobile, cli, service")
	}
	return s.startSession(ctx, in.Email, kind, in.Client)
}

func (s *Service) startSession(ctx context.Context, email, kind string, c authn.Client) (*PendingSession, error) {
	defer s.guard.PadLogin(ctx, time.Now())
	addr, err := models.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	owners, err := s.store.EmailsByAddress(ctx, addr)
	if err != nil {
		return nil, models.Internal(err)
	}
	if err := s.guard.AllowSend(ctx, addr, c.IP, s.knownIPs(owners)); err != nil {
		return nil, err
	}
	if o, ok := loginOwner(owners); ok {
		return s.startLogin(ctx, o, kind, c, nil)
	}
	return s.decoy(c)
}

// knownFor is how far back a login makes its network known (limits.KnownIPs).
const knownFor = 90 * 24 * time.Hour

// knownIPs lists, when asked, the IPs the account that logs in with one of owners
// logged in from lately: its owner is not held to the limits a flood from elsewhere
// trips. Nil for an address that logs into nothing.
func (s *Service) knownIPs(owners []models.EmailOwner) limits.KnownIPs {
	o, ok := loginOwner(owners)
	if !ok {
		return nil
	}
	return func(ctx context.Context) ([]string, error) {
		return s.store.SessionIPs(ctx, o.User.ID, s.now().Add(-knownFor))
	}
}

// loginOwner finds the verified address of an enabled account among owners.
func loginOwner(owners []models.EmailOwner) (models.EmailOwner, bool) {
	for _, o := range owners {
		if o.Email.Verified && o.User.Enabled {
			return o, true
		}
	}
	return models.EmailOwner{}, false
}

// unfinishedRegistration finds an enabled account that holds the address unverified
// and has never verified any address: someone registered and lost the code.
func unfinishedRegistration(owners []models.EmailOwner) (models.EmailOwner, bool) {
	for _, o := range owners {
		if !o.Email.Verified && !o.UserHasVerifiedEmail && o.User.Enabled {
			return o, true
		}
	}
	return models.EmailOwner{}, false
}

func verifiedAnywhere(owners []models.EmailOwner) bool {
	for _, o := range owners {
		if o.Email.Verified {
			return true
		}
	}
	return false
}

// registration is what a POST /user asked to be called; nil for a login.
type registration struct{ alias, fullName string }

func (s *Service) startLogin(ctx context.Context, o models.EmailOwner, kind string, c authn.Client, reg *registration) (*PendingSession, error) {
	now := s.now()
	expires := now.Add(s.codes.TTL())
	sess := &models.Session{
		ID: uuid.NewString(), UserID: o.User.ID, EmailID: o.Email.ID, Kind: kind,
		IP: c.IP, UserAgent: c.UserAgent, CreatedAt: now, ExpiresAt: expires, LastSeenAt: now,
	}
	register := reg != nil
	if register {
		sess.RegisterAlias, sess.RegisterFullName = reg.alias, reg.fullName
	}
	code, plain, err := s.codes.Issue(models.PurposeSession, sess.ID, o, now, expires)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreatePendingSession(ctx, sess, code); err != nil {
		return nil, models.Internal(err)
	}
	s.codes.Send(ctx, models.CodeEmail{To: o.Email.Address, Code: plain, Purpose: models.PurposeSession, Register: register, ExpiresAt: expires})
	return s.pending(sess.ID, code.ID, expires, c)
}

// decoy answers like startLogin without storing or sending anything.
func (s *Service) decoy(c authn.Client) (*PendingSession, error) {
	return s.pending(uuid.NewString(), uuid.NewString(), s.now().Add(s.codes.TTL()), c)
}

func (s *Service) pending(sessionID, codeID string, expires time.Time, c authn.Client) (*PendingSession, error) {
	bearer, err := s.tokens.MintPending(issuer.Pending{SessionID: sessionID, IP: c.IP, UserAgent: c.UserAgent, ExpiresAt: expires})
	if err != nil {
		return nil, models.Internal(err)
	}
	return &PendingSession{Bearer: bearer, SessionID: sessionID, ExpiresAt: expires, IP: c.IP, UserAgent: c.UserAgent, VerificationCodeID: codeID}, nil
}

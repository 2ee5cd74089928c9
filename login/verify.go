package login

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/codes"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// Verified is what PUT /session/verification answers.
type Verified struct {
	Bearer          string
	ExpiresAt       time.Time // the access token's
	RefreshToken    string
	SessionExpireAt time.Time // the session's absolute end
	UserID          string
	SessionID       string
	AuthTime        time.Time
}

// amrEmailCode is the RFC 8176 method for a code sent out of band.
const amrEmailCode = "otp"

// VerifySession checks a login code and, on success, activates its session: the
// code is spent, the address it went to becomes verified (and preferred if the user
// has none), and the caller gets an access token and a refresh token. Of N concurrent
// submissions of one right code exactly one succeeds.
func (s *Service) VerifySession(ctx context.Context, codeID, code string, client authn.Client) (*Verified, error) {
	return s.verify(ctx, codeID, code, client, "")
}

// verify is VerifySession for logins of kind (browser), or of any API kind ("").
func (s *Service) verify(ctx context.Context, codeID, code string, client authn.Client, kind string) (*Verified, error) {
	if _, err := models.ParseID(codeID, "verificationCodeID"); err != nil {
		return nil, err
	}
	if !models.ValidCodeShape(code) {
		return nil, models.Invalid("code must be 6 digits")
	}
	now := s.now()
	c, u, err := s.codes.Attempt(ctx, codeID, models.PurposeSession, code, "", client, now)
	if err != nil {
		return nil, err
	}
	id, err := s.store.IdentityOf(ctx, u)
	if err != nil {
		return nil, models.Internal(err)
	}
	if !id.User.Enabled {
		return nil, codes.ErrBad(errors.New("account disabled"))
	}
	refresh, err := s.tokens.NewRefresh(c.SubjectID)
	if err != nil {
		return nil, models.Internal(err)
	}
	browser := kind == models.SessionBrowser
	sessionEnd, idle := s.lifetimes(id, now)
	if browser {
		sessionEnd, idle = s.browserLifetimes(id, now)
	}
	fx := revocation.SessionCreated(c.UserID, c.SubjectID)
	if browser { // the pending row was never handed out as a bearer
		fx = revocation.SessionOpened(c.UserID, c.SubjectID)
	}
	// The login's audit row commits with it.
	fx.Audit = append(fx.Audit, authn.NewAuditEvent(now, models.AuditLogin, authn.Actor{ID: c.UserID, Client: client}, c.UserID, "session "+c.SubjectID))
	err = s.caches.Commit(fx, func(fx models.Effects) error {
		return s.store.ActivateSession(ctx, models.Activation{
			CodeID: c.ID, SessionID: c.SubjectID, UserID: c.UserID, EmailID: c.EmailID,
			RefreshHash: refresh.Hash(), ExpiresAt: sessionEnd, IdleSeconds: idle, Now: now, Browser: browser,
		}, fx)
	})
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil, codes.ErrBad(err)
	case errors.Is(err, models.ErrAliasTaken):
		return nil, models.Wrap(models.KindConflict, "the alias this registration asked for was taken meanwhile; register again with another", err)
	case errors.Is(err, models.ErrConflict):
		return nil, models.Wrap(models.KindConflict, "this email address is already verified on another account", err)
	case err != nil:
		return nil, models.Internal(err)
	}
	v := &Verified{RefreshToken: refresh.String(), SessionExpireAt: sessionEnd, UserID: c.UserID, SessionID: c.SubjectID, AuthTime: now}
	if browser {
		return v, nil // a browser session holds no access token
	}
	token, exp, err := s.tokens.MintAccess(issuer.AccessRequest{
		UserID: c.UserID, SessionID: c.SubjectID, Roles: id.Roles, Groups: id.Groups,
		Verified: id.User.Verified, AMR: []string{amrEmailCode},
	})
	if err != nil {
		return nil, models.Internal(err)
	}
	v.Bearer, v.ExpiresAt = token, exp
	return v, nil
}

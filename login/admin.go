package login

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// AdminSession is a verified session an admin opened for a user.
type AdminSession struct{ Bearer, SessionID string }

// errSelfSession: impersonating oneself would be a login without a code.
var errSelfSession = models.E(models.KindConflict, "admins cannot open a session for themselves; log in instead")

// AdminCreateSession opens a verified session for a user without a code and returns
// its access token to the admin: impersonation, so it is always audited. It needs the
// admin's own session (not a key pair) and another user.
func (s *Service) AdminCreateSession(ctx context.Context, p *authn.Principal, userID, kind string) (*AdminSession, error) {
	if err := s.authn.RequireAdminSession(ctx, p); err != nil {
		return nil, err
	}
	if _, err := models.ParseID(userID, "user id"); err != nil {
		return nil, err
	}
	if userID == p.UserID {
		return nil, errSelfSession
	}
	id, err := s.store.Identity(ctx, userID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, models.Wrap(models.KindNotFound, "user not found", err)
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	if kind == "" {
		kind = models.SessionWeb
	}
	if !models.ValidSessionKind(kind) {
		return nil, models.Invalid("kind must be one of web, mobile, cli, service")
	}
	if !id.User.Enabled {
		return nil, models.E(models.KindConflict, "account is disabled")
	}
	now := s.now()
	end, idle := s.lifetimes(id, now)
	sess := &models.Session{ID: uuid.NewString(), UserID: userID, Kind: kind, IP: p.Client.IP, UserAgent: p.Client.UserAgent,
		CreatedAt: now, ExpiresAt: end, LastSeenAt: now, VerifiedAt: &now, IdleSeconds: idle}
	if err := s.store.CreateVerifiedSession(ctx, sess, revocation.SessionCreated(userID, sess.ID)); err != nil {
		return nil, models.Internal(err)
	}
	token, _, err := s.tokens.MintAccess(issuer.AccessRequest{UserID: userID, SessionID: sess.ID, Roles: id.Roles,
		Groups: id.Groups, Verified: id.User.Verified, AMR: []string{"admin"}})
	if err != nil {
		return nil, models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditAdminSession, p.Actor(), userID, "session "+sess.ID+" kind "+kind)
	return &AdminSession{Bearer: token, SessionID: sess.ID}, nil
}

// AdminSessions returns a page of open sessions, optionally of one user.
func (s *Service) AdminSessions(ctx context.Context, p *authn.Principal, userID string, limit, page int) ([]models.Session, int, error) {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return nil, 0, err
	}
	if err := models.ParseOptionalID(userID, "userID"); err != nil {
		return nil, 0, err
	}
	out, total, err := s.store.OpenSessions(ctx, userID, s.now(), limit, (page-1)*limit)
	if err != nil {
		return nil, 0, models.Internal(err)
	}
	return out, total, nil
}

// AdminCloseSession closes any session.
func (s *Service) AdminCloseSession(ctx context.Context, p *authn.Principal, sessionID string) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := models.ParseID(sessionID, "session id"); err != nil {
		return err
	}
	sess, err := s.store.SessionByID(ctx, sessionID)
	if err == nil {
		err = s.closeSession(ctx, sess.UserID, sessionID)
	}
	if errors.Is(err, models.ErrNotFound) {
		return errNoSession
	}
	if err != nil {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditLogout, p.Actor(), sess.UserID, "session "+sessionID+" closed by an admin")
	return nil
}

// AdminVerifySession is refused on purpose. API.md lists it, but a pending login's
// bearer becomes the session's once verified (authn/pending.go): verifying it for an
// admin would hand the session to whoever holds that bearer, with no code. Support cases use AdminCreateSession, which is
// audited and hands the token to the admin who asked for it.
func (s *Service) AdminVerifySession(ctx context.Context, p *authn.Principal, sessionID string) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := models.ParseID(sessionID, "session id"); err != nil {
		return err
	}
	return models.E(models.KindConflict, "a pending login is completed only by its code; use POST /admin/user/{id}/session")
}

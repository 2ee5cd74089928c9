package login

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// SessionInfo is what GET /session answers.
type SessionInfo struct {
	SessionID, UserID, Alias, FullName string
	ExpiresAt                          time.Time
	IP, UserAgent                      string
	Verified, UserVerified             bool
	Roles, Groups                      []string
}

// Info describes the caller's session without another database read. Roles and
// groups are the token's: what a gateway sees is what the client is shown.
func (s *Service) Info(p *authn.Principal) (SessionInfo, error) {
	if err := authn.RequireSession(p); err != nil {
		return SessionInfo{}, err
	}
	if p.Pending {
		return SessionInfo{SessionID: p.SessionID, ExpiresAt: p.ExpiresAt, IP: p.PendingLogin().IP,
			UserAgent: p.PendingLogin().UserAgent, Roles: []string{}, Groups: []string{}}, nil
	}
	return SessionInfo{
		SessionID: p.SessionID, UserID: p.UserID, Alias: p.Session().Alias, FullName: p.Session().FullName,
		ExpiresAt: p.ExpiresAt, IP: p.Session().IP, UserAgent: p.Session().UserAgent, Verified: true,
		UserVerified: p.Session().UserVerified, Roles: authn.NonNil(p.Roles()), Groups: authn.NonNil(p.Groups()),
	}, nil
}

// Extend slides the caller's session and mints a fresh access token with the user's
// current roles. A session past its idle or absolute end cannot be extended.
func (s *Service) Extend(ctx context.Context, p *authn.Principal) (string, time.Time, error) {
	if err := authn.RequireVerified(p); err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	sess, err := s.store.TouchSession(ctx, p.UserID, p.SessionID, now, s.o.IdleTimeout)
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return "", time.Time{}, models.Wrap(models.KindUnauthorized, "session is closed or expired", err)
		}
		return "", time.Time{}, models.Internal(err)
	}
	s.caches.Evict(models.Change{Kind: models.ChangedSession, Subject: p.SessionID}) // its idle window moved
	id, err := s.caches.Identity(ctx, p.UserID)
	if err != nil {
		return "", time.Time{}, models.Internal(err)
	}
	if _, err := s.holdToRoleLimits(ctx, sess, id); err != nil {
		return "", time.Time{}, err
	}
	token, exp, err := s.tokens.MintAccess(issuer.AccessRequest{
		UserID: p.UserID, SessionID: p.SessionID, Roles: id.Roles, Groups: id.Groups,
		Verified: id.User.Verified, AMR: amrOf(p),
	})
	if err != nil {
		return "", time.Time{}, models.Internal(err)
	}
	return token, exp, nil
}

// amrOf is how the caller's session was authenticated: its token's amr, or (for the
// session's opaque bearer) the emailed code it was verified with.
func amrOf(p *authn.Principal) []string {
	if c := p.Claims(); c != nil {
		return c.AMR
	}
	return []string{amrEmailCode}
}

// errNoSession is the answer for a session that is not the caller's to close.
var errNoSession = models.E(models.KindNotFound, "session not found")

// Close ends one of the caller's sessions; someone else's is "not found", never
// "forbidden". A pending credential may cancel only its own login.
func (s *Service) Close(ctx context.Context, p *authn.Principal, sessionID string) error {
	if err := authn.RequireSession(p); err != nil {
		return err
	}
	if _, err := models.ParseID(sessionID, "session id"); err != nil {
		return err
	}
	now := s.now()
	if p.Pending {
		if sessionID != p.SessionID {
			return errNoSession
		}
		// A decoy credential names no stored session: the cancellation is recorded the
		// same way, so either bearer is refused from now on and neither tells anything.
		err := s.caches.Commit(revocation.LoginCancelled(sessionID), func(fx models.Effects) error {
			return s.store.CancelLogin(ctx, sessionID, p.ExpiresAt, now, fx)
		})
		if err != nil {
			return models.Internal(err)
		}
		return nil
	}
	err := s.closeSession(ctx, p.UserID, sessionID)
	if errors.Is(err, models.ErrNotFound) {
		return models.Wrap(models.KindNotFound, "session not found", err)
	}
	if err != nil {
		return models.Internal(err)
	}
	s.audit.Own(ctx, p, models.AuditLogout, "session "+sessionID)
	return nil
}

// SessionSummary is one row of GET /sessions.
type SessionSummary struct {
	SessionID, IP, UserAgent, Kind string
	ClientID                       string // the app of an app session
	CreatedAt, ExpiresAt           time.Time
	Current                        bool
}

// List returns the caller's open sessions, marking the one making the call.
func (s *Service) List(ctx context.Context, p *authn.Principal) ([]SessionSummary, error) {
	if err := authn.RequireVerified(p); err != nil {
		return nil, err
	}
	now := s.now()
	rows, err := s.store.ActiveSessions(ctx, p.UserID, now, s.o.IdleTimeout)
	if err != nil {
		return nil, models.Internal(err)
	}
	out := make([]SessionSummary, 0, len(rows))
	for _, r := range rows {
		end := r.ExpiresAt
		if idle := r.LastSeenAt.Add(r.IdleTimeout(s.o.IdleTimeout)); idle.Before(end) {
			end = idle
		}
		out = append(out, SessionSummary{SessionID: r.ID, IP: r.IP, UserAgent: r.UserAgent, Kind: r.Kind,
			ClientID: r.ClientID, CreatedAt: r.CreatedAt, ExpiresAt: end, Current: r.ID == p.SessionID})
	}
	return out, nil
}

// Alias returns the public alias of a user.
func (s *Service) Alias(ctx context.Context, userID string) (string, error) {
	if _, err := models.ParseID(userID, "user id"); err != nil {
		return "", err
	}
	u, err := s.store.UserByID(ctx, userID)
	if errors.Is(err, models.ErrNotFound) {
		return "", models.Wrap(models.KindNotFound, "user not found", err)
	}
	if err != nil {
		return "", models.Internal(err)
	}
	return u.Alias, nil
}

// closeSession closes one of userID's sessions with what goes with it; closing a
// closed session again succeeds.
func (s *Service) closeSession(ctx context.Context, userID, sessionID string) error {
	now := s.now()
	return s.caches.Commit(s.caches.SessionClosed(userID, sessionID, now), func(fx models.Effects) error {
		return s.store.RevokeSession(ctx, userID, sessionID, now, fx)
	})
}

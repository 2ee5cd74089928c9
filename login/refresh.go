package login

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
)

// Refreshed is what POST /session/refresh answers.
type Refreshed struct {
	Bearer          string
	ExpiresAt       time.Time
	RefreshToken    string
	SessionExpireAt time.Time
}

var errBadRefresh = models.E(models.KindUnauthorized, "invalid or expired refresh token")

var errRefreshReuse = models.Wrap(models.KindUnauthorized, "refresh token was already used; the session is closed",
	errors.New("refresh token reuse"))

// Refresh rotates a refresh token: the caller gets a fresh access token and the next
// refresh token, and the one presented is spent. It is a hot path (clients refresh
// every few minutes): one conditional UPDATE by primary key, the user's roles from
// memory; only a token that is not current costs a read. Presenting a spent token again is reuse (RFC 9700 4.14.2) and
// closes the whole session, except that the immediate predecessor of the current
// token is honoured for RefreshGrace after its rotation, so a client's concurrent
// retry is not taken for theft. The token format and chain are package issuer's.
func (s *Service) Refresh(ctx context.Context, token string) (*Refreshed, error) {
	return s.refresh(ctx, token, caller{})
}

// caller is who presents a refresh token: no app (the API), or an app with the access
// lifetime it registered.
type caller struct {
	clientID  string
	accessTTL time.Duration
}

func (s *Service) refresh(ctx context.Context, token string, c caller) (*Refreshed, error) {
	t, ok := issuer.ParseRefresh(token)
	if !ok {
		if issuer.IsLegacyRefresh(token) {
			return s.refreshLegacy(ctx, token, c)
		}
		return nil, errBadRefresh
	}
	now := s.now()
	next := s.tokens.NextRefresh(t)
	sess, err := s.store.RefreshCurrent(ctx, t.SessionID, t.Gen, t.Hash(), next.Hash(), now, s.o.IdleTimeout)
	if err == nil {
		s.caches.Evict(models.Change{Kind: models.ChangedSession, Subject: sess.ID}) // its idle window moved
		return s.refreshed(ctx, sess, next.String(), c)
	}
	if !errors.Is(err, models.ErrNotFound) {
		return nil, models.Internal(err)
	}
	// Not current, not active, or a concurrent refresh rotated it first: judge it.
	sess, err = s.store.SessionByID(ctx, t.SessionID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errBadRefresh
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return s.refreshSpent(ctx, sess, t, now, c)
}

// refreshSpent handles a token that is not the session's current one: the immediate
// predecessor within the grace window gets what the first request got; an older
// token of the chain is reuse; anything else is simply refused.
func (s *Service) refreshSpent(ctx context.Context, sess *models.Session, t issuer.Refresh, now time.Time, c caller) (*Refreshed, error) {
	next := s.tokens.NextRefresh(t)
	if s.retriedInGrace(sess, next, now) {
		return s.refreshed(ctx, sess, next.String(), c)
	}
	if !s.tokens.Leads(t, sess.RefreshGen, sess.RefreshHash) {
		return nil, errBadRefresh // not of this session's chain: a forgery or garbage
	}
	return nil, s.refreshReused(ctx, sess, now)
}

// retriedInGrace reports a retry of the refresh that made next the session's current
// token, within RefreshGrace of that rotation, on a session still active.
func (s *Service) retriedInGrace(sess *models.Session, next issuer.Refresh, now time.Time) bool {
	return sess.RefreshGen == next.Gen && next.Matches(sess.RefreshHash) && sess.RefreshRotatedAt != nil &&
		now.Sub(*sess.RefreshRotatedAt) <= s.o.RefreshGrace && sess.Active(now, s.o.IdleTimeout)
}

// refreshReused closes a session whose spent refresh token came back, and audits it.
func (s *Service) refreshReused(ctx context.Context, sess *models.Session, now time.Time) error {
	if sess.RevokedAt == nil {
		if err := s.closeSession(ctx, sess.UserID, sess.ID); err != nil {
			return models.Internal(err)
		}
		s.audit.Record(ctx, models.AuditRefreshReuse, authn.Actor{ID: sess.UserID}, sess.UserID, "session "+sess.ID+" closed")
	}
	return errRefreshReuse
}

// refreshLegacy rotates a refresh token of the earlier format (found by its hash)
// into the first token of the current format; spent legacy tokens are remembered in
// used_refresh_tokens, so their reuse is still recognised.
func (s *Service) refreshLegacy(ctx context.Context, token string, c caller) (*Refreshed, error) {
	now := s.now()
	h := issuer.HashLegacyRefresh(token)
	sess, err := s.store.SessionByLegacyRefresh(ctx, h)
	switch {
	case err == nil:
		if !sess.Active(now, s.o.IdleTimeout) {
			return nil, errBadRefresh
		}
		next := s.tokens.NextFromLegacy(sess.ID, token)
		err = s.store.RotateLegacyRefresh(ctx, sess.ID, h, next.Hash(), now)
		if err == nil {
			s.caches.Evict(models.Change{Kind: models.ChangedSession, Subject: sess.ID})
			return s.refreshed(ctx, sess, next.String(), c)
		}
		if !errors.Is(err, models.ErrNotFound) {
			return nil, models.Internal(err)
		}
	case !errors.Is(err, models.ErrNotFound):
		return nil, models.Internal(err)
	}
	used, err := s.store.UsedRefreshToken(ctx, h)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errBadRefresh
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	if sess, err = s.store.SessionByID(ctx, used.SessionID); err != nil {
		return nil, models.Internal(err)
	}
	next := s.tokens.NextFromLegacy(sess.ID, token)
	if s.retriedInGrace(sess, next, now) {
		return s.refreshed(ctx, sess, next.String(), c)
	}
	return nil, s.refreshReused(ctx, sess, now)
}

// currentRefresh finds the session whose current refresh token is token (either
// format); anything else is models.ErrNotFound.
func (s *Service) currentRefresh(ctx context.Context, token string) (*models.Session, error) {
	if issuer.IsLegacyRefresh(token) {
		return s.store.SessionByLegacyRefresh(ctx, issuer.HashLegacyRefresh(token))
	}
	return s.currentRefreshIn(ctx, token, s.store.SessionByID)
}

// currentRefreshIn is currentRefresh for the current format, reading the session
// through load.
func (s *Service) currentRefreshIn(ctx context.Context, token string, load func(context.Context, string) (*models.Session, error)) (*models.Session, error) {
	t, ok := issuer.ParseRefresh(token)
	if !ok {
		return nil, models.ErrNotFound
	}
	sess, err := load(ctx, t.SessionID)
	if err != nil {
		return nil, err
	}
	if sess.RefreshGen != t.Gen || !t.Matches(sess.RefreshHash) {
		return nil, models.ErrNotFound
	}
	return sess, nil
}

func (s *Service) refreshed(ctx context.Context, sess *models.Session, next string, c caller) (*Refreshed, error) {
	if err := s.boundToCaller(ctx, sess, c.clientID); err != nil {
		return nil, err
	}
	id, err := s.caches.Identity(ctx, sess.UserID)
	if err != nil {
		return nil, models.Internal(err)
	}
	if !id.User.Enabled {
		return nil, errBadRefresh
	}
	if sess, err = s.holdToRoleLimits(ctx, sess, id); err != nil {
		return nil, err
	}
	scope := strings.Join(s.grantedScopes(strings.Fields(sess.Scope), id.Roles), " ") // a role since lost takes its scope
	token, exp, err := s.tokens.MintAccess(issuer.AccessRequest{UserID: sess.UserID, SessionID: sess.ID, Roles: id.Roles,
		Groups: id.Groups, Verified: id.User.Verified, AMR: []string{amrEmailCode}, ClientID: sess.ClientID, Scope: scope,
		Lifetime: c.accessTTL})
	if err != nil {
		return nil, models.Internal(err)
	}
	return &Refreshed{Bearer: token, ExpiresAt: exp, RefreshToken: next, SessionExpireAt: sess.ExpiresAt}, nil
}

// CloseReplayed closes the session an authorization code opened, when that code came
// back a second time (RFC 6749 4.1.2: what was issued from it is revoked), and audits
// it. A session already closed or gone changes nothing.
func (s *Service) CloseReplayed(ctx context.Context, userID, sessionID, clientID string) error {
	err := s.closeSession(ctx, userID, sessionID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditCodeReuse, authn.Actor{ID: userID}, userID, "authorization code of "+clientID+" reused; session "+sessionID+" closed")
	return nil
}

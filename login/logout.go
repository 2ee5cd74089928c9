package login

import (
	"context"
	"errors"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// EndBrowserLogin is a logout from the hosted login (OpenID Connect RP-Initiated
// Logout): it closes the browser session sessionID names (or, for an app session, the
// browser session that started it) and every app session that browser session's
// logins opened, with their revocation entries, in one transaction, and audits it.
// It returns the browser session it closed and the app sessions with it. A session
// of someone else, or none, closes nothing.
func (s *Service) EndBrowserLogin(ctx context.Context, userID, sessionID string, c authn.Client) (string, []models.Session, error) {
	sess, err := s.store.SessionByID(ctx, sessionID)
	if errors.Is(err, models.ErrNotFound) || (err == nil && sess.UserID != userID) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, models.Internal(err)
	}
	root := sess.ID
	if sess.Kind == models.SessionApp && sess.ParentID != "" {
		root = sess.ParentID
	}
	children, err := s.store.SessionsStartedBy(ctx, root)
	if err != nil {
		return "", nil, models.Internal(err)
	}
	now := s.now()
	ids := []string{root}
	fx := s.caches.SessionClosed(userID, root, now)
	for _, ch := range children {
		ids = append(ids, ch.ID)
		fx.Add(s.caches.SessionClosed(userID, ch.ID, now))
	}
	if err := s.caches.Commit(fx, func(fx models.Effects) error {
		return s.store.RevokeSessions(ctx, userID, ids, now, fx)
	}); err != nil {
		return "", nil, models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditLogout, authn.Actor{ID: userID, Client: c}, userID, "browser session "+root+" and the app sessions it started")
	return root, children, nil
}

// RevokeAppAccess withdraws a person's consent to an app and closes every session of
// that app (its refresh tokens die with them), in one transaction, and audits it. No
// consent is KindNotFound.
func (s *Service) RevokeAppAccess(ctx context.Context, actor authn.Actor, userID, clientID string) error {
	sessions, err := s.store.AppSessions(ctx, userID, clientID)
	if err != nil {
		return models.Internal(err)
	}
	now := s.now()
	var fx models.Effects
	ids := make([]string, 0, len(sessions))
	for _, sess := range sessions {
		ids = append(ids, sess.ID)
		fx.Add(s.caches.SessionClosed(userID, sess.ID, now))
	}
	err = s.caches.Commit(fx, func(fx models.Effects) error {
		return s.store.RevokeAppAccess(ctx, userID, clientID, ids, now, fx)
	})
	if errors.Is(err, models.ErrNotFound) {
		return models.Wrap(models.KindNotFound, "no consent to this app", err)
	}
	if err != nil {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditConsentRevoked, actor, userID, "consent to "+clientID+" revoked; its sessions closed")
	return nil
}

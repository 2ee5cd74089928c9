package login

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// The hosted login's browser session (OpenID Provider single sign-on). It is a session
// row of kind browser, logged in with the same emailed code as any other, whose
// refresh-format credential lives in an HttpOnly cookie and is never rotated: it only
// proves, on each authorization request, who is already logged in. It mints no access
// token and cannot be refreshed (Refresh refuses it).

// BrowserLogin is a live browser session: who, which session, when and how they
// logged in.
type BrowserLogin struct {
	UserID, SessionID string
	AuthTime          time.Time
	AMR               []string
	ExpiresAt         time.Time // the session's absolute end, the cookie's too
}

// StartBrowserLogin emails a login code for the hosted login page, under exactly the
// rules (and answers) of POST /session.
func (s *Service) StartBrowserLogin(ctx context.Context, email string, c authn.Client) (*PendingSession, error) {
	return s.startSession(ctx, email, models.SessionBrowser, c)
}

// VerifyBrowserLogin checks the code of a browser login and activates its session: it
// answers the browser session and the credential for its cookie. A code of another
// kind of login is refused like a wrong code. previous is the credential the browser
// held before (its cookie; "" for none): a login in a browser that had a session
// replaces that session (see replaceBrowserSession).
func (s *Service) VerifyBrowserLogin(ctx context.Context, codeID, code string, c authn.Client, previous string) (*BrowserLogin, string, error) {
	v, err := s.verify(ctx, codeID, code, c, models.SessionBrowser)
	if err != nil {
		return nil, "", err
	}
	who := &BrowserLogin{UserID: v.UserID, SessionID: v.SessionID, AuthTime: v.AuthTime, AMR: []string{amrEmailCode},
		ExpiresAt: v.SessionExpireAt}
	if previous != "" {
		// The login stands either way: left open, the old session idles out as before.
		if err := s.replaceBrowserSession(ctx, previous, who, c); err != nil {
			s.o.Logger.WarnContext(ctx, "replace the previous browser session", "err", err)
		}
	}
	return who, v.RefreshToken, nil
}

// replaceBrowserSession ends the browser session a browser held before logging in
// again (prompt=login, max_age, another account): its cookie is overwritten, so left
// open it would linger unreachable until it idled out, and a later logout would miss
// the apps it had signed into. The same person keeps those apps: their sessions now
// belong to the new browser session, and the old one closes. Another person's old
// session closes with its apps' sessions (their apps are told, as on logout).
func (s *Service) replaceBrowserSession(ctx context.Context, previous string, current *BrowserLogin, c authn.Client) error {
	old, err := s.BrowserSession(ctx, previous)
	if models.KindOf(err) == models.KindUnauthorized || (err == nil && old.SessionID == current.SessionID) {
		return nil // nothing live to replace
	}
	if err != nil {
		return err
	}
	if old.UserID != current.UserID {
		_, _, err := s.EndBrowserLogin(ctx, old.UserID, old.SessionID, c)
		return err
	}
	at := s.now()
	err = s.caches.Commit(s.caches.SessionClosed(old.UserID, old.SessionID, at), func(fx models.Effects) error {
		return s.store.AdoptSessions(ctx, old.UserID, old.SessionID, current.SessionID, at, fx)
	})
	if err != nil {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditLogout, authn.Actor{ID: old.UserID, Client: c}, old.UserID,
		"browser session "+old.SessionID+" replaced by a new login in the same browser; its apps moved to "+current.SessionID)
	return nil
}

var errNoBrowserSession = models.E(models.KindUnauthorized, "not logged in")

// touchEvery bounds how often a browser session's last use is written: its idle
// window moves at most this late, and a burst of sign-ins costs one write.
const touchEvery = time.Minute

// BrowserSession finds the live browser session a cookie's credential belongs to, for
// an enabled user; anything else is KindUnauthorized. Each use moves its idle window.
func (s *Service) BrowserSession(ctx context.Context, credential string) (*BrowserLogin, error) {
	sess, err := s.currentRefreshIn(ctx, credential, s.cachedSession)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errNoBrowserSession
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	now := s.now()
	if sess.Kind != models.SessionBrowser || !sess.Active(now, s.o.BrowserIdleTimeout) {
		return nil, errNoBrowserSession
	}
	id, err := s.caches.Identity(ctx, sess.UserID)
	if err != nil {
		return nil, models.Internal(err)
	}
	if !id.User.Enabled {
		return nil, errNoBrowserSession
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if _, err := s.store.TouchSession(ctx, sess.UserID, sess.ID, now, s.o.BrowserIdleTimeout); err != nil {
			if errors.Is(err, models.ErrNotFound) {
				return nil, errNoBrowserSession
			}
			return nil, models.Internal(err)
		}
		s.caches.Evict(models.Change{Kind: models.ChangedSession, Subject: sess.ID}) // its idle window moved
	}
	return &BrowserLogin{UserID: sess.UserID, SessionID: sess.ID, AuthTime: *sess.VerifiedAt, AMR: []string{amrEmailCode},
		ExpiresAt: sess.ExpiresAt}, nil
}

// cachedSession reads a session from this instance's session cache (the one access
// tokens are checked against: closing a session evicts it here at once and on every
// other instance through the change feed), or from the database into it. Single
// sign-on reads the browser session on every authorization request; this makes that
// a memory read. The row is shared: never change it.
func (s *Service) cachedSession(ctx context.Context, id string) (*models.Session, error) {
	if v, ok := s.caches.Session(id); ok {
		if v.UserID == "" {
			return nil, models.ErrNotFound
		}
		return &v.Session, nil
	}
	v, err := s.store.SessionView(ctx, id)
	if err != nil {
		return nil, err
	}
	s.caches.PutSession(v)
	if v.UserID == "" { // a cancelled login's: no session row
		return nil, models.ErrNotFound
	}
	return &v.Session, nil
}

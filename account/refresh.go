package account

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"

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

// nextRefresh derives the token that replaces current. Because the chain is a keyed
// hash, a retry of the same refresh within the grace window recomputes the very
// token the first request received, without any token being stored in clear.
func (s *Service) nextRefresh(current string) string {
	m := hmac.New(sha256.New, s.o.RefreshKey)
	m.Write([]byte(current))
	return "rft_" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Refresh rotates a refresh token: the caller gets a fresh access token and the next
// refresh token, and the one presented is spent. Presenting a spent token again is
// reuse (RFC 9700 4.14.2) and closes the whole session, except that the immediate
// predecessor of the current token is honoured for RefreshGrace after its rotation,
// so a client's concurrent retry is not taken for theft.
func (s *Service) Refresh(ctx context.Context, token string) (*Refreshed, error) {
	if !strings.HasPrefix(token, "rft_") || len(token) > 128 {
		return nil, errBadRefresh
	}
	now := s.now()
	h, next := issuer.HashRefreshToken(token), s.nextRefresh(token)
	nh := issuer.HashRefreshToken(next)
	sess, err := s.store.SessionByRefreshHash(ctx, h)
	switch {
	case err == nil:
		if !sess.Active(now, s.o.IdleTimeout) {
			return nil, errBadRefresh
		}
		err = s.store.RotateRefresh(ctx, sess.ID, h, nh, now)
		if err == nil {
			s.Evict(models.Change{Kind: models.ChangedSession, Subject: sess.ID}) // its idle window moved
			return s.refreshed(ctx, sess, next)
		}
		if !errors.Is(err, models.ErrNotFound) {
			return nil, storeFault(err)
		}
		// A concurrent refresh rotated it first: judge it as a spent token below.
	case !errors.Is(err, models.ErrNotFound):
		return nil, storeFault(err)
	}
	return s.refreshSpent(ctx, h, nh, next, now)
}

// refreshSpent handles a token that is no longer current: a retry within the grace
// window gets what the first request got; anything else is reuse.
func (s *Service) refreshSpent(ctx context.Context, h, nh []byte, next string, now time.Time) (*Refreshed, error) {
	used, err := s.store.UsedRefreshToken(ctx, h)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errBadRefresh
	}
	if err != nil {
		return nil, storeFault(err)
	}
	sess, err := s.store.SessionByID(ctx, used.SessionID)
	if err != nil {
		return nil, storeFault(err)
	}
	if bytes.Equal(sess.RefreshHash, nh) && now.Sub(used.RotatedAt) <= s.o.RefreshGrace && sess.Active(now, s.o.IdleTimeout) {
		return s.refreshed(ctx, sess, next)
	}
	if sess.RevokedAt == nil {
		if err := s.closeSession(ctx, sess.UserID, sess.ID); err != nil {
			return nil, storeFault(err)
		}
		recordAudit(ctx, s.store, s.o.Logger, now, models.AuditRefreshReuse, Actor{ID: sess.UserID}, sess.UserID, "session "+sess.ID+" closed")
	}
	return nil, models.Wrap(models.KindUnauthorized, "refresh token was already used; the session is closed", errors.New("refresh token reuse"))
}

func (s *Service) refreshed(ctx context.Context, sess *models.Session, next string) (*Refreshed, error) {
	id, err := s.store.Identity(ctx, sess.UserID)
	if err != nil {
		return nil, storeFault(err)
	}
	if !id.User.Enabled {
		return nil, errBadRefresh
	}
	token, exp, err := s.tokens.MintAccess(issuer.AccessRequest{UserID: sess.UserID, SessionID: sess.ID, Roles: id.Roles,
		Groups: id.Groups, Verified: id.User.Verified, AMR: []string{amrEmailCode}})
	if err != nil {
		return nil, models.Internal(err)
	}
	return &Refreshed{Bearer: token, ExpiresAt: exp, RefreshToken: next, SessionExpireAt: sess.ExpiresAt}, nil
}

// lifetimes are a new session's absolute end and idle timeout: the configured ones,
// or the short admin ones (ARCHITECTURE: idle 30 minutes, absolute 12 hours) when
// the user holds admin.
func (s *Service) lifetimes(id *models.Identity, now time.Time) (time.Time, int) {
	if slices.Contains(id.Roles, models.RoleAdmin) {
		return now.Add(s.o.AdminAbsoluteLifetime), int(s.o.AdminIdleTimeout / time.Second)
	}
	return now.Add(s.o.AbsoluteLifetime), 0
}

package login

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// OAuth 2.0 use cases of sessions' tokens: revocation (RFC 7009), introspection
// (RFC 7662) and userinfo. Errors keep their class; handlers turns a wrong credential
// into RFC 6749 5.2's code. Client credentials are package apikeys'.

// RevokeToken revokes a refresh token (its session closes) or an access token (its
// session closes, or a key-pair token is put on the feed). Unknown, invalid and
// already revoked tokens are accepted silently (RFC 7009 2.2).
func (s *Service) RevokeToken(ctx context.Context, token string, client authn.Client) error {
	now := s.now()
	logout := func(userID, sessionID string) {
		s.audit.Record(ctx, models.AuditLogout, authn.Actor{ID: userID, Client: client}, userID, "session "+sessionID+" through /oauth/revoke")
	}
	if strings.HasPrefix(token, "rft_") {
		sess, err := s.currentRefresh(ctx, token)
		if err == nil {
			if err = s.closeSession(ctx, sess.UserID, sess.ID); err == nil {
				logout(sess.UserID, sess.ID)
			}
		}
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return models.Internal(err)
		}
		return nil
	}
	c, err := s.tokens.VerifyAccess(token)
	if err != nil {
		return nil
	}
	if c.KeyID != "" {
		fx := s.caches.TokenRevocation(c.TokenID, now)
		err = s.caches.Commit(fx, func(fx models.Effects) error { return s.store.Record(ctx, fx, now) })
	} else if err = s.closeSession(ctx, c.Subject, c.SessionID); err == nil {
		logout(c.Subject, c.SessionID)
	}
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return models.Internal(err)
	}
	return nil
}

// Introspection is RFC 7662's answer; Active false says nothing else.
type Introspection struct {
	Active              bool
	TokenType           string // "access_token" or "refresh_token"
	Subject, SessionID  string
	KeyID, TokenID      string
	Roles, Groups       []string
	ExpiresAt, IssuedAt time.Time
	Verified            bool
}

// Introspect describes a token as this service sees it now: revoked, expired, closed
// or disabled means inactive. The route admits gateways and admins only.
func (s *Service) Introspect(ctx context.Context, token string) (*Introspection, error) {
	if strings.HasPrefix(token, "rft_") {
		sess, err := s.currentRefresh(ctx, token)
		if errors.Is(err, models.ErrNotFound) {
			return &Introspection{}, nil
		}
		if err != nil {
			return nil, models.Internal(err)
		}
		if !sess.Active(s.now(), s.o.IdleTimeout) {
			return &Introspection{}, nil
		}
		return &Introspection{Active: true, TokenType: "refresh_token", Subject: sess.UserID, SessionID: sess.ID,
			ExpiresAt: sess.ExpiresAt}, nil
	}
	p, err := s.authn.Authenticate(ctx, token)
	if err != nil || p.Pending {
		switch models.KindOf(err) {
		case models.KindInternal, models.KindUnavailable, models.KindTooMany:
			return nil, err // not an answer about the token: the caller must retry
		}
		return &Introspection{}, nil
	}
	c := p.Claims()
	if c == nil { // a session's opaque bearer: what it stands for now
		return &Introspection{Active: true, TokenType: "access_token", Subject: p.UserID, SessionID: p.SessionID,
			Roles: p.Roles(), Groups: p.Groups(), ExpiresAt: p.ExpiresAt, Verified: p.Session().UserVerified}, nil
	}
	return &Introspection{Active: true, TokenType: "access_token", Subject: c.Subject, SessionID: c.SessionID,
		KeyID: c.KeyID, TokenID: c.TokenID, Roles: c.Roles, Groups: c.Groups, ExpiresAt: c.ExpiresAt,
		IssuedAt: c.IssuedAt, Verified: c.Verified}, nil
}

// UserInfo is the OIDC userinfo of the caller.
type UserInfo struct {
	Subject, Name, PreferredUsername, Email string
	EmailVerified, Verified                 bool
	Roles, Groups                           []string
}

// UserInfo describes the holder of an access token.
func (s *Service) UserInfo(ctx context.Context, p *authn.Principal) (*UserInfo, error) {
	if err := authn.RequireUser(p); err != nil {
		return nil, err
	}
	id, err := s.store.Identity(ctx, p.UserID)
	if err != nil {
		return nil, models.Internal(err)
	}
	out := &UserInfo{Subject: id.User.ID, Name: id.User.FullName, PreferredUsername: id.User.Alias,
		Verified: id.User.Verified, Roles: authn.NonNil(id.Roles), Groups: authn.NonNil(id.Groups)}
	if e, err := s.store.PreferredEmail(ctx, p.UserID); err == nil {
		out.Email, out.EmailVerified = e.Address, e.Verified
	}
	if c := p.Claims(); c != nil && c.ClientID != "" {
		limitToScopes(out, strings.Fields(c.Scope))
	}
	return out, nil
}

// limitToScopes keeps, for an app's token, only the claims its granted scopes ask
// for (OpenID Connect Core 5.4): the name and alias with profile, the address with
// email; sub, roles and groups always (a gateway's authorisation rests on them).
func limitToScopes(u *UserInfo, scopes []string) {
	if !slices.Contains(scopes, "profile") {
		u.Name, u.PreferredUsername = "", ""
	}
	if !slices.Contains(scopes, "email") {
		u.Email, u.EmailVerified = "", false
	}
}

package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
)

// OAuth 2.0 use cases: client credentials with an API key pair (RFC 6749 4.4),
// revocation (RFC 7009), introspection (RFC 7662) and userinfo. Errors keep their
// class; handlers turns a wrong credential into RFC 6749 5.2's code.

// ClientCredentials exchanges a verified key pair for an access token whose subject
// is the pair's owner, azp the pair, amr ["apikey"] and roles the owner's.
func (s *Service) ClientCredentials(ctx context.Context, apiKey, secret, ip string) (string, time.Time, error) {
	p, err := s.AuthenticateKeyPair(ctx, apiKey, secret, ip)
	if err != nil {
		return "", time.Time{}, err
	}
	id := p.key.Identity
	return s.tokens.MintAccess(issuer.AccessRequest{UserID: p.UserID, KeyID: p.KeyID, Roles: id.Roles,
		Groups: id.Groups, Verified: id.User.Verified, AMR: []string{"apikey"}})
}

// authenticateKeyToken admits an access token minted from a key pair while the pair is
// still usable and the token is not revoked. The pair and its owner come from memory
// (the keys cache, by key ID), and revoked token IDs from the revocation feed kept in
// memory, so the hot path reads no database.
func (s *Service) authenticateKeyToken(ctx context.Context, c *issuer.Claims) (*Principal, error) {
	now := s.now()
	owner, ok := s.keys.byID.get(c.KeyID, now)
	if !ok {
		k, err := s.store.KeyPairByID(ctx, c.KeyID)
		if errors.Is(err, models.ErrNotFound) {
			return nil, models.Wrap(models.KindUnauthorized, "invalid or expired token", err)
		}
		if err != nil {
			return nil, storeFault(err)
		}
		id, err := s.store.Identity(ctx, k.UserID)
		if err != nil {
			return nil, storeFault(err)
		}
		owner = &models.KeyPairOwner{KeyPair: *k, Identity: *id}
		s.keys.byID.put(owner.KeyPair.ID, owner, now)
	}
	k := owner.KeyPair
	if s.sessions.tokenRevoked(c.TokenID) || k.UserID != c.Subject || !k.Verified || !now.Before(k.ExpiresAt) || !owner.Identity.User.Enabled {
		return nil, models.E(models.KindUnauthorized, "invalid or expired token")
	}
	return &Principal{KeyID: k.ID, UserID: k.UserID, ExpiresAt: c.ExpiresAt, claims: c, key: owner}, nil
}

// RevokeToken revokes a refresh token (its session closes) or an access token (its
// session closes, or a key-pair token is put on the feed). Unknown, invalid and
// already revoked tokens are accepted silently (RFC 7009 2.2).
func (s *Service) RevokeToken(ctx context.Context, token string) error {
	now := s.now()
	if strings.HasPrefix(token, "rft_") {
		sess, err := s.currentRefresh(ctx, token)
		if err == nil {
			err = s.closeSession(ctx, sess.UserID, sess.ID)
		}
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return storeFault(err)
		}
		return nil
	}
	c, err := s.tokens.VerifyAccess(token)
	if err != nil {
		return nil
	}
	if c.KeyID != "" {
		fx := s.tokenRevoked(c.TokenID, now)
		err = s.commit(fx, func(fx models.Effects) error { return s.store.Record(ctx, fx, now) })
	} else {
		err = s.closeSession(ctx, c.Subject, c.SessionID)
	}
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return storeFault(err)
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
			return nil, storeFault(err)
		}
		if !sess.Active(s.now(), s.o.IdleTimeout) {
			return &Introspection{}, nil
		}
		return &Introspection{Active: true, TokenType: "refresh_token", Subject: sess.UserID, SessionID: sess.ID,
			ExpiresAt: sess.ExpiresAt}, nil
	}
	p, err := s.Authenticate(ctx, token)
	if err != nil || p.Pending {
		switch models.KindOf(err) {
		case models.KindInternal, models.KindUnavailable, models.KindTooMany:
			return nil, err // not an answer about the token: the caller must retry
		}
		return &Introspection{}, nil
	}
	c := p.claims
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
func (s *Service) UserInfo(ctx context.Context, p *Principal) (*UserInfo, error) {
	if err := requireUser(p); err != nil {
		return nil, err
	}
	id, err := s.store.Identity(ctx, p.UserID)
	if err != nil {
		return nil, storeFault(err)
	}
	out := &UserInfo{Subject: id.User.ID, Name: id.User.FullName, PreferredUsername: id.User.Alias,
		Verified: id.User.Verified, Roles: nonNil(id.Roles), Groups: nonNil(id.Groups)}
	if e, err := s.store.PreferredEmail(ctx, p.UserID); err == nil {
		out.Email, out.EmailVerified = e.Address, e.Verified
	}
	return out, nil
}

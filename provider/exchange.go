package provider

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/authd/authd/clients"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/login"
	"github.com/authd/authd/models"
)

// ClientAuth is how a caller of the token endpoint identified itself: an app ID, with
// a secret when the app is confidential (client_secret_basic or client_secret_post),
// without one when it is public (none, with PKCE).
type ClientAuth struct {
	ID, Secret string
	HasSecret  bool
}

var errBadClient = &models.Error{Kind: models.KindUnauthorized, Code: "invalid_client", Public: "client authentication failed"}

// IsApp reports an ID that claims to be a registered app's (never an API key pair's),
// by its prefix alone: a malformed app ID must still be refused as an app's
// (clients.WellFormedID decides that), not taken for a key pair and ignored.
func IsApp(id string) bool { return strings.HasPrefix(id, clients.IDPrefix) }

// AuthenticateApp checks a token-endpoint caller that names a registered app: a
// confidential app by its secret, a public one by its ID alone (a secret sent by a
// public app is refused, so it cannot be mistaken for a confidential one).
func (s *Service) AuthenticateApp(ctx context.Context, in ClientAuth) (*models.Client, error) {
	if in.HasSecret {
		c, err := s.apps.Authenticate(ctx, in.ID, in.Secret)
		if models.KindOf(err) == models.KindUnauthorized {
			return nil, errBadClient
		}
		return c, err
	}
	c, err := s.apps.Get(ctx, in.ID)
	if models.KindOf(err) == models.KindNotFound || (err == nil && c.Confidential()) {
		return nil, errBadClient
	}
	return c, err
}

// Exchange is what a code's exchange returns to the app.
type Exchange struct {
	AccessToken  string
	ExpiresAt    time.Time
	RefreshToken string // only with offline_access (or for a first-party app)
	IDToken      string
	Scopes       []string
}

// ExchangeCode redeems a code for the authenticated app c: it opens the app session
// the code names and returns its tokens and an ID token signed under the app's
// algorithm. Refusals of the code are *ExchangeError (invalid_grant).
func (s *Service) ExchangeCode(ctx context.Context, c *models.Client, code, redirectURI, verifier, ip, userAgent string) (*Exchange, error) {
	if !slices.Contains(c.GrantTypes, clients.GrantAuthorizationCode) {
		return nil, &models.Error{Kind: models.KindInvalid, Code: "unauthorized_client", Public: "this app may not use the authorization_code grant"}
	}
	r, err := s.Redeem(ctx, c.ID, code, redirectURI, verifier)
	if err != nil {
		return nil, err
	}
	offline := (slices.Contains(r.Scopes, clients.ScopeOfflineAccess) || c.FirstParty) &&
		slices.Contains(c.GrantTypes, clients.GrantRefreshToken)
	t, err := s.sessions.OpenAppSession(ctx, login.AppLogin{SessionID: r.SessionID, ParentID: r.BrowserSessionID,
		UserID: r.UserID, ClientID: c.ID, Scopes: r.Scopes, AuthTime: *r.AuthTime, AMR: r.AMR, IP: ip, UserAgent: userAgent,
		AccessTTL: time.Duration(c.AccessTTLSeconds) * time.Second, RefreshTTL: time.Duration(c.RefreshTTLSeconds) * time.Second,
		Offline: offline})
	if err != nil {
		return nil, err
	}
	req := issuer.IDTokenRequest{Alg: c.IDTokenAlg, ClientID: c.ID, UserID: r.UserID, SessionID: r.SessionID, Nonce: r.Nonce,
		ACR: ACR, AMR: r.AMR, AuthTime: *r.AuthTime, Lifetime: s.o.IDTokenTTL, AccessToken: t.Access}
	withProfile(&req, t.Scopes, t.Profile)
	id, _, err := s.ids.MintIDToken(req)
	if err != nil {
		return nil, models.Internal(err)
	}
	return &Exchange{AccessToken: t.Access, ExpiresAt: t.ExpiresAt, RefreshToken: t.RefreshToken, IDToken: id,
		Scopes: t.Scopes}, nil
}

// ACR is the authentication context class of every authd login: one factor, a code
// sent by email (the lowest level of ISO/IEC 29115, "1").
const ACR = "1"

// withProfile adds the claims the granted scopes ask for (OpenID Connect Core 5.4).
func withProfile(req *issuer.IDTokenRequest, scopes []string, p login.Profile) {
	if slices.Contains(scopes, clients.ScopeProfile) {
		req.Name, req.PreferredUsername = p.Name, p.Alias
	}
	if slices.Contains(scopes, clients.ScopeEmail) && p.Email != "" {
		verified := p.EmailVerified
		req.Email, req.EmailVerified = p.Email, &verified
	}
}

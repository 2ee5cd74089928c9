package provider

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authd/authd/models"
)

// Client is a registered app as op sees it.
type Client struct {
	c          *models.Client
	idTokenTTL time.Duration
	loginPath  string
}

var _ op.Client = Client{}

// NewClient adapts a registered app. idTokenTTL is how long its ID tokens live;
// loginPath is the hosted login page, which gets ?authRequestID=.
func NewClient(c *models.Client, idTokenTTL time.Duration, loginPath string) Client {
	return Client{c: c, idTokenTTL: idTokenTTL, loginPath: loginPath}
}

func (a Client) GetID() string                    { return a.c.ID }
func (a Client) RedirectURIs() []string           { return slices.Clone(a.c.RedirectURIs) }
func (a Client) PostLogoutRedirectURIs() []string { return slices.Clone(a.c.PostLogoutRedirectURIs) }
func (a Client) LoginURL(id string) string        { return a.loginPath + "?authRequestID=" + id }
func (a Client) IDTokenLifetime() time.Duration   { return a.idTokenTTL }
func (a Client) ClockSkew() time.Duration         { return 0 }

// ApplicationType maps web, spa and native to op's web, user agent and native.
func (a Client) ApplicationType() op.ApplicationType {
	switch a.c.Type {
	case models.ClientWeb:
		return op.ApplicationTypeWeb
	case models.ClientNative:
		return op.ApplicationTypeNative
	default:
		return op.ApplicationTypeUserAgent
	}
}

// AuthMethod is how the app authenticates at the token endpoint: a web app with its
// secret (op takes client_secret_basic and, when offered, client_secret_post), a
// public app not at all (PKCE instead).
func (a Client) AuthMethod() oidc.AuthMethod {
	if a.c.Confidential() {
		return oidc.AuthMethodBasic
	}
	return oidc.AuthMethodNone
}

// ResponseTypes is code only: no implicit, no hybrid (OAuth 2.1).
func (a Client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

// GrantTypes are the registered ones.
func (a Client) GrantTypes() []oidc.GrantType {
	out := make([]oidc.GrantType, 0, len(a.c.GrantTypes))
	for _, g := range a.c.GrantTypes {
		out = append(out, oidc.GrantType(g))
	}
	return out
}

// AccessTokenType is a JWT: gateways verify an app's access tokens offline, like any.
func (a Client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }

// DevMode is true because the registry has already decided which redirect URIs are
// acceptable when the app was registered (https, loopback http, localhost only in
// dev, private-use schemes only for native apps); op's own scheme policy, which would
// refuse an spa's loopback http URI, adds nothing to it. op still matches exactly.
func (a Client) DevMode() bool { return true }

// RestrictAdditionalIdTokenScopes and RestrictAdditionalAccessTokenScopes keep the
// scopes as granted: IsScopeAllowed has already limited them to the registered ones.
func (a Client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (a Client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed reports a scope the app registered.
func (a Client) IsScopeAllowed(scope string) bool { return slices.Contains(a.c.Scopes, scope) }

// IDTokenUserinfoClaimsAssertion puts the claims the scopes grant (email, name, ...)
// in the ID token itself, so an app needs no userinfo call to learn who logged in.
func (a Client) IDTokenUserinfoClaimsAssertion() bool { return true }

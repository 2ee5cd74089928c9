package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Kinds of registered app (OAuth 2.1 client types): a web app keeps a secret on its
// server (confidential); a single-page or native app cannot (public, PKCE only).
const (
	ClientWeb    = "web"
	ClientSPA    = "spa"
	ClientNative = "native"
)

// Client is a registered app: an OpenID Connect relying party that signs its users in
// through authd. SecretHash is the keyed hash of its secret (web apps only);
// PrevSecretHash is the one a rotation replaced, valid until PrevSecretUntil.
type Client struct {
	bun.BaseModel `bun:"table:oauth_clients"`

	ID                     string     `bun:"id,pk"`
	Name                   string     `bun:"name,notnull"`
	LogoURL                string     `bun:"logo_url,notnull"`
	Type                   string     `bun:"type,notnull"`
	RedirectURIs           []string   `bun:"redirect_uris,notnull"`
	PostLogoutRedirectURIs []string   `bun:"post_logout_redirect_uris,notnull"`
	BackchannelLogoutURI   string     `bun:"backchannel_logout_uri,notnull"`
	Scopes                 []string   `bun:"scopes,notnull"`
	GrantTypes             []string   `bun:"grant_types,notnull"`
	FirstParty             bool       `bun:"first_party,notnull"`
	IDTokenAlg             string     `bun:"id_token_alg,notnull"`
	AccessTTLSeconds       int        `bun:"access_ttl_seconds,notnull"`
	RefreshTTLSeconds      int        `bun:"refresh_ttl_seconds,notnull"`
	SecretHash             []byte     `bun:"secret_hash"`
	PrevSecretHash         []byte     `bun:"prev_secret_hash"`
	PrevSecretUntil        *time.Time `bun:"prev_secret_until"`
	CreatedAt              time.Time  `bun:"created_at,notnull"`
	UpdatedAt              time.Time  `bun:"updated_at,notnull"`
}

// Confidential reports a client that authenticates with a secret.
func (c *Client) Confidential() bool { return c.Type == ClientWeb }

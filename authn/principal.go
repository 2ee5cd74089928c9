package authn

import (
	"time"

	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
)

// Principal is an authenticated caller. A pending principal holds only the
// credential POST /session gave out: it may show and cancel its own session, nothing
// else, and it carries no account data, because anyone may obtain one for any address.
type Principal struct {
	SessionID string // empty for a key pair
	KeyID     string // set when the caller used an API key pair
	UserID    string // empty when Pending
	Pending   bool
	ExpiresAt time.Time // the presented credential's
	Client    Client    // where the request came from; set by the HTTP layer

	pending *issuer.Pending
	claims  *issuer.Claims
	view    *models.SessionView
	key     *models.KeyPairOwner
	// identity is the user behind a session's opaque bearer (pending.go): its roles
	// and groups are the user's current ones, as a refreshed token's would be.
	identity *models.Identity
	// roles are the caller's roles as the database holds them, once CurrentRoles has
	// read them for this request.
	roles     []string
	rolesRead bool
}

// ViaKeyPair reports whether the caller authenticated with an API key pair.
func (p *Principal) ViaKeyPair() bool { return p.key != nil }

// Roles are the caller's roles: an access token's own claims (what gateways see
// too), or a key pair owner's current roles.
func (p *Principal) Roles() []string {
	switch {
	case p.key != nil:
		return NonNil(p.key.Identity.Roles)
	case p.claims != nil:
		return p.claims.Roles
	case p.identity != nil:
		return NonNil(p.identity.Roles)
	}
	return []string{}
}

// Groups are the caller's groups, from the same source as Roles.
func (p *Principal) Groups() []string {
	switch {
	case p.key != nil:
		return NonNil(p.key.Identity.Groups)
	case p.claims != nil:
		return p.claims.Groups
	case p.identity != nil:
		return NonNil(p.identity.Groups)
	}
	return []string{}
}

// HasAnyRole reports whether the caller holds at least one of roles.
func (p *Principal) HasAnyRole(roles ...string) bool {
	for _, have := range p.Roles() {
		for _, want := range roles {
			if have == want {
				return true
			}
		}
	}
	return false
}

// Claims are the verified access token's claims; nil for a pending credential, a
// session's opaque bearer or a key pair checked by its secret.
func (p *Principal) Claims() *issuer.Claims { return p.claims }

// Session is the caller's session row as the check found it; nil unless the caller
// presented a session's access token.
func (p *Principal) Session() *models.SessionView { return p.view }

// KeyPair is the key pair the caller authenticated with (or its token was minted
// from), with its owner; nil otherwise.
func (p *Principal) KeyPair() *models.KeyPairOwner { return p.key }

// PendingLogin is a pending credential's content; nil otherwise.
func (p *Principal) PendingLogin() *issuer.Pending { return p.pending }

// ForKeyPair is the principal of a caller whose key pair package apikeys checked.
func ForKeyPair(owner *models.KeyPairOwner) *Principal {
	k := owner.KeyPair
	return &Principal{KeyID: k.ID, UserID: k.UserID, ExpiresAt: k.ExpiresAt, key: owner}
}

// Actor is the caller as the audit log records it.
func (p *Principal) Actor() Actor { return Actor{ID: p.UserID, Client: p.Client} }

// Client is who is calling, as the HTTP layer saw it.
type Client struct {
	IP        string
	UserAgent string
}

// RequireVerified admits a verified session only: what manages credentials or the
// session itself.
func RequireVerified(p *Principal) error {
	if err := RequireUser(p); err != nil {
		return err
	}
	return RequireSession(p)
}

// RequireUser admits a verified session or a key pair: a caller known to be a user.
func RequireUser(p *Principal) error {
	if p.Pending {
		return models.E(models.KindUnauthorized, "session is not verified")
	}
	return nil
}

// RequireSession refuses key pairs where a person's session is needed: managing
// credentials or the session itself.
func RequireSession(p *Principal) error {
	if p.key != nil {
		return models.E(models.KindForbidden, "this endpoint needs a session bearer token, not an API key pair")
	}
	return nil
}

// NonNil is s, or an empty list: JSON answers carry [] rather than null.
func NonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

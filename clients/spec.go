package clients

import (
	"slices"
	"time"

	"github.com/authd/authd/models"
)

// SpecOf is the spec that registers c as it is: the start of a change to some fields.
func SpecOf(c *models.Client) Spec {
	return Spec{Name: c.Name, LogoURL: c.LogoURL, Type: c.Type, RedirectURIs: slices.Clone(c.RedirectURIs),
		PostLogoutRedirectURIs: slices.Clone(c.PostLogoutRedirectURIs), BackchannelLogoutURI: c.BackchannelLogoutURI,
		Scopes: slices.Clone(c.Scopes), GrantTypes: slices.Clone(c.GrantTypes), FirstParty: c.FirstParty, IDTokenAlg: c.IDTokenAlg,
		AccessTTL: time.Duration(c.AccessTTLSeconds) * time.Second, RefreshTTL: time.Duration(c.RefreshTTLSeconds) * time.Second}
}

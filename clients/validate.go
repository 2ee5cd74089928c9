package clients

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/authd/authd/models"
)

// Scopes every deployment knows (OpenID Connect Core 5.4, 11).
const (
	ScopeOpenID        = "openid"
	ScopeProfile       = "profile"
	ScopeEmail         = "email"
	ScopeOfflineAccess = "offline_access"
)

// Grant types a registered app may use.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
)

// ID token signing algorithms; RS256 is the default every relying party supports.
var idTokenAlgs = []string{"RS256", "ES256", "EdDSA"}

// Spec is what an admin or operator registers: every field of a Client but those
// authd decides (ID, secret, times). Empty lists and zero values take the defaults.
type Spec struct {
	Name                   string
	LogoURL                string
	Type                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string
	Scopes                 []string // default: openid profile email offline_access
	GrantTypes             []string // default: authorization_code refresh_token
	FirstParty             bool
	IDTokenAlg             string // default RS256
	AccessTTL, RefreshTTL  time.Duration
}

const (
	maxURIs   = 20
	maxURILen = 2000
)

// check validates a spec and fills its defaults; the error names the first field at fault.
func (s *Service) check(sp *Spec) error {
	name, err := models.NormalizeDisplayName(sp.Name, "name")
	if err != nil {
		return err
	}
	sp.Name = name
	if !slices.Contains([]string{models.ClientWeb, models.ClientSPA, models.ClientNative}, sp.Type) {
		return models.Invalid("type: one of web, spa, native")
	}
	if sp.LogoURL != "" && !s.webURL(sp.LogoURL) {
		return models.Invalid("logoURL: an https URL")
	}
	if len(sp.RedirectURIs) == 0 || len(sp.RedirectURIs) > maxURIs {
		return models.Invalid("redirectURIs: 1 to 20 URIs")
	}
	for _, u := range sp.RedirectURIs {
		if !s.redirectURI(u, sp.Type) {
			return models.Invalid("redirectURIs: " + u + " is not allowed (absolute, exact, no fragment or wildcard; https, or http on a loopback address; a private-use scheme only for native apps)")
		}
	}
	if len(sp.PostLogoutRedirectURIs) > maxURIs {
		return models.Invalid("postLogoutRedirectURIs: at most 20 URIs")
	}
	for _, u := range sp.PostLogoutRedirectURIs {
		if !s.redirectURI(u, sp.Type) {
			return models.Invalid("postLogoutRedirectURIs: " + u + " is not allowed")
		}
	}
	if sp.BackchannelLogoutURI != "" && !s.webURL(sp.BackchannelLogoutURI) {
		return models.Invalid("backchannelLogoutURI: an https URL without a fragment")
	}
	if err := s.checkGrants(sp); err != nil {
		return err
	}
	if sp.IDTokenAlg == "" {
		sp.IDTokenAlg = "RS256"
	}
	if !slices.Contains(idTokenAlgs, sp.IDTokenAlg) {
		return models.Invalid("idTokenAlg: one of RS256, ES256, EdDSA")
	}
	if sp.AccessTTL < 0 || sp.AccessTTL%time.Second != 0 || (s.o.MaxAccessTTL > 0 && sp.AccessTTL > s.o.MaxAccessTTL) {
		return models.Invalid("accessTTL: whole seconds, at most the server's access lifetime")
	}
	if sp.RefreshTTL < 0 || sp.RefreshTTL%time.Second != 0 || (s.o.MaxRefreshTTL > 0 && sp.RefreshTTL > s.o.MaxRefreshTTL) {
		return models.Invalid("refreshTTL: whole seconds, at most the server's session lifetime")
	}
	return nil
}

// checkGrants validates scopes and grant types and fills their defaults.
func (s *Service) checkGrants(sp *Spec) error {
	if len(sp.Scopes) == 0 {
		sp.Scopes = []string{ScopeOpenID, ScopeProfile, ScopeEmail, ScopeOfflineAccess}
	}
	for _, sc := range sp.Scopes {
		if !s.scopes[sc] {
			return models.Invalid("scopes: unknown scope " + sc)
		}
	}
	if !slices.Contains(sp.Scopes, ScopeOpenID) {
		return models.Invalid("scopes: openid is required")
	}
	if len(sp.GrantTypes) == 0 {
		sp.GrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	for _, g := range sp.GrantTypes {
		if g != GrantAuthorizationCode && g != GrantRefreshToken {
			return models.Invalid("grantTypes: authorization_code and refresh_token only (implicit and password are not offered)")
		}
	}
	if !slices.Contains(sp.GrantTypes, GrantAuthorizationCode) {
		return models.Invalid("grantTypes: authorization_code is required")
	}
	sp.Scopes, sp.GrantTypes = dedupe(sp.Scopes), dedupe(sp.GrantTypes)
	return nil
}

func dedupe(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out)
}

// redirectURI reports a redirect URI that may be registered for a client of kind typ:
// absolute, at most 2000 bytes, no fragment, no user info, no wildcard; https, or http
// on a loopback address (an IP literal always, localhost only in dev); for native apps
// also a private-use scheme in reverse-domain form (RFC 8252 7.1).
func (s *Service) redirectURI(raw, typ string) bool {
	u, ok := parseAbsolute(raw)
	if !ok {
		return false
	}
	switch u.Scheme {
	case "https":
		return u.Host != ""
	case "http":
		return loopbackIP(u.Hostname()) || (s.o.Dev && u.Hostname() == "localhost")
	default:
		return typ == models.ClientNative && strings.Contains(u.Scheme, ".") && u.Host == ""
	}
}

// webURL reports an https URL (or, like redirect URIs, http on loopback) without a fragment.
func (s *Service) webURL(raw string) bool {
	u, ok := parseAbsolute(raw)
	if !ok {
		return false
	}
	return (u.Scheme == "https" && u.Host != "") ||
		(u.Scheme == "http" && (loopbackIP(u.Hostname()) || (s.o.Dev && u.Hostname() == "localhost")))
}

// parseAbsolute parses raw as an absolute URI without fragment, user info or wildcard.
func parseAbsolute(raw string) (*url.URL, bool) {
	if raw == "" || len(raw) > maxURILen || strings.ContainsAny(raw, "*# \t\r\n\\") {
		return nil, false
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return nil, false
	}
	return u, true
}

// loopbackIP reports a loopback IP literal (127.0.0.0/8 or ::1).
func loopbackIP(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedirectAllowed reports whether uri is one of c's registered redirect URIs. The
// match is exact (no normalisation, no prefix), except that a native app's loopback
// URI matches on any port (RFC 8252 7.3: the app picks a free port at run time).
func RedirectAllowed(c *models.Client, uri string) bool {
	return allowed(c, c.RedirectURIs, uri)
}

// PostLogoutRedirectAllowed is RedirectAllowed for the post-logout URIs.
func PostLogoutRedirectAllowed(c *models.Client, uri string) bool {
	return allowed(c, c.PostLogoutRedirectURIs, uri)
}

func allowed(c *models.Client, registered []string, uri string) bool {
	if slices.Contains(registered, uri) {
		return true
	}
	if c.Type != models.ClientNative {
		return false
	}
	got, ok := parseAbsolute(uri)
	if !ok || got.Scheme != "http" || !loopbackIP(got.Hostname()) {
		return false
	}
	for _, r := range registered {
		want, ok := parseAbsolute(r)
		if ok && want.Scheme == "http" && want.Hostname() == got.Hostname() && want.Path == got.Path && want.RawQuery == got.RawQuery {
			return true
		}
	}
	return false
}

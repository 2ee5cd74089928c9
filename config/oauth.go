package config

import (
	"regexp"
	"strings"
	"time"
)

// OAuthConfig shapes authd as an OpenID Provider for registered apps.
type OAuthConfig struct {
	// RequirePKCE: "all" (the default, OAuth 2.1) or "public" (confidential clients may
	// leave it out). Public clients always need S256.
	RequirePKCE string `mapstructure:"require_pkce"`
	// ClientSecretGrace is how long a rotated-out client secret stays valid when the
	// rotation names no grace of its own.
	ClientSecretGrace time.Duration `mapstructure:"client_secret_grace"`
	// Scopes are the custom scopes apps may be allowed, besides openid, profile, email
	// and offline_access: "name" is granted to anyone an allowed app asks it for;
	// "name=role1|role2" only to people holding one of those roles (for anyone else
	// the app gets the request's other scopes). See CustomScopes.
	Scopes []string `mapstructure:"scopes"`
	// BrowserIdleTimeout and BrowserLifetime bound the hosted login's browser sessions
	// (single sign-on between apps): unused this long, or this long after login, the
	// person logs in again.
	BrowserIdleTimeout time.Duration `mapstructure:"browser_idle_timeout"`
	BrowserLifetime    time.Duration `mapstructure:"browser_lifetime"`
	// IDTokenTTL is an ID token's lifetime.
	IDTokenTTL time.Duration `mapstructure:"id_token_ttl"`
}

// BrandingConfig is what the hosted login pages show of the deployment.
type BrandingConfig struct {
	ProductName string `mapstructure:"product_name"`
	LogoURL     string `mapstructure:"logo_url"`
	AccentColor string `mapstructure:"accent_color"` // #rrggbb
	// TemplatesDir holds overrides of the hosted pages (same file names as the
	// embedded ones in web/templates); every page is parsed at start.
	TemplatesDir string `mapstructure:"templates_dir"`
}

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func oauthDefaults() map[string]any {
	return map[string]any{
		"dev":                        false,
		"oauth.require_pkce":         "all",
		"oauth.client_secret_grace":  "24h",
		"oauth.scopes":               []string{},
		"oauth.browser_idle_timeout": "12h",
		"oauth.browser_lifetime":     "168h",
		"oauth.id_token_ttl":         "1h",
		"branding.product_name":      "authd",
		"branding.logo_url":          "",
		"branding.accent_color":      "#1d4ed8",
		"branding.templates_dir":     "",
	}
}

var scopeName = regexp.MustCompile(`^[a-z][a-z0-9_.:-]{0,63}$`)

// roleName is models.ValidRoleName's rule (config imports no other package).
var roleName = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

// validateOAuth checks the oauth section.
func (c *Config) validateOAuth(bad func(key, format string, args ...any), oneOf func(key, got string, allowed ...string)) {
	oneOf("oauth.require_pkce", c.OAuth.RequirePKCE, "all", "public")
	if g := c.OAuth.ClientSecretGrace; g < time.Minute || g > 30*24*time.Hour {
		bad("oauth.client_secret_grace", "%s is outside 1m..720h", g)
	}
	if d := c.OAuth.BrowserIdleTimeout; d < time.Minute || d > c.OAuth.BrowserLifetime {
		bad("oauth.browser_idle_timeout", "%s is outside 1m..oauth.browser_lifetime", d)
	}
	if d := c.OAuth.BrowserLifetime; d < time.Minute || d > 90*24*time.Hour {
		bad("oauth.browser_lifetime", "%s is outside 1m..2160h", d)
	}
	if d := c.OAuth.IDTokenTTL; d < time.Minute || d > 24*time.Hour {
		bad("oauth.id_token_ttl", "%s is outside 1m..24h", d)
	}
	if !hexColour.MatchString(c.Branding.AccentColor) {
		bad("branding.accent_color", "%q is not a #rrggbb colour", c.Branding.AccentColor)
	}
	if u := c.Branding.LogoURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "/") {
		bad("branding.logo_url", "%q is neither an https URL nor a path on this server", u)
	}
	for _, entry := range c.OAuth.Scopes {
		s, roles, gated := strings.Cut(entry, "=")
		switch {
		case !scopeName.MatchString(s):
			bad("oauth.scopes", "%q is not a scope name (a-z first, then up to 63 of a-z, 0-9, _ . : -)", s)
		case s == "openid" || s == "profile" || s == "email" || s == "offline_access":
			bad("oauth.scopes", "%q is built in", s)
		}
		if !gated {
			continue
		}
		for _, r := range strings.Split(roles, "|") {
			if !roleName.MatchString(r) {
				bad("oauth.scopes", "%q: %q is not a role name", entry, r)
			}
		}
	}
}

// CustomScopes splits oauth.scopes into the custom scope names and, for the
// role-based ones ("name=role1|role2"), the roles any one of which grants each.
func (o OAuthConfig) CustomScopes() (names []string, roles map[string][]string) {
	roles = map[string][]string{}
	for _, entry := range o.Scopes {
		name, rs, gated := strings.Cut(entry, "=")
		names = append(names, name)
		if gated {
			roles[name] = strings.Split(rs, "|")
		}
	}
	return names, roles
}

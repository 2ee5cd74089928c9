package config

import (
	"regexp"
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
	// and offline_access.
	Scopes []string `mapstructure:"scopes"`
}

func oauthDefaults() map[string]any {
	return map[string]any{
		"dev":                       false,
		"oauth.require_pkce":        "all",
		"oauth.client_secret_grace": "24h",
		"oauth.scopes":              []string{},
	}
}

var scopeName = regexp.MustCompile(`^[a-z][a-z0-9_.:-]{0,63}$`)

// validateOAuth checks the oauth section.
func (c *Config) validateOAuth(bad func(key, format string, args ...any), oneOf func(key, got string, allowed ...string)) {
	oneOf("oauth.require_pkce", c.OAuth.RequirePKCE, "all", "public")
	if g := c.OAuth.ClientSecretGrace; g < time.Minute || g > 30*24*time.Hour {
		bad("oauth.client_secret_grace", "%s is outside 1m..720h", g)
	}
	for _, s := range c.OAuth.Scopes {
		switch {
		case !scopeName.MatchString(s):
			bad("oauth.scopes", "%q is not a scope name (a-z first, then up to 63 of a-z, 0-9, _ . : -)", s)
		case s == "openid" || s == "profile" || s == "email" || s == "offline_access":
			bad("oauth.scopes", "%q is built in", s)
		}
	}
}

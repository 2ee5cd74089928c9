package config

import (
	"strings"
	"testing"
)

func TestOAuthSettings(t *testing.T) {
	t.Setenv("AUTHD_DATA_DIR", t.TempDir())
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.Dev || c.OAuth.RequirePKCE != "all" || c.OAuth.ClientSecretGrace.String() != "24h0m0s" || len(c.OAuth.Scopes) != 0 {
		t.Errorf("defaults: dev %v, %+v", c.Dev, c.OAuth)
	}
	for env, want := range map[string]string{
		"AUTHD_OAUTH_REQUIRE_PKCE=none":         "oauth.require_pkce",
		"AUTHD_OAUTH_CLIENT_SECRET_GRACE=1s":    "oauth.client_secret_grace",
		"AUTHD_OAUTH_CLIENT_SECRET_GRACE=721h":  "oauth.client_secret_grace",
		"AUTHD_OAUTH_SCOPES=openid":             "oauth.scopes",
		"AUTHD_OAUTH_BROWSER_IDLE_TIMEOUT=200h": "oauth.browser_idle_timeout",
		"AUTHD_OAUTH_BROWSER_LIFETIME=10s":      "oauth.browser_lifetime",
		"AUTHD_OAUTH_ID_TOKEN_TTL=48h":          "oauth.id_token_ttl",
		"AUTHD_OAUTH_SCOPES=Billing":            "oauth.scopes",
		"AUTHD_OAUTH_SCOPES=billing,bad scope":  "oauth.scopes",
		"AUTHD_OAUTH_SCOPES=billing=":           "oauth.scopes",
		"AUTHD_OAUTH_SCOPES=billing=Admin":      "oauth.scopes",
		"AUTHD_OAUTH_SCOPES=billing=admin|":     "oauth.scopes",
		"AUTHD_DEV=maybe":                       "dev",
	} {
		t.Run(env, func(t *testing.T) {
			k, v, _ := strings.Cut(env, "=")
			t.Setenv(k, v)
			if _, err := Load(""); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want an error naming %s", env, err, want)
			}
		})
	}
	t.Setenv("AUTHD_OAUTH_SCOPES", "billing,reports.read=analyst|admin")
	t.Setenv("AUTHD_DEV", "true")
	c, err = Load("")
	if err != nil || !c.Dev {
		t.Fatalf("custom scopes and dev: %+v %v", c, err)
	}
	names, roles := c.OAuth.CustomScopes()
	if strings.Join(names, " ") != "billing reports.read" || len(roles) != 1 || strings.Join(roles["reports.read"], " ") != "analyst admin" {
		t.Errorf("custom scopes: %v, role-based %v", names, roles)
	}
}

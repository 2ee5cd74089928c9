package clients

import (
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/models"
)

func TestRedirectURIRules(t *testing.T) {
	prod, dev := New(nil, nil, nil, nil, Options{}), New(nil, nil, nil, nil, Options{Dev: true})
	for _, tc := range []struct {
		uri       string
		typ       string
		prod, dev bool
	}{
		{"https://app.example.com/callback", models.ClientWeb, true, true},
		{"https://app.example.com/cb?tenant=a", models.ClientSPA, true, true},
		{"http://127.0.0.1:4180/oauth2/callback", models.ClientWeb, true, true},
		{"http://[::1]/cb", models.ClientNative, true, true},
		{"http://localhost:3000/cb", models.ClientSPA, false, true},
		{"http://app.example.com/cb", models.ClientWeb, false, false},
		{"https://app.example.com/cb#frag", models.ClientWeb, false, false},
		{"https://*.example.com/cb", models.ClientWeb, false, false},
		{"https://app.example.com/*", models.ClientWeb, false, false},
		{"https://user:pw@app.example.com/cb", models.ClientWeb, false, false},
		{"/relative/cb", models.ClientWeb, false, false},
		{"", models.ClientWeb, false, false},
		{"https:///no-host", models.ClientWeb, false, false},
		{"com.example.app:/oauth2redirect", models.ClientNative, true, true},
		{"com.example.app:/oauth2redirect", models.ClientSPA, false, false},
		{"myapp:/cb", models.ClientNative, false, false}, // RFC 8252 7.1: reverse-domain schemes only
		{"javascript:alert(1)", models.ClientNative, false, false},
		{"https://app.example.com/a b", models.ClientWeb, false, false},
	} {
		if got := prod.redirectURI(tc.uri, tc.typ); got != tc.prod {
			t.Errorf("%s (%s): allowed=%v in production, want %v", tc.uri, tc.typ, got, tc.prod)
		}
		if got := dev.redirectURI(tc.uri, tc.typ); got != tc.dev {
			t.Errorf("%s (%s): allowed=%v in dev, want %v", tc.uri, tc.typ, got, tc.dev)
		}
	}
}

func TestRedirectAllowedIsExactButForNativeLoopbackPorts(t *testing.T) {
	web := &models.Client{Type: models.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb", "http://127.0.0.1:4180/cb"}}
	native := &models.Client{Type: models.ClientNative, RedirectURIs: []string{"http://127.0.0.1/cb", "com.example.app:/cb"}}
	for _, tc := range []struct {
		c    *models.Client
		uri  string
		want bool
	}{
		{web, "https://app.example.com/cb", true},
		{web, "https://app.example.com/cb/", false},
		{web, "https://APP.example.com/cb", false},
		{web, "https://app.example.com/cb?x=1", false},
		{web, "https://app.example.com/cb#x", false},
		{web, "http://127.0.0.1:4180/cb", true},
		{web, "http://127.0.0.1:4181/cb", false}, // a port is exact for web apps
		{native, "http://127.0.0.1:50123/cb", true},
		{native, "http://127.0.0.1/cb", true},
		{native, "http://127.0.0.1:50123/other", false},
		{native, "http://[::1]:50123/cb", false}, // another host
		{native, "http://localhost:50123/cb", false},
		{native, "com.example.app:/cb", true},
		{native, "com.example.app:/cb2", false},
	} {
		if got := RedirectAllowed(tc.c, tc.uri); got != tc.want {
			t.Errorf("%s app, %s: %v, want %v", tc.c.Type, tc.uri, got, tc.want)
		}
	}
}

func TestSpecRules(t *testing.T) {
	s := New(nil, nil, nil, nil, Options{CustomScopes: []string{"billing"}, MaxAccessTTL: 15 * time.Minute, MaxRefreshTTL: 720 * time.Hour})
	good := func() Spec {
		return Spec{Name: "Dashboard", Type: models.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb"}}
	}
	sp := good()
	if err := s.check(&sp); err != nil {
		t.Fatal(err)
	}
	if sp.IDTokenAlg != "RS256" || len(sp.Scopes) != 4 || len(sp.GrantTypes) != 2 {
		t.Errorf("defaults: %+v", sp)
	}
	for name, change := range map[string]func(*Spec){
		"no name":                func(sp *Spec) { sp.Name = "  " },
		"long name":              func(sp *Spec) { sp.Name = strings.Repeat("n", 101) },
		"NUL in the name":        func(sp *Spec) { sp.Name = "Dash\x00board" },
		"line break in the name": func(sp *Spec) { sp.Name = "Dash\nboard" },
		"unknown type":           func(sp *Spec) { sp.Type = "confidential" },
		"no redirect":            func(sp *Spec) { sp.RedirectURIs = nil },
		"http logo":              func(sp *Spec) { sp.LogoURL = "http://cdn.example.com/logo.png" },
		"bad post-logout":        func(sp *Spec) { sp.PostLogoutRedirectURIs = []string{"https://*.example.com/"} },
		"http back-channel":      func(sp *Spec) { sp.BackchannelLogoutURI = "http://app.example.com/logout" },
		"unknown scope":          func(sp *Spec) { sp.Scopes = []string{"openid", "admin"} },
		"no openid":              func(sp *Spec) { sp.Scopes = []string{"profile"} },
		"implicit":               func(sp *Spec) { sp.GrantTypes = []string{"implicit"} },
		"refresh only":           func(sp *Spec) { sp.GrantTypes = []string{"refresh_token"} },
		"HS256":                  func(sp *Spec) { sp.IDTokenAlg = "HS256" },
		"none alg":               func(sp *Spec) { sp.IDTokenAlg = "none" },
		"access beyond server":   func(sp *Spec) { sp.AccessTTL = 16 * time.Minute },
		"refresh beyond server":  func(sp *Spec) { sp.RefreshTTL = 721 * time.Hour },
		"negative lifetime":      func(sp *Spec) { sp.AccessTTL = -time.Second },
		"fractional lifetime":    func(sp *Spec) { sp.AccessTTL = 1500 * time.Millisecond },
	} {
		sp := good()
		change(&sp)
		if err := s.check(&sp); models.KindOf(err) != models.KindInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	sp = good()
	sp.Scopes = []string{"openid", "billing", "openid"}
	if err := s.check(&sp); err != nil || len(sp.Scopes) != 2 {
		t.Errorf("a custom scope, repeated openid: %v %v", sp.Scopes, err)
	}
}

package e2e

import (
	"context"
	"testing"

	"golang.org/x/oauth2"

	"github.com/authd/authd/config"
)

// BenchmarkSSOPromptNone is single sign-on as an app sees it, for profiling the
// provider's path: /authorize with prompt=none from a browser holding a session (a
// code, no page), then the code exchange (an app session, an access token, an ES256
// ID token). Over loopback HTTP, as authd-bench runs it; read it as a ratio to
// BenchmarkBareHandler and use -cpuprofile to see where the time goes.
func BenchmarkSSOPromptNone(b *testing.B) {
	e := benchEnv(b)
	e.signup("ada@example.com", "ada")
	const redirect = "http://127.0.0.1:9/cb"
	app := e.registerApp(map[string]any{"name": "SSO", "type": "web", "redirectURIs": []string{redirect},
		"firstParty": true, "idTokenAlg": "ES256"})
	f := e.codeFlow(app, redirect, "openid", "email")
	br := e.browser()
	br.logIn(f.url("s"), "ada@example.com")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		cb := br.callback(br.get(f.url("s", "prompt", "none")))
		if _, err := f.conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(f.verifier)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFullLogin is a sign-in from a fresh browser through the hosted pages (the
// address, the emailed code over a real SMTP conversation, the callback) and the code
// exchange, with an ES256 ID token, without the login response floor: for profiling
// what a login costs besides its signatures.
func BenchmarkFullLogin(b *testing.B) {
	e := benchEnvWith(b, func(cfg *config.Config) {
		l := &cfg.Limits
		l.LoginResponseFloor = 0
		l.CodeSendsPerAddress15m, l.CodeSendsPerAddressDay, l.CodeSendsPerIP5m = 1<<30, 1<<30, 1<<30
		l.CodeSendsPerAddressAll15m, l.CodeSendsPerAddressAllDay = 1<<30, 1<<30
	})
	e.signup("ada@example.com", "ada")
	const redirect = "http://127.0.0.1:9/cb"
	app := e.registerApp(map[string]any{"name": "Login", "type": "web", "redirectURIs": []string{redirect},
		"firstParty": true, "idTokenAlg": "ES256"})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		f := e.codeFlow(app, redirect, "openid", "email")
		cb := e.browser().logIn(f.url("s"), "ada@example.com")
		if _, err := f.conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(f.verifier)); err != nil {
			b.Fatal(err)
		}
	}
}

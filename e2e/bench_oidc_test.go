package e2e

import (
	"context"
	"testing"

	"golang.org/x/oauth2"
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

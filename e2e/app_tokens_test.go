package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/config"
	"github.com/authd/authd/models"
)

// appLogin signs ada in to app through the hosted pages and exchanges the code.
func appLogin(t *testing.T, e *env, f *codeFlow) *oauth2.Token {
	t.Helper()
	cb := e.browser().logIn(f.url("s"), "ada@example.com")
	tok, err := f.conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// refreshApp spends tok's refresh token at the token endpoint, as the app.
func refreshApp(t *testing.T, f *codeFlow, tok *oauth2.Token) *oauth2.Token {
	t.Helper()
	next, err := f.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	return next
}

// TestAppTokenClaims: an app's access token is authd's JWT as RFC 9068 shapes it
// (typ at+jwt, client_id, scope, sid), first and after a refresh, so gateways verify
// it offline as any other; the ID token carries only the claims the granted scopes
// ask for (no email without email, no name or alias without profile). On SQLite and
// Postgres.
func TestAppTokenClaims(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("ada@example.com", "ada")
		const redirect = "http://127.0.0.1:9/cb"
		app := e.registerApp(map[string]any{"name": "Claims", "type": "web", "redirectURIs": []string{redirect}, "firstParty": true})
		f := e.codeFlow(app, redirect, "openid", "offline_access")
		tok := appLogin(t, e, f)
		for i, access := range []string{tok.AccessToken, refreshApp(t, f, tok).AccessToken} {
			_, hdr, c := splitToken(access)
			if hdr["typ"] != "at+jwt" || c["client_id"] != app.ClientID || c["scope"] != "openid offline_access" || c["sid"] == nil || c["sid"] == "" {
				t.Errorf("access token %d: header %v, claims %v", i, hdr, c)
			}
		}
		_, _, id := splitToken(tok.Extra("id_token").(string))
		for _, claim := range []string{"email", "email_verified", "name", "preferred_username"} {
			if v, ok := id[claim]; ok {
				t.Errorf("the ID token has %s=%v, which only the email or profile scope asks for", claim, v)
			}
		}
		if id["sub"] == nil || id["aud"] == nil || id["sid"] == nil {
			t.Errorf("the ID token lacks its subject, audience or session: %v", id)
		}
	})
}

// TestRoleBasedScopes: a custom scope tied to roles (oauth.scopes "reports=analyst")
// reaches an app only for a person holding one of its roles. Without the role the app
// gets the request's other scopes (the token response and the access token say
// which); once granted the role, the next login carries the scope; once it is taken
// away, the next refresh's access token no longer does. A third-party app's consent
// page neither shows nor records a scope the person cannot have, so gaining the role
// later asks again. On SQLite and Postgres.
func TestRoleBasedScopes(t *testing.T) {
	eachBackendWith(t, func(cfg *config.Config) {
		cfg.OAuth.Scopes = []string{"reports=analyst"}
		cfg.Roles.Custom = []string{"analyst"}
	}, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		adaID := e.userID(ada.Bearer)
		const redirect = "http://127.0.0.1:9/cb"
		app := e.registerApp(map[string]any{"name": "Reports", "type": "web", "redirectURIs": []string{redirect}, "firstParty": true,
			"scopes": []string{"openid", "offline_access", "reports"}})
		f := e.codeFlow(app, redirect, "openid", "offline_access", "reports")
		scopeOf := func(access string) any { _, _, c := splitToken(access); return c["scope"] }

		tok := appLogin(t, e, f)
		if got, said := scopeOf(tok.AccessToken), tok.Extra("scope"); got != "openid offline_access" || said != "openid offline_access" {
			t.Errorf("without the role: access token scope %v, token response scope %v", got, said)
		}
		e.grant(adaID, "analyst")
		tok = appLogin(t, e, f)
		if got, said := scopeOf(tok.AccessToken), tok.Extra("scope"); got != "openid offline_access reports" || said != got {
			t.Errorf("with the role: access token scope %v, token response scope %v", got, said)
		}
		if err := e.app.Directory.RevokeRole(context.Background(), authn.Actor{ID: models.ActorOperator}, adaID, "analyst"); err != nil {
			t.Fatal(err)
		}
		if got := scopeOf(refreshApp(t, f, tok).AccessToken); got != "openid offline_access" {
			t.Errorf("after the role was taken away, the refreshed access token's scope is %v", got)
		}

		third := e.registerApp(map[string]any{"name": "Third", "type": "web", "redirectURIs": []string{redirect},
			"scopes": []string{"openid", "reports"}})
		tf := e.codeFlow(third, redirect, "openid", "reports")
		b := e.browser()
		p := b.submit(b.get(tf.url("t1")), "/login", map[string]string{"email": "ada@example.com"})
		p = b.submit(p, "/login/code", map[string]string{"code": e.smtp.CodeFor(t, "ada@example.com", 10*time.Second)})
		if p.URL.Path != "/consent" || strings.Contains(p.Body, "reports") {
			t.Fatalf("the consent page without the role: %s\n%s", p.URL, p.Body)
		}
		b.callback(b.submit(p, "/consent", map[string]string{"decision": "allow"}))
		e.grant(adaID, "analyst")
		if p := b.get(tf.url("t2")); p.URL.Path != "/consent" || !strings.Contains(p.Body, "reports") {
			t.Errorf("with the role, the consent page did not ask for reports: %s", p.URL)
		}
	})
}

// TestRefreshTokensAndCodeReplay: a refresh token comes with offline_access, or to a
// first-party app without it (the deployment's own apps keep their people signed
// in), and never to a third-party app that did not ask; a code presented a second
// time is invalid_grant and revokes what its first exchange issued (RFC 6749 4.1.2):
// the refresh token and the access token die at once. On SQLite and Postgres.
func TestRefreshTokensAndCodeReplay(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.signup("ada@example.com", "ada")
		const redirect = "http://127.0.0.1:9/cb"
		own := e.registerApp(map[string]any{"name": "Own", "type": "web", "redirectURIs": []string{redirect}, "firstParty": true})
		third := e.registerApp(map[string]any{"name": "Third", "type": "web", "redirectURIs": []string{redirect}})
		if tok := appLogin(t, e, e.codeFlow(third, redirect, "openid")); tok.RefreshToken != "" {
			t.Error("a third-party app got a refresh token without offline_access")
		}
		f := e.codeFlow(own, redirect, "openid")
		cb := e.browser().logIn(f.url("s"), "ada@example.com")
		code := cb.Query().Get("code")
		tok, err := f.conf.Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
		if err != nil || tok.RefreshToken == "" {
			t.Fatalf("a first-party app without offline_access: %+v %v", tok, err)
		}
		wantStatus(t, e.req("GET", "/userinfo", nil, bearer(tok.AccessToken)...), 200)
		var re *oauth2.RetrieveError
		if _, err := f.conf.Exchange(ctx, code, oauth2.VerifierOption(f.verifier)); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("a replayed code: %v", err)
		}
		if _, err := f.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
			t.Error("the refresh token of a replayed code still works")
		}
		wantStatus(t, e.req("GET", "/userinfo", nil, bearer(tok.AccessToken)...), 401)
	})
}

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// registerApp registers an app through the admin API, as root@example.com (made an
// admin on first use), and returns its ID and secret.
func (e *env) registerApp(spec map[string]any) clientView {
	e.t.Helper()
	if e.root == "" {
		admin, _ := e.admin("root@example.com", "root")
		e.root = admin.Bearer
	}
	r := e.req("POST", "/admin/clients", spec, bearer(e.root)...)
	wantStatus(e.t, r, 200)
	var c clientView
	r.json(e.t, &c)
	return c
}

// TestGoOIDCRelyingParty: coreos/go-oidc and x/oauth2, the way a Go web app uses
// them, sign a person in through authd's hosted login: discovery, the code flow with
// PKCE (S256) and a nonce, the ID token verified against the JWKS (its at_hash binds
// the access token), userinfo, a refresh, single sign-on for a second login with
// prompt=none and no page, and a replayed code refused. On SQLite and Postgres.
func TestGoOIDCRelyingParty(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.signup("ada@example.com", "ada")
		const redirect = "http://127.0.0.1:9/callback" // never dialled: the test reads the redirect
		const afterLogout = "http://127.0.0.1:9/bye"
		app := e.registerApp(map[string]any{"name": "Go app", "type": "web", "redirectURIs": []string{redirect},
			"postLogoutRedirectURIs": []string{afterLogout}})
		prov, err := oidc.NewProvider(ctx, e.srv.URL)
		if err != nil {
			t.Fatalf("discovery: %v", err)
		}
		conf := oauth2.Config{ClientID: app.ClientID, ClientSecret: app.ClientSecret, Endpoint: prov.Endpoint(),
			RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID, "email", "profile", oidc.ScopeOfflineAccess}}
		verifier := oauth2.GenerateVerifier()
		authURL := conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-1"))

		b := e.browser()
		cb := b.logIn(authURL, "ada@example.com")
		if cb.Query().Get("state") != "state-1" || cb.Query().Get("code") == "" || !strings.HasPrefix(cb.String(), redirect) {
			t.Fatalf("callback: %s", cb)
		}
		tok, err := conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("code exchange: %v", err)
		}
		rawID, _ := tok.Extra("id_token").(string)
		idt, err := prov.Verifier(&oidc.Config{ClientID: app.ClientID}).Verify(ctx, rawID)
		if err != nil {
			t.Fatalf("ID token: %v", err)
		}
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			t.Errorf("at_hash: %v", err)
		}
		var claims struct {
			Email         string `json:"email"`
			EmailVerified bool   `json:"email_verified"`
			Username      string `json:"preferred_username"`
			Sid           string `json:"sid"`
			AuthTime      int64  `json:"auth_time"`
		}
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if idt.Nonce != "nonce-1" || claims.Email != "ada@example.com" || !claims.EmailVerified || claims.Username != "ada" ||
			claims.Sid == "" || claims.AuthTime == 0 {
			t.Errorf("ID token claims: nonce %q %+v", idt.Nonce, claims)
		}
		if tok.RefreshToken == "" {
			t.Error("offline_access gave no refresh token")
		}
		info, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil || info.Email != "ada@example.com" || info.Subject != idt.Subject {
			t.Errorf("userinfo: %+v %v", info, err)
		}
		refreshed, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil || refreshed.AccessToken == "" || refreshed.RefreshToken == tok.RefreshToken {
			t.Errorf("refresh: %+v %v", refreshed, err)
		}
		if _, err := conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier)); err == nil ||
			!strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("a replayed code: %v", err)
		}

		// Single sign-on: the browser session answers prompt=none with a code, no page.
		verifier2 := oauth2.GenerateVerifier()
		sso := b.callback(b.get(conf.AuthCodeURL("state-2", oauth2.S256ChallengeOption(verifier2), oidc.Nonce("nonce-2"),
			oauth2.SetAuthURLParam("prompt", "none"))))
		tok2, err := conf.Exchange(ctx, sso.Query().Get("code"), oauth2.VerifierOption(verifier2))
		if err != nil {
			t.Fatalf("single sign-on exchange: %v", err)
		}
		idt2, err := prov.Verifier(&oidc.Config{ClientID: app.ClientID}).Verify(ctx, tok2.Extra("id_token").(string))
		if err != nil || idt2.Subject != idt.Subject || idt2.Nonce != "nonce-2" {
			t.Fatalf("single sign-on ID token: %+v %v", idt2, err)
		}

		// Another browser, with nobody logged in: prompt=none is login_required.
		other := e.browser()
		promptNone := conf.AuthCodeURL("state-3", oauth2.S256ChallengeOption(verifier2), oauth2.SetAuthURLParam("prompt", "none"))
		none := other.callback(other.get(promptNone))
		if none.Query().Get("error") != "login_required" || none.Query().Get("state") != "state-3" {
			t.Errorf("prompt=none without a session: %s", none)
		}

		// RP-initiated logout. A link without proof (no id_token_hint) only asks; one
		// naming an unregistered destination goes nowhere but authd's page.
		logout := e.srv.URL + "/logout?"
		if p := b.get(logout + "post_logout_redirect_uri=" + afterLogout + "&client_id=" + app.ClientID); p.Status != 200 ||
			!strings.Contains(p.Body, `name="confirm"`) {
			t.Fatalf("a logout without proof was not confirmed first: %d\n%s", p.Status, p.Body)
		}
		if sso := b.callback(b.get(conf.AuthCodeURL("state-4", oauth2.S256ChallengeOption(verifier2), oauth2.SetAuthURLParam("prompt", "none")))); sso.Query().Get("code") == "" {
			t.Fatalf("an unconfirmed logout ended the session: %s", sso)
		}
		bye := b.callback(b.get(logout + "id_token_hint=" + rawID + "&post_logout_redirect_uri=" + afterLogout + "&state=s-bye"))
		if !strings.HasPrefix(bye.String(), afterLogout) || bye.Query().Get("state") != "s-bye" {
			t.Fatalf("logout redirect: %s", bye)
		}
		if _, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(tok2)); err == nil {
			t.Error("an app session's token works after logout")
		}
		if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token(); err == nil {
			t.Error("an app session's refresh token works after logout")
		}
		if none := b.callback(b.get(promptNone)); none.Query().Get("error") != "login_required" {
			t.Errorf("the browser session survived logout: %s", none)
		}
		if p := b.get(logout + "id_token_hint=" + rawID + "&post_logout_redirect_uri=https://evil.example/"); p.Status != 200 ||
			!strings.Contains(p.Body, "signed out") {
			t.Errorf("an unregistered post-logout URI: %d %s\n%s", p.Status, p.Location, p.Body)
		}
	})
}

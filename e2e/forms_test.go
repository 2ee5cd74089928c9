package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestEveryFormNeedsItsBrowsersToken: besides the address form, the code form, the
// consent form and the logout confirmation each refuse a forged CSRF token with 403
// and change nothing: the code still works, no consent is recorded, the browser
// session lives on. On SQLite and Postgres.
func TestEveryFormNeedsItsBrowsersToken(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		const redirect = "http://127.0.0.1:9/cb"
		app := e.registerApp(map[string]any{"name": "Third Party", "type": "web", "redirectURIs": []string{redirect}})
		f := e.codeFlow(app, redirect, "openid", "email")
		b := e.browser()
		p := b.submit(b.get(f.url("s1")), "/login", map[string]string{"email": "ada@example.com"})
		code := e.smtp.CodeFor(t, "ada@example.com", 10*time.Second)
		if forged := b.submit(p, "/login/code", map[string]string{"code": code, "csrf": "forged"}); forged.Status != 403 {
			t.Errorf("the code form with a forged token: %d", forged.Status)
		}
		p = b.submit(p, "/login/code", map[string]string{"code": code})
		if p.URL.Path != "/consent" {
			t.Fatalf("the code did not work after a forged submission: %d %s", p.Status, p.URL)
		}
		if forged := b.submit(p, "/consent", map[string]string{"decision": "allow", "csrf": "forged"}); forged.Status != 403 {
			t.Errorf("the consent form with a forged token: %d", forged.Status)
		}
		var list struct {
			Consents []struct{ ClientID string } `json:"consents"`
		}
		e.req("GET", "/consents", nil, bearer(ada.Bearer)...).json(t, &list)
		if len(list.Consents) != 0 {
			t.Errorf("a forged consent form recorded a consent: %+v", list)
		}
		b.callback(b.submit(p, "/consent", map[string]string{"decision": "allow"}))

		confirm := b.get(e.srv.URL + "/logout")
		if confirm.Status != 200 || !strings.Contains(confirm.Body, `name="confirm"`) {
			t.Fatalf("no logout confirmation for a request that proves nothing: %d\n%s", confirm.Status, confirm.Body)
		}
		if forged := b.submit(confirm, "/logout", map[string]string{"confirm": "1", "csrf": "forged"}); forged.Status != 403 {
			t.Errorf("the logout confirmation with a forged token: %d", forged.Status)
		}
		if sso := b.callback(b.get(f.url("s2", "prompt", "none"))); sso.Query().Get("code") == "" {
			t.Errorf("a forged logout confirmation ended the browser session: %s", sso)
		}
	})
}

// TestLogoutWithAnExpiredHint: RP-initiated logout takes an id_token_hint whose token
// has expired (OpenID Connect RP-Initiated Logout 1.0 2: the app may log out long
// after the login): it still proves who asks, so the browser session and the app
// session it started end at once, and the browser goes to the registered
// post_logout_redirect_uri with the state. On SQLite and Postgres.
func TestLogoutWithAnExpiredHint(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("ada@example.com", "ada")
		const redirect, afterLogout = "http://127.0.0.1:9/cb", "http://127.0.0.1:9/bye"
		app := e.registerApp(map[string]any{"name": "Hint", "type": "web", "redirectURIs": []string{redirect},
			"postLogoutRedirectURIs": []string{afterLogout}, "firstParty": true})
		f := e.codeFlow(app, redirect, "openid", "offline_access")
		b := e.browser()
		cb := b.logIn(f.url("s1"), "ada@example.com")
		tok, err := f.conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(f.verifier))
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(e.cfg.OAuth.IDTokenTTL + time.Minute) // the hint has expired; the sessions have not
		q := url.Values{"id_token_hint": {tok.Extra("id_token").(string)}, "post_logout_redirect_uri": {afterLogout}, "state": {"bye"}}
		bye := b.callback(b.get(e.srv.URL + "/logout?" + q.Encode()))
		if bye.String() != afterLogout+"?state=bye" {
			t.Errorf("logout with an expired hint went to %s", bye)
		}
		if sso := b.callback(b.get(f.url("s2", "prompt", "none"))); sso.Query().Get("error") != "login_required" {
			t.Errorf("the browser session outlived the logout: %s", sso)
		}
		if _, err := f.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
			t.Error("the app session's refresh token outlived the logout")
		}
	})
}

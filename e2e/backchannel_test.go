package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authd/authd/app"
	"github.com/authd/authd/config"
	"github.com/authd/authd/store/storetest"
)

// logoutReceiver is the back-channel logout endpoint of several apps (one path each):
// it records every logout_token posted to it, and can be told to fail.
type logoutReceiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	failing bool
	got     map[string][]string // path -> logout tokens, failed attempts included
	bad     []string
}

func newLogoutReceiver(t *testing.T) *logoutReceiver {
	rx := &logoutReceiver{got: map[string][]string{}}
	rx.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rx.mu.Lock()
		defer rx.mu.Unlock()
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.ParseForm() != nil ||
			r.PostForm.Get("logout_token") == "" {
			rx.bad = append(rx.bad, r.Method+" "+r.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rx.got[r.URL.Path] = append(rx.got[r.URL.Path], r.PostForm.Get("logout_token"))
		if rx.failing {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(rx.srv.Close)
	return rx
}

func (rx *logoutReceiver) url(path string) string { return rx.srv.URL + path }
func (rx *logoutReceiver) setFailing(f bool)      { rx.mu.Lock(); rx.failing = f; rx.mu.Unlock() }
func (rx *logoutReceiver) tokens(path string) []string {
	rx.mu.Lock()
	defer rx.mu.Unlock()
	return append([]string(nil), rx.got[path]...)
}

// logoutClaims are what an app reads in a logout token.
type logoutClaims struct {
	Sub    string                     `json:"sub"`
	Sid    string                     `json:"sid"`
	Jti    string                     `json:"jti"`
	Iat    int64                      `json:"iat"`
	Exp    int64                      `json:"exp"`
	Nonce  *string                    `json:"nonce"`
	Events map[string]json.RawMessage `json:"events"`
}

// checkLogoutToken verifies a logout token the way an app does (OpenID Connect
// Back-Channel Logout 1.0, 2.6) with coreos/go-oidc against authd's JWKS: signature
// under alg, issuer, audience, expiry; then typ logout+jwt, the event, no nonce, and
// whom it names.
func checkLogoutToken(t *testing.T, prov *oidc.Provider, clientID, alg, raw, sub, sid string) logoutClaims {
	t.Helper()
	tok, err := prov.Verifier(&oidc.Config{ClientID: clientID, SupportedSigningAlgs: []string{alg}}).Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("the app cannot verify its logout token: %v", err)
	}
	var c logoutClaims
	if err := tok.Claims(&c); err != nil {
		t.Fatal(err)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	var h struct{ Typ, Alg string }
	_ = json.Unmarshal(hdr, &h)
	if h.Typ != "logout+jwt" || h.Alg != alg {
		t.Errorf("logout token header %s, want typ logout+jwt and alg %s", hdr, alg)
	}
	if _, ok := c.Events["http://schemas.openid.net/event/backchannel-logout"]; !ok || c.Nonce != nil || c.Jti == "" {
		t.Errorf("logout token claims: %+v", c)
	}
	if c.Sub != sub || c.Sid != sid || c.Exp-c.Iat > 300 {
		t.Errorf("logout token names sub %q sid %q (lives %d s), want %q %q", c.Sub, c.Sid, c.Exp-c.Iat, sub, sid)
	}
	return c
}

// signedIn is one app's login: its ID token and the session it names.
type signedIn struct{ idToken, sid string }

func (f *codeFlow) finish(t *testing.T, prov *oidc.Provider, cb *url.URL) signedIn {
	t.Helper()
	tok, err := f.conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := prov.Verifier(&oidc.Config{ClientID: f.conf.ClientID, SupportedSigningAlgs: []string{"RS256", "ES256"}}).
		Verify(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ Sid string }
	_ = idt.Claims(&c)
	return signedIn{idToken: raw, sid: c.Sid}
}

// TestBackchannelLogout: an app that registered a back-channel logout URI is told
// when a session of its ends, with a logout token it verifies against the JWKS: on
// RP-initiated logout (every app the browser session signed into, each with its own
// algorithm and sid; an app without a URI is told nothing), on a session closed
// through the API, and on a disabled account, through the outbox, retried until the
// app answers, a fresh token for each attempt. On SQLite and Postgres.
func TestBackchannelLogout(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ada := e.signup("ada@example.com", "ada")
		adaID := e.userID(ada.Bearer)
		rx := newLogoutReceiver(t)
		const redirect = "http://127.0.0.1:9/cb"
		app := func(name, alg, uri string) *codeFlow {
			spec := map[string]any{"name": name, "type": "web", "redirectURIs": []string{redirect}, "firstParty": true,
				"idTokenAlg": alg}
			if uri != "" {
				spec["backchannelLogoutURI"] = uri
			}
			return e.codeFlow(e.registerApp(spec), redirect, "openid")
		}
		rs, es, quiet := app("RS", "RS256", rx.url("/rs")), app("ES", "ES256", rx.url("/es")), app("Quiet", "RS256", "")
		prov, err := oidc.NewProvider(ctx, e.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		var meta struct {
			Supported bool `json:"backchannel_logout_supported"`
			Session   bool `json:"backchannel_logout_session_supported"`
		}
		if err := prov.Claims(&meta); err != nil || !meta.Supported || !meta.Session {
			t.Errorf("discovery does not declare back-channel logout with sid: %+v %v", meta, err)
		}

		b := e.browser()
		inRS := rs.finish(t, prov, b.logIn(rs.url("s1"), "ada@example.com"))
		inES := es.finish(t, prov, b.callback(b.get(es.url("s2")))) // single sign-on: no page
		quiet.finish(t, prov, b.callback(b.get(quiet.url("s3"))))
		if p := b.get(e.srv.URL + "/logout?" + url.Values{"id_token_hint": {inRS.idToken}}.Encode()); p.Status != 200 ||
			!strings.Contains(p.Body, "signed out") {
			t.Fatalf("logout: %d\n%s", p.Status, p.Body)
		}
		// The browser session is gone at once, though this instance held it in memory.
		if cb := b.callback(b.get(rs.url("s3b", "prompt", "none"))); cb.Query().Get("error") != "login_required" {
			t.Errorf("single sign-on after logout: %s", cb)
		}
		e.deliver(t)
		gotRS, gotES := rx.tokens("/rs"), rx.tokens("/es")
		if len(gotRS) != 1 || len(gotES) != 1 || len(rx.got) != 2 || len(rx.bad) != 0 {
			t.Fatalf("after logout the apps got %v (bad %v), want one token each for RS and ES", rx.got, rx.bad)
		}
		checkLogoutToken(t, prov, rs.conf.ClientID, "RS256", gotRS[0], adaID, inRS.sid)
		checkLogoutToken(t, prov, es.conf.ClientID, "ES256", gotES[0], adaID, inES.sid)

		// A session closed through the API: the app's own access token closes it.
		b = e.browser()
		cb := b.logIn(rs.url("s4"), "ada@example.com")
		tok, err := rs.conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(rs.verifier))
		if err != nil {
			t.Fatal(err)
		}
		sid := e.sessionID(tok.AccessToken)
		wantStatus(t, e.req("DELETE", "/session/"+sid, nil, bearer(tok.AccessToken)...), 200)
		e.deliver(t)
		if got := rx.tokens("/rs"); len(got) != 2 {
			t.Fatalf("a session closed through the API: RS got %d tokens, want 2", len(got))
		} else {
			checkLogoutToken(t, prov, rs.conf.ClientID, "RS256", got[1], adaID, sid)
		}

		// A disabled account, while the app is down: retried until it answers.
		inES = es.finish(t, prov, e.browser().logIn(es.url("s5"), "ada@example.com"))
		rx.setFailing(true)
		wantStatus(t, e.req("PUT", "/admin/user/"+adaID+"/disable", nil, bearer(e.root)...), 200)
		e.deliver(t)
		if got := rx.tokens("/es"); len(got) != 2 {
			t.Fatalf("the first attempt after disabling: ES got %d tokens, want 2", len(got))
		}
		rx.setFailing(false)
		e.deliver(t)
		if got := rx.tokens("/es"); len(got) != 2 {
			t.Fatalf("a retry came before its backoff: %d tokens", len(got))
		}
		e.clock.Advance(time.Minute)
		e.deliver(t)
		got := rx.tokens("/es")
		if len(got) != 3 {
			t.Fatalf("no retry after the backoff: %d tokens", len(got))
		}
		first := checkLogoutToken(t, prov, es.conf.ClientID, "ES256", got[1], adaID, inES.sid)
		if retry := checkLogoutToken(t, prov, es.conf.ClientID, "ES256", got[2], adaID, inES.sid); retry.Jti == first.Jti {
			t.Error("a retry reused the failed attempt's jti")
		}
		e.deliver(t)
		if n := len(rx.tokens("/es")) + len(rx.tokens("/rs")); n != 5 || len(rx.got) != 2 {
			t.Errorf("a delivered notice was sent again: %v", rx.got)
		}
	})
}

// TestWebhookEndpointsCannotTakeAnAppsName: the apps' back-channel deliveries are
// addressed "app:<clientID>" in the outbox, so a webhook endpoint named so would
// receive (or steal) them; such a configuration stops the start.
func TestWebhookEndpointsCannotTakeAnAppsName(t *testing.T) {
	cfg := newConfig(t, storetest.Backends(t)[0].DSN)
	cfg.Events.Endpoints = []config.EventEndpoint{{Name: "app:authd_app_x", URL: "https://hooks.example/x",
		Secret: "whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))}}
	if a, err := app.New(context.Background(), cfg, app.Options{}); err == nil || !strings.Contains(err.Error(), `cannot start with "app:"`) {
		if a != nil {
			_ = a.Close(context.Background())
		}
		t.Fatalf("an endpoint named app:... was accepted: %v", err)
	}
}

// TestReloginReplacesTheBrowserSession: logging in again in a browser that has a
// session (prompt=login) replaces it. The same person keeps the apps the old session
// signed into, and a later logout ends them too (their apps are told); another person
// logging in ends the old session with its apps at once. On SQLite and Postgres.
func TestReloginReplacesTheBrowserSession(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.signup("ada@example.com", "ada")
		e.signup("bob@example.com", "bob")
		rx := newLogoutReceiver(t)
		const redirect = "http://127.0.0.1:9/cb"
		f := e.codeFlow(e.registerApp(map[string]any{"name": "App", "type": "web", "redirectURIs": []string{redirect},
			"firstParty": true, "backchannelLogoutURI": rx.url("/app")}), redirect, "openid")
		prov, err := oidc.NewProvider(ctx, e.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		sids := func() []string {
			var out []string
			for _, raw := range rx.tokens("/app") {
				idt, err := prov.Verifier(&oidc.Config{ClientID: f.conf.ClientID, SupportedSigningAlgs: []string{"RS256"}}).Verify(ctx, raw)
				if err != nil {
					t.Fatal(err)
				}
				var c struct{ Sid string }
				_ = idt.Claims(&c)
				out = append(out, c.Sid)
			}
			return out
		}

		b := e.browser()
		first := f.finish(t, prov, b.logIn(f.url("s1"), "ada@example.com"))
		again := f.finish(t, prov, b.logIn(f.url("s2", "prompt", "login"), "ada@example.com"))
		e.deliver(t)
		if got := sids(); len(got) != 0 {
			t.Fatalf("a re-login by the same person logged the app out: %v", got)
		}
		if p := b.get(e.srv.URL + "/logout?" + url.Values{"id_token_hint": {again.idToken}}.Encode()); p.Status != 200 {
			t.Fatalf("logout: %d", p.Status)
		}
		e.deliver(t)
		if got := sids(); len(got) != 2 || !slices.Contains(got, first.sid) || !slices.Contains(got, again.sid) {
			t.Fatalf("logout after a re-login told the app of %v, want both logins %s and %s", got, first.sid, again.sid)
		}

		// Another person in the same browser: ada's session and her app's end at once.
		b = e.browser()
		adas := f.finish(t, prov, b.logIn(f.url("s3"), "ada@example.com"))
		f.finish(t, prov, b.logIn(f.url("s4", "prompt", "login"), "bob@example.com"))
		e.deliver(t)
		if got := sids(); len(got) != 3 || got[2] != adas.sid {
			t.Fatalf("bob's login in ada's browser told the app of %v, want ada's %s last", got, adas.sid)
		}
		var list struct {
			Sessions []struct {
				SessionID string `json:"sessionID"`
				Kind      string `json:"kind"`
			} `json:"sessions"`
		}
		bearerAda := e.verifyAfterLogin("ada@example.com").Bearer
		e.req("GET", "/sessions", nil, bearer(bearerAda)...).json(t, &list)
		for _, s := range list.Sessions {
			if s.Kind == "browser" || s.SessionID == adas.sid {
				t.Errorf("ada still has %s session %s open", s.Kind, s.SessionID)
			}
		}
	})
}

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// codeFlow is an app's side of the code flow against authd, with PKCE.
type codeFlow struct {
	conf     oauth2.Config
	verifier string
}

func (e *env) codeFlow(app clientView, redirect string, scopes ...string) *codeFlow {
	return &codeFlow{verifier: oauth2.GenerateVerifier(), conf: oauth2.Config{ClientID: app.ClientID, ClientSecret: app.ClientSecret,
		RedirectURL: redirect, Scopes: scopes, Endpoint: oauth2.Endpoint{AuthURL: e.srv.URL + "/authorize",
			TokenURL: e.srv.URL + e.prefix + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}}}
}

func (f *codeFlow) url(state string, params ...string) string {
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.verifier)}
	for i := 0; i+1 < len(params); i += 2 {
		opts = append(opts, oauth2.SetAuthURLParam(params[i], params[i+1]))
	}
	return f.conf.AuthCodeURL(state, opts...)
}

// TestConsent: a third-party app gets a person's data only once they allowed it, in
// plain words, scope by scope. The answer is remembered (the next login asks nothing);
// prompt=consent, or a scope not allowed before, asks again; a denial is access_denied
// back to the app; prompt=none is consent_required when asking is needed. The person
// lists and withdraws consents (the app's refresh tokens die with it); an admin sees
// them; a first-party app never asks. On SQLite and Postgres.
func TestConsent(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ada := e.signup("ada@example.com", "ada")
		const redirect = "http://127.0.0.1:9/cb"
		app := e.registerApp(map[string]any{"name": "Third Party", "type": "web", "redirectURIs": []string{redirect}})
		f := e.codeFlow(app, redirect, "openid", "email", "offline_access")
		b := e.browser()

		p := b.get(f.url("s1"))
		p = b.submit(p, "/login", map[string]string{"email": "ada@example.com"})
		p = b.submit(p, "/login/code", map[string]string{"code": e.smtp.CodeFor(t, "ada@example.com", 10*time.Second)})
		if p.URL.Path != "/consent" || !strings.Contains(p.Body, "Third Party") || !strings.Contains(p.Body, "See your email address") ||
			!strings.Contains(p.Body, "Keep you signed in while you are away") {
			t.Fatalf("no consent page in plain words: %s\n%s", p.URL, p.Body)
		}
		denied := b.callback(b.submit(p, "/consent", map[string]string{"decision": "deny"}))
		if denied.Query().Get("error") != "access_denied" || denied.Query().Get("state") != "s1" {
			t.Fatalf("a denial: %s", denied)
		}
		if none := b.callback(b.get(f.url("s2", "prompt", "none"))); none.Query().Get("error") != "consent_required" {
			t.Errorf("prompt=none before any consent: %s", none)
		}
		p = b.get(f.url("s3"))
		if p.URL.Path != "/consent" {
			t.Fatalf("a logged-in browser was not asked again after a denial: %s", p.URL)
		}
		cb := b.callback(b.submit(p, "/consent", map[string]string{"decision": "allow"}))
		tok, err := f.conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(f.verifier))
		if err != nil || tok.RefreshToken == "" {
			t.Fatalf("exchange after consent: %+v %v", tok, err)
		}

		// Remembered: no page; prompt=consent or a new scope asks again.
		if again := b.callback(b.get(f.url("s4"))); again.Query().Get("code") == "" {
			t.Errorf("a remembered consent asked again: %s", again)
		}
		if p := b.get(f.url("s5", "prompt", "consent")); p.URL.Path != "/consent" {
			t.Errorf("prompt=consent did not ask: %s", p.URL)
		}
		wider := e.codeFlow(app, redirect, "openid", "email", "profile")
		if p := b.get(wider.url("s6")); p.URL.Path != "/consent" || !strings.Contains(p.Body, "See your name and alias") {
			t.Errorf("a new scope did not ask: %s", p.URL)
		}

		// The person's view, the admin's, and withdrawal.
		var list struct {
			Consents []struct {
				ClientID string   `json:"clientID"`
				Name     string   `json:"name"`
				Scopes   []string `json:"scopes"`
			} `json:"consents"`
		}
		r := e.req("GET", "/consents", nil, bearer(ada.Bearer)...)
		wantStatus(t, r, 200)
		r.json(t, &list)
		if len(list.Consents) != 1 || list.Consents[0].ClientID != app.ClientID || list.Consents[0].Name != "Third Party" ||
			len(list.Consents[0].Scopes) != 3 {
			t.Fatalf("GET /consents: %+v", list)
		}
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(ada.Bearer)...).json(t, &info)
		r = e.req("GET", "/admin/user/"+info.UserID+"/consents", nil, bearer(e.root)...)
		wantStatus(t, r, 200)
		if !strings.Contains(string(r.Body), app.ClientID) {
			t.Errorf("the admin's view: %s", r.Body)
		}
		if r := e.req("GET", "/admin/user/"+info.UserID+"/consents", nil, bearer(ada.Bearer)...); r.Status != 403 {
			t.Errorf("a user read consents as an admin: %d", r.Status)
		}
		wantStatus(t, e.req("DELETE", "/consent/"+app.ClientID, nil, bearer(ada.Bearer)...), 200)
		if _, err := f.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
			t.Error("the app's refresh token works after the consent was withdrawn")
		}
		if r := e.req("DELETE", "/consent/"+app.ClientID, nil, bearer(ada.Bearer)...); r.Status != 404 {
			t.Errorf("withdrawing twice: %d", r.Status)
		}
		if r := e.req("DELETE", "/consent/not-an-app", nil, bearer(ada.Bearer)...); r.Status != 400 {
			t.Errorf("a malformed client ID: %d", r.Status)
		}
		if p := b.get(f.url("s7")); p.URL.Path != "/consent" {
			t.Errorf("after withdrawal the app was not asked for again: %s", p.URL)
		}

		// A first-party app never asks.
		own := e.registerApp(map[string]any{"name": "Our app", "type": "web", "redirectURIs": []string{redirect}, "firstParty": true})
		if cb := b.callback(b.get(e.codeFlow(own, redirect, "openid", "email").url("s8"))); cb.Query().Get("code") == "" {
			t.Errorf("a first-party app asked for consent: %s", cb)
		}
	})
}

package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOIDCInputThatCannotBeStored: the provider's parameters that authd stores or
// looks up never reach the database when neither SQLite's SQL text nor Postgres's
// text type could hold them (a NUL, bytes that are not UTF-8), nor grow a pending
// request without bound. A state that is not RFC 6749 A.5's printable ASCII, or
// longer than 4 KiB, is invalid_request sent back to the app without echoing it; so is
// such a nonce (with the state); a login_hint that could be no address is dropped;
// a client ID of the wrong shape names no app (logout, consent, the token endpoint,
// the admin API), and an app's name is printable. Nothing answers 5xx or server_error. On SQLite and Postgres (before
// this, Postgres turned a NUL state into server_error and SQLite a NUL client_id at
// /logout into a 500).
func TestOIDCInputThatCannotBeStored(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		const redirect = "http://127.0.0.1:9/cb"
		app := e.registerApp(map[string]any{"name": "Inputs", "type": "web", "redirectURIs": []string{redirect}, "firstParty": true})
		f := e.codeFlow(app, redirect, "openid")
		bad := map[string]string{"NUL": "a\x00b", "not UTF-8": "\xff\xfe", "a control character": "a\x01b", "over 4 KiB": strings.Repeat("s", 4097)}

		for what, s := range bad {
			q := e.browser().callback(e.browser().get(f.url(s, "nonce", "n"))).Query()
			if q.Get("error") != "invalid_request" || q.Has("state") || q.Get("iss") != e.srv.URL {
				t.Errorf("state with %s: %v", what, q)
			}
			q = e.browser().callback(e.browser().get(f.url("st", "nonce", s))).Query()
			if q.Get("error") != "invalid_request" || q.Get("state") != "st" {
				t.Errorf("nonce with %s: %v", what, q)
			}
		}
		fine := "a b~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}" + strings.Repeat("s", 4000)
		if p := e.browser().get(f.url(fine, "nonce", "ünïcödé nonce")); !loginPage(p) {
			t.Errorf("a printable state and a Unicode nonce were refused: %d %s", p.Status, p.Location)
		}
		for what, hint := range map[string]string{"NUL": "ada@example.com\x00", "not UTF-8": "\xff@example.com",
			"too long": strings.Repeat("a", 250) + "@example.com"} {
			if p := e.browser().get(f.url("st", "login_hint", hint)); !loginPage(p) || !strings.Contains(p.Body, `value=""`) {
				t.Errorf("login_hint with %s: %d %s", what, p.Status, p.Location)
			}
		}
		if p := e.browser().get(f.url("st", "login_hint", "ada@example.com")); !strings.Contains(p.Body, `value="ada@example.com"`) {
			t.Error("a good login_hint was not prefilled")
		}

		ids := []string{"\x00", clientIDWith("\x00"), clientIDWith("\xff"), clientIDWith("+")}
		for _, id := range ids {
			esc := url.QueryEscape(id)
			for _, r := range []*http.Response{
				e.rawAt("GET", e.srv.URL+"/logout?client_id="+esc, ""),
				e.rawAt("POST", e.srv.URL+"/logout", "client_id="+esc, "Content-Type", "application/x-www-form-urlencoded", "Origin", e.srv.URL),
				e.raw("POST", "/oauth/token", "grant_type=authorization_code&code=x&client_id="+esc+"&client_secret="+url.QueryEscape(secretWith("\x00")),
					"Content-Type", "application/x-www-form-urlencoded"),
				e.raw("POST", "/oauth/token", "grant_type=refresh_token&refresh_token=x&client_id="+esc,
					"Content-Type", "application/x-www-form-urlencoded"),
			} {
				if r.StatusCode >= 500 {
					t.Errorf("%s %s with client_id %q: %d", r.Request.Method, r.Request.URL.Path, id, r.StatusCode)
				}
			}
			if r := e.req("DELETE", "/consent/"+url.PathEscape(id), nil, bearer(v.Bearer)...); r.Status != 400 {
				t.Errorf("DELETE /consent/%q: %d", id, r.Status)
			}
			if r := e.req("GET", "/admin/clients/"+url.PathEscape(id), nil, bearer(e.root)...); r.Status != 404 && r.Status != 400 {
				t.Errorf("GET /admin/clients/%q: %d", id, r.Status)
			}
		}
		for _, name := range []string{"a\x00b", "a\nb"} {
			r := e.req("POST", "/admin/clients", map[string]any{"name": name, "type": "web", "redirectURIs": []string{redirect}}, bearer(e.root)...)
			if r.Status != 400 {
				t.Errorf("an app named %q: %d", name, r.Status)
			}
		}
		if p := e.browser().get(f.url("st")); !loginPage(p) {
			t.Errorf("after hostile input, a plain request: %d %s", p.Status, p.Location)
		}
	})
}

// clientIDWith is an app's client ID in shape but for its last character.
func clientIDWith(last string) string { return "authd_app_" + strings.Repeat("A", 21) + last }

// secretWith is a client secret in shape but for its last character.
func secretWith(last string) string { return "authd_cs_" + strings.Repeat("A", 42) + last }

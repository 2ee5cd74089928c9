package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// hiddenValue is a hidden form field and its value.
var hiddenValue = regexp.MustCompile(`name="([a-z_]+)" value="[^"]*"`)

// TestHostedPagesRefuseForgedForms: the hosted login's forms work only with the CSRF
// token of the browser that loaded them (a forged or foreign one is 403 and sends no
// code); the pages cannot be framed and run no inline script; and an address without
// an account gets the very page a real one gets, with nothing sent. On SQLite and
// Postgres.
func TestHostedPagesRefuseForgedForms(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		o := newRP(t, e, false) // ada@example.com has an account
		p := o.b.get(o.request().url(e.srv.URL))
		if !loginPage(p) {
			t.Fatalf("no login page: %d", p.Status)
		}
		csp := p.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") ||
			strings.Contains(csp, "unsafe-inline") || p.Header.Get("X-Frame-Options") != "DENY" || strings.Contains(p.Body, "<script>") {
			t.Errorf("page headers: CSP %q, X-Frame-Options %q", csp, p.Header.Get("X-Frame-Options"))
		}
		if !strings.Contains(p.Body, `autocomplete="email"`) || !strings.Contains(p.Body, `<label for="email">`) ||
			!strings.Contains(p.Body, `<html lang="en">`) {
			t.Error("the address field lacks its label, autocomplete or the page its lang")
		}
		sent := e.smtp.Count("ada@example.com")
		forged := o.b.submit(p, "/login", map[string]string{"email": "ada@example.com", "csrf": "forged"})
		other := e.browser()
		foreign := other.submit(p, "/login", map[string]string{"email": "ada@example.com"}) // A's token, B's cookie
		if forged.Status != 403 || foreign.Status != 403 {
			t.Errorf("a forged token: %d; another browser's: %d", forged.Status, foreign.Status)
		}
		time.Sleep(200 * time.Millisecond)
		if n := e.smtp.Count("ada@example.com"); n != sent {
			t.Errorf("a refused form sent %d codes", n-sent)
		}

		// Enumeration: a stranger's address gets the same page; nothing is sent.
		known := o.b.submit(p, "/login", map[string]string{"email": "ada@example.com"})
		unknown := other.submit(other.get(o.request().url(e.srv.URL)), "/login", map[string]string{"email": "nobody@example.com"})
		for name, pg := range map[string]page{"known": known, "unknown": unknown} {
			if pg.Status != 200 || !strings.Contains(pg.Body, `autocomplete="one-time-code"`) || !strings.Contains(pg.Body, `inputmode="numeric"`) {
				t.Errorf("%s address: %d", name, pg.Status)
			}
		}
		if e.smtp.Count("nobody@example.com") != 0 {
			t.Error("a code went to an address without an account")
		}
		// Byte for byte, once the address and the per-request values are set aside.
		same := func(pg page, address string) string {
			return hiddenValue.ReplaceAllString(strings.ReplaceAll(pg.Body, address, "ADDRESS"), `name="$1" value="V"`)
		}
		if k, u := same(known, "ada@example.com"), same(unknown, "nobody@example.com"); k != u {
			t.Errorf("the code page differs for a known and an unknown address:\n%s\n---\n%s", k, u)
		}
		wrong := o.b.submit(known, "/login/code", map[string]string{"code": "000000"})
		if wrong.Status != 400 || !strings.Contains(wrong.Body, `role="alert"`) || !strings.Contains(wrong.Body, `name="code_id"`) {
			t.Errorf("a wrong code: %d", wrong.Status)
		}
		if bad := o.b.get(e.srv.URL + "/login?request=not-a-request"); bad.Status != 400 {
			t.Errorf("an unknown request: %d", bad.Status)
		}
	})
}

// TestRefreshTokensStayWithTheirApp: an app's refresh token is spent only by that app,
// and the browser session's cookie never works as a refresh token. Presented by
// another app, or by nobody, the token is taken as leaked: refused, and its session
// closed, so even its own app cannot use it afterwards.
func TestRefreshTokensStayWithTheirApp(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		a := newRP(t, e, false) // ada@example.com has an account
		tok, _, _ := a.flow("scope", "openid offline_access")
		b := *a
		b.app = e.registerApp(map[string]any{"name": "Other", "type": "web", "redirectURIs": []string{rpRedirect}, "firstParty": true})
		refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}
		if got := b.token(refresh); got.Status != 400 || got.Error != "invalid_grant" {
			t.Fatalf("another app spent the token: %+v", got)
		}
		if got := a.token(refresh); got.Status != 400 {
			t.Errorf("the token's session survived its leak: %+v", got)
		}
		if st, _ := a.userinfo(http.MethodGet, tok.AccessToken, false); st != 401 {
			t.Errorf("the leaked session's access token: %d", st)
		}

		// The browser session's cookie at the token endpoint, as an API client would send it.
		authd, _ := url.Parse(e.srv.URL)
		var cookie string
		for _, c := range a.b.http.Jar.Cookies(authd) {
			if c.Name == "authd_browser" {
				cookie = c.Value
			}
		}
		if cookie == "" {
			t.Fatal("no browser-session cookie")
		}
		r := e.req("POST", "/session/refresh", map[string]string{"refreshToken": cookie})
		if r.Status != 401 {
			t.Errorf("the browser cookie refreshed: %d", r.Status)
		}
		if p := a.b.get(a.request("prompt", "none").url(e.srv.URL)); p.Location == "" || !strings.Contains(p.Location, "error=login_required") {
			t.Errorf("the browser session survived its cookie's leak: %d %s", p.Status, p.Location)
		}
	})
}

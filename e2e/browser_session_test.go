package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/config"
)

// setCookie is the Set-Cookie header of p naming cookie, or "".
func setCookie(p page, cookie string) string {
	for _, c := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, cookie+"=") {
			return c
		}
	}
	return ""
}

// TestBrowserSession: the hosted login's browser session is a cookie the page's
// scripts cannot read and other sites' requests do not carry (HttpOnly,
// SameSite=Lax, Path=/, an expiry), backed by a session of kind browser that its
// person sees in GET /sessions and can close like any other (single sign-on then asks
// for a login again), and that ends on its own idle clock (oauth.browser_idle_timeout).
// On SQLite and Postgres.
func TestBrowserSession(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		const redirect = "http://127.0.0.1:9/cb"
		app := e.registerApp(map[string]any{"name": "Cookie", "type": "web", "redirectURIs": []string{redirect}, "firstParty": true})
		f := e.codeFlow(app, redirect, "openid")
		b := e.browser()
		p := b.get(f.url("s1"))
		if c := setCookie(p, "authd_csrf"); !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") || strings.Contains(c, "Secure") {
			t.Errorf("the CSRF cookie on http: %q", c)
		}
		p = b.submit(p, "/login", map[string]string{"email": "ada@example.com"})
		p = b.submit(p, "/login/code", map[string]string{"code": e.smtp.CodeFor(t, "ada@example.com", 10*time.Second)})
		c := setCookie(p, "authd_browser")
		for _, attr := range []string{"Path=/", "HttpOnly", "SameSite=Lax", "Expires="} {
			if !strings.Contains(c, attr) {
				t.Errorf("the browser session cookie lacks %s: %q", attr, c)
			}
		}
		if strings.Contains(c, "Secure") || strings.Contains(c, "Domain=") {
			t.Errorf("the browser session cookie on http: %q", c)
		}
		b.callback(p)

		var list struct {
			Sessions []struct {
				SessionID string `json:"sessionID"`
				Kind      string `json:"kind"`
			} `json:"sessions"`
		}
		r := e.req("GET", "/sessions", nil, bearer(ada.Bearer)...)
		wantStatus(t, r, 200)
		r.json(t, &list)
		browserID := ""
		for _, s := range list.Sessions {
			if s.Kind == "browser" {
				browserID = s.SessionID
			}
		}
		if browserID == "" {
			t.Fatalf("GET /sessions does not list the browser session: %+v", list)
		}
		if sso := b.callback(b.get(f.url("s2", "prompt", "none"))); sso.Query().Get("code") == "" {
			t.Fatalf("no single sign-on before the close: %s", sso)
		}
		// select_account: authd holds one person per browser, so choosing is logging in.
		if p := b.get(f.url("s2b", "prompt", "select_account")); !loginPage(p) {
			t.Errorf("prompt=select_account with a live session did not show the login page: %d %s", p.Status, p.URL)
		}
		wantStatus(t, e.req("DELETE", "/session/"+browserID, nil, bearer(ada.Bearer)...), 200)
		if sso := b.callback(b.get(f.url("s3", "prompt", "none"))); sso.Query().Get("error") != "login_required" {
			t.Errorf("single sign-on after the browser session was closed: %s", sso)
		}

		b.logIn(f.url("s4"), "ada@example.com")
		e.clock.Advance(e.cfg.OAuth.BrowserIdleTimeout + time.Minute)
		if sso := b.callback(b.get(f.url("s5", "prompt", "none"))); sso.Query().Get("error") != "login_required" {
			t.Errorf("single sign-on after the browser session's idle timeout: %s", sso)
		}
	})
}

// TestBrowserCookiesOnHTTPS: behind an https issuer the hosted login's cookies are
// __Host- ones (Secure, Path=/, no Domain: no subdomain can set or read them).
func TestBrowserCookiesOnHTTPS(t *testing.T) {
	eachBackendWith(t, func(cfg *config.Config) { cfg.Server.PublicURL = "https://auth.example.test" }, func(t *testing.T, e *env) {
		const redirect = "http://127.0.0.1:9/cb"
		app := e.registerApp(map[string]any{"name": "Cookie", "type": "web", "redirectURIs": []string{redirect}})
		p := e.browser().get(e.codeFlow(app, redirect, "openid").url("s"))
		if p.Status != http.StatusOK {
			t.Fatalf("no login page: %d", p.Status)
		}
		c := setCookie(p, "__Host-authd_csrf")
		for _, attr := range []string{"Path=/", "HttpOnly", "SameSite=Lax", "Secure"} {
			if !strings.Contains(c, attr) || strings.Contains(c, "Domain=") {
				t.Errorf("the CSRF cookie on https lacks %s or has a Domain: %q", attr, c)
			}
		}
	})
}

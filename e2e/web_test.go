package e2e

import (
	"net/http"
	"strings"
	"testing"
)

const appOrigin = "https://app.example.com"

// raw sends a request without response validation (preflights are not in the spec).
func (e *env) raw(method, path, body string, hdr ...string) *http.Response {
	e.t.Helper()
	return e.rawAt(method, e.srv.URL+e.prefix+path, body, hdr...)
}

// rawAt is raw for any URL (the hosted pages and discovery are outside the API prefix).
func (e *env) rawAt(method, url, body string, hdr ...string) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func refreshCookieOf(t *testing.T, h http.Header) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "__Host-authd_refresh" {
			return c
		}
	}
	return nil
}

func TestCookieModeAndCORS(t *testing.T) {
	t.Setenv("AUTHD_COOKIES_ENABLED", "true")
	t.Setenv("AUTHD_CORS_ALLOWED_ORIGINS", appOrigin)
	eachBackend(t, func(t *testing.T, e *env) {
		p, code := e.register("ada@example.com", "ada")
		r := e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": code}, "Origin", appOrigin)
		wantStatus(t, r, 200)
		var v verified
		r.json(t, &v)
		c := refreshCookieOf(t, r.Header)
		if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Value == "" || v.RefreshToken != "" {
			t.Fatalf("cookie %+v, body refresh token %q", c, v.RefreshToken)
		}
		if r.Header.Get("Access-Control-Allow-Origin") != appOrigin || r.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("CORS headers: %v", r.Header)
		}

		cookie := []string{"Cookie", "__Host-authd_refresh=" + c.Value}
		wantStatus(t, e.req("POST", "/session/refresh", "{}", append(cookie, "Content-Type", "application/json", "Origin", appOrigin)...), 403) // no CSRF header
		wantStatus(t, e.req("POST", "/session/refresh", "{}", append(cookie, "Content-Type", "application/json", "Origin", "https://evil.example", "X-Authd-CSRF", "1")...), 403)
		r = e.req("POST", "/session/refresh", "{}", append(cookie, "Content-Type", "application/json", "Origin", appOrigin, "X-Authd-CSRF", "1")...)
		wantStatus(t, r, 200)
		next := refreshCookieOf(t, r.Header)
		if next == nil || next.Value == c.Value || strings.Contains(string(r.Body), next.Value) {
			t.Fatalf("rotated cookie: %+v body %s", next, r.Body)
		}

		// Mobile clients (no Origin) keep the token in the body.
		p2, code2 := e.login("ada@example.com")
		if mobile := e.verify(p2.VerificationCodeID, code2); mobile.RefreshToken == "" {
			t.Error("a client without Origin lost its refresh token")
		}

		// Logging out clears the cookie.
		r = e.req("DELETE", "/session/"+p.SessionID, nil, append(bearer(v.Bearer), "Origin", appOrigin)...)
		wantStatus(t, r, 200)
		if cleared := refreshCookieOf(t, r.Header); cleared == nil || cleared.MaxAge >= 0 {
			t.Errorf("logout did not clear the cookie: %+v", cleared)
		}

		t.Run("CORS", func(t *testing.T) {
			pre := e.raw("OPTIONS", "/session", "", "Origin", appOrigin, "Access-Control-Request-Method", "GET")
			if pre.StatusCode != 204 || pre.Header.Get("Access-Control-Allow-Origin") != appOrigin ||
				!strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
				t.Errorf("allowed preflight: %d %v", pre.StatusCode, pre.Header)
			}
			for _, origin := range []string{"https://evil.example", "null", appOrigin + ".evil.example"} {
				pre := e.raw("OPTIONS", "/session", "", "Origin", origin, "Access-Control-Request-Method", "GET")
				if pre.StatusCode != 403 || pre.Header.Get("Access-Control-Allow-Origin") != "" || pre.Header.Get("x-error-id") == "" {
					t.Errorf("preflight from %s: %d %v", origin, pre.StatusCode, pre.Header)
				}
				get := e.raw("GET", "/jwks", "", "Origin", origin)
				if get.Header.Get("Access-Control-Allow-Origin") != "*" || get.Header.Get("Access-Control-Allow-Credentials") != "" {
					t.Errorf("origin %s: %v", origin, get.Header)
				}
			}
		})
	})
}

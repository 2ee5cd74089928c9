package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/api"
	"github.com/authd/authd/authn"
	"github.com/authd/authd/clients"
	"github.com/authd/authd/models"
)

// idRoutes lists every operation of the API whose path holds an {id}, from the
// OpenAPI file, so a route added later is covered without editing this test.
func idRoutes(t *testing.T) [][2]string {
	t.Helper()
	var out [][2]string
	path := ""
	pathRe, methodRe := regexp.MustCompile(`^  (/\S+):$`), regexp.MustCompile(`^    (get|post|put|delete):$`)
	for _, line := range strings.Split(string(api.Spec()), "\n") {
		if m := pathRe.FindStringSubmatch(line); m != nil {
			path = m[1]
		} else if m := methodRe.FindStringSubmatch(line); m != nil && strings.Contains(path, "{id}") {
			out = append(out, [2]string{strings.ToUpper(m[1]), path})
		}
	}
	if len(out) < 20 {
		t.Fatalf("found only %d {id} operations in openapi.yaml", len(out))
	}
	return out
}

// TestSecurityIDOR (THREATS E66, C50): on every {id} route, another user's ID is
// answered as if it did not exist (404) on the caller's own routes, and with 403 on
// admin routes; the victim's resources are untouched. The public profile lookups are
// the one deliberate exception.
func TestSecurityIDOR(t *testing.T) {
	routes := idRoutes(t)
	eachBackend(t, func(t *testing.T, e *env) {
		victim := e.signup("victim@example.com", "victim")
		victimID := e.userID(victim.Bearer)
		k := e.createKeyPair(victim.Bearer, "victim@example.com", 30)
		emailID := e.addEmail(victim.Bearer, "victim2@example.com")
		app, err := e.app.Clients.Create(context.Background(), authn.Actor{ID: models.ActorOperator},
			clients.Spec{Name: "victim app", Type: models.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb"}})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{"session": e.sessionID(victim.Bearer), "email": emailID, "keypair": k.KeyID,
			"user": victimID, "events": "0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11", "clients": app.Client.ID}
		mallory := e.signup("mallory@example.com", "mallory")
		for _, rt := range routes {
			method, tmpl := rt[0], strings.TrimPrefix(rt[1], e.prefix)
			kind := strings.Split(strings.TrimPrefix(strings.TrimPrefix(tmpl, "/admin"), "/"), "/")[0]
			id, ok := ids[kind]
			if !ok {
				t.Errorf("%s %s: no victim resource of kind %q", method, tmpl, kind)
				continue
			}
			path := strings.ReplaceAll(strings.ReplaceAll(tmpl, "{id}", id), "{role}", "user")
			r := e.req(method, path, map[string]string{}, bearer(mallory.Bearer)...)
			switch {
			case strings.HasPrefix(tmpl, "/admin/"):
				wantStatus(t, r, http.StatusForbidden)
			case tmpl == "/user/{id}" || tmpl == "/user/id/{id}": // public profile by design
				wantStatus(t, r, http.StatusOK)
			default:
				if r.Status != http.StatusNotFound {
					t.Errorf("%s %s with another user's id: %d, want 404", method, tmpl, r.Status)
				}
			}
		}
		wantStatus(t, e.req("GET", "/session", nil, bearer(victim.Bearer)...), 200)
		wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(k)...), 200)
		if got, err := e.app.Clients.Get(context.Background(), app.Client.ID); err != nil || got.Name != "victim app" {
			t.Errorf("the registered app after the attempts: %+v %v", got, err)
		}
		if got := e.emails(victim.Bearer); len(got.Emails) != 2 {
			t.Errorf("victim's addresses: %+v", got)
		}
	})
}

// TestSecurityMassAssignment (E62, E63): a field the endpoint does not take, in any
// case, is a 400 on every JSON write, and nothing changes.
func TestSecurityMassAssignment(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		writes := []struct {
			method, path string
			body         map[string]any
		}{
			{"POST", "/user", map[string]any{"email": "eve@example.com", "fullName": "Eve", "alias": "eve"}},
			{"POST", "/session", map[string]any{"email": "ada@example.com"}},
			{"PUT", "/session/verification", map[string]any{"verificationCodeID": "0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11", "code": "123456"}},
			{"POST", "/email", map[string]any{"address": "ada2@example.com"}},
			{"PUT", "/email/preferred", map[string]any{"emailID": "0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11"}},
			{"POST", "/keypair", map[string]any{"name": "k", "days": 30}},
		}
		for _, w := range writes {
			for _, extra := range []string{"roles", "Roles", "ROLES", "verified", "id", "userID", "createdAt", "enabled", "kycStatus", "admin"} {
				body := map[string]any{extra: []string{"admin"}}
				for k, val := range w.body {
					body[k] = val
				}
				r := e.req(w.method, w.path, body, bearer(v.Bearer)...)
				if r.Status != http.StatusBadRequest {
					t.Errorf("%s %s with %q: %d, want 400", w.method, w.path, extra, r.Status)
				}
			}
		}
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(v.Bearer)...).json(t, &info)
		if fmt.Sprint(info.Roles) != "[user]" {
			t.Errorf("roles changed: %v", info.Roles)
		}
	})
}

// TestSecurityHostileStrings (E68, E71, B38, B39): SQL metacharacters, control
// characters, CR/LF, Unicode confusables and overlong values in every string field
// of the unauthenticated and user JSON writes never cause a 500 or reach x-error;
// afterwards the database still answers as before.
func TestSecurityHostileStrings(t *testing.T) {
	t.Setenv("AUTHD_LIMITS_CODE_SENDS_PER_IP_5M", "100000")
	t.Setenv("AUTHD_LIMITS_REQUESTS_PER_IP_MINUTE", "0")
	hostile := []string{"' OR 1=1--", `"; DROP TABLE users; --`, "%", "_", `\`, "\x00", "a\r\nSet-Cookie: pwned=1",
		"аdmin", "admin\u200b", "\u202eevil", "ＡＤＭＩＮ", "a@exаmple.com", "<script>alert(1)</script>",
		"{{.}}", "../../etc/passwd", strings.Repeat("x", 60<<10)}
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		fields := []struct {
			method, path, field string
			base                map[string]string
		}{
			{"POST", "/user", "email", map[string]string{"fullName": "Eve", "alias": "eve"}},
			{"POST", "/user", "fullName", map[string]string{"email": "eve@example.com", "alias": "eve"}},
			{"POST", "/user", "alias", map[string]string{"email": "eve@example.com", "fullName": "Eve"}},
			{"POST", "/session", "email", map[string]string{}},
			{"POST", "/session", "kind", map[string]string{"email": "ada@example.com"}},
			{"PUT", "/session/verification", "verificationCodeID", map[string]string{"code": "123456"}},
			{"PUT", "/session/verification", "code", map[string]string{"verificationCodeID": "0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11"}},
			{"POST", "/email", "address", map[string]string{}},
			{"PUT", "/email/preferred", "emailID", map[string]string{}},
			{"PUT", "/email/verification", "verificationCodeID", map[string]string{"code": "123456"}},
			{"POST", "/keypair", "name", map[string]string{}},
		}
		for _, f := range fields {
			for _, h := range hostile {
				body := map[string]any{f.field: h}
				for k, val := range f.base {
					body[k] = val
				}
				if f.path == "/keypair" {
					body["days"] = 30
				}
				r := e.req(f.method, f.path, body, bearer(v.Bearer)...)
				if r.Status >= 500 {
					t.Errorf("%s %s %s=%.20q: %d", f.method, f.path, f.field, h, r.Status)
				}
				xe := r.Header.Get("x-error")
				if len(xe) > 256 || strings.ContainsAny(xe, "\r\n") || (len(h) > 3 && strings.Contains(xe, h)) || r.Header.Get("Set-Cookie") != "" {
					t.Errorf("%s %s %s=%.20q reached the response: x-error %q", f.method, f.path, f.field, h, xe)
				}
			}
		}
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(v.Bearer)...).json(t, &info)
		if info.Alias != "ada" {
			t.Errorf("after hostile input: %+v", info)
		}
		e.clock.Advance(24 * time.Hour)
		wantStatus(t, e.req("POST", "/session", map[string]string{"email": "ada@example.com"}), 200)
	})
}

// TestSecurityCORS (E72): a foreign origin, or "null", is never reflected, with or
// without credentials, and its preflight fails. The endpoints an OpenID Connect
// single-page app calls (JWKS, discovery, token, userinfo, revocation) answer any
// origin with "*" and no credentials; the hosted pages answer none.
func TestSecurityCORS(t *testing.T) {
	t.Setenv("AUTHD_CORS_ALLOWED_ORIGINS", "https://app.example.com")
	eachBackend(t, func(t *testing.T, e *env) {
		for _, origin := range []string{"https://evil.example", "null", "https://app.example.com.evil.example", "http://app.example.com"} {
			r := e.raw("OPTIONS", "/session", "", "Origin", origin, "Access-Control-Request-Method", "POST",
				"Access-Control-Request-Headers", "authorization")
			if r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Access-Control-Allow-Credentials") != "" || r.StatusCode < 400 {
				t.Errorf("preflight from %s: %d %v", origin, r.StatusCode, r.Header)
			}
			g := e.req("GET", "/jwks", nil, "Origin", origin)
			if g.Header.Get("Access-Control-Allow-Origin") != "*" || g.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("GET /jwks from %s: %v", origin, g.Header)
			}
			s := e.req("GET", "/session", nil, "Origin", origin)
			if s.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("GET /session from %s reflected: %v", origin, s.Header)
			}
			a := e.rawAt("GET", e.srv.URL+"/authorize", "", "Origin", origin)
			if a.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("GET /authorize from %s answered a script: %v", origin, a.Header)
			}
		}
		for _, path := range []string{e.prefix + "/oauth/token", "/.well-known/openid-configuration", e.prefix + "/userinfo"} {
			pre := e.rawAt("OPTIONS", e.srv.URL+path, "", "Origin", "https://spa.example.net", "Access-Control-Request-Method", "POST",
				"Access-Control-Request-Headers", "content-type")
			if pre.StatusCode != 204 || pre.Header.Get("Access-Control-Allow-Origin") != "*" || pre.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("preflight of %s from a web app: %d %v", path, pre.StatusCode, pre.Header)
			}
		}
		ok := e.raw("OPTIONS", "/session", "", "Origin", "https://app.example.com", "Access-Control-Request-Method", "POST")
		if ok.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
			t.Errorf("the allowed origin's preflight: %d %v", ok.StatusCode, ok.Header)
		}
	})
}

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

func TestBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		sent := len(e.smtp.Messages())
		json := []string{"Content-Type", "application/json"}
		user := func(email, alias string) map[string]string {
			return map[string]string{"email": email, "fullName": "Eve", "alias": alias}
		}
		cases := []struct {
			name   string
			method string
			path   string
			body   any
			hdr    []string
			status int
		}{
			{"malformed JSON", "POST", "/session", `{"email": `, json, 400},
			{"trailing garbage", "POST", "/session", `{"email":"a@example.com"} {}`, json, 400},
			{"not an object", "POST", "/session", `["a@example.com"]`, json, 400},
			{"unknown field", "POST", "/user", `{"email":"e@example.com","fullName":"Eve","alias":"eve","roles":["admin"]}`, json, 400},
			{"case-variant field", "POST", "/user", `{"EMAIL":"e@example.com","fullName":"Eve","alias":"eve"}`, json, 400},
			{"duplicate field", "POST", "/session", `{"email":"a@example.com","email":"b@example.com"}`, json, 400},
			{"wrong type", "POST", "/session", `{"email":42}`, json, 400},
			{"empty body", "POST", "/session", ``, json, 400},
			{"invalid email", "POST", "/session", map[string]string{"email": "not-an-email"}, nil, 400},
			{"email with CRLF", "POST", "/session", map[string]string{"email": "ada@example.com\r\nBcc: evil@example.net"}, nil, 400},
			{"email with SMTP command", "POST", "/user", user("a@b.co>\r\nRCPT TO:<evil@example.net>", "eve"), nil, 400},
			{"email with encoded CRLF", "POST", "/user", user("a@b.co%0d%0abcc:evil@example.net", "eve"), nil, 400},
			{"email with quoted local part", "POST", "/user", user(`"a b"@example.com`, "eve"), nil, 400},
			{"email too long", "POST", "/user", user(strings.Repeat("a", 250)+"@example.com", "eve"), nil, 400},
			{"invalid alias", "POST", "/user", user("eve@example.com", "e!"), nil, 400},
			{"alias with SQL", "POST", "/user", user("eve@example.com", "' OR 1=1--"), nil, 400},
			{"empty full name", "POST", "/user", map[string]string{"email": "eve@example.com", "fullName": " ", "alias": "eve"}, nil, 400},
			{"unknown kind", "POST", "/session", map[string]string{"email": "ada@example.com", "kind": "root"}, nil, 400},
			{"no content type", "POST", "/session", `{"email":"a@example.com"}`, []string{"Content-Type", ""}, 415},
			{"text content type", "POST", "/session", `{"email":"a@example.com"}`, []string{"Content-Type", "text/plain"}, 415},
			{"oversize body", "POST", "/session", `{"email":"` + strings.Repeat("a", 70<<10) + `"}`, json, 413},
			{"non-UUID user id", "GET", "/user/id/42", nil, nil, 400},
			{"uppercase UUID", "GET", "/user/id/0B5CF3A8-7A2F-4B59-9D3C-1F0E0C6A9D11", nil, nil, 400},
			{"unknown user", "GET", "/user/id/0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11", nil, nil, 404},
			{"non-UUID session id", "DELETE", "/session/'%20OR%201=1", nil, bearer(v.Bearer), 400},
			{"another user's session id", "DELETE", "/session/0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11", nil, bearer(v.Bearer), 404},
			{"missing credential", "GET", "/session", nil, nil, 401},
			{"not a bearer scheme", "GET", "/session", nil, []string{"Authorization", "Basic YTpi"}, 401},
			{"garbage bearer", "GET", "/session", nil, bearer("garbage"), 401},
			{"oversize bearer", "GET", "/session", nil, bearer(strings.Repeat(".", 9000)), 401},
			{"tampered JWT", "GET", "/session", nil, bearer(tamper(v.Bearer)), 401},
			{"alg none JWT", "GET", "/session", nil, bearer(algNone(t, v.Bearer)), 401},
			{"JWT from a foreign key", "GET", "/session", nil, bearer(foreignToken(t, e)), 401},
			{"tampered pending credential", "GET", "/session", nil, bearer("pnd_eyJzaWQiOiJ4In0.AAAA"), 401},
			{"bearer and key pair", "GET", "/session", nil, append(bearer(v.Bearer), "api-key", "k"), 400},
			{"unknown route", "GET", "/nope", nil, nil, 404},
			{"wrong method", "PATCH", "/session", nil, nil, 405},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.req(c.method, c.path, c.body, c.hdr...)
				wantStatus(t, r, c.status)
				if c.status == 405 && r.Header.Get("Allow") != "GET, POST" {
					t.Errorf("Allow = %q", r.Header.Get("Allow"))
				}
				assertNoLeak(t, r)
			})
		}
		if got := len(e.smtp.Messages()); got != sent {
			t.Errorf("bad input caused %d emails", got-sent)
		}
	})
}

// assertNoLeak fails when a response carries internals: driver text, stack traces,
// parser messages that quote input.
func assertNoLeak(t *testing.T, r response) {
	t.Helper()
	all := string(r.Body) + r.Header.Get("x-error")
	for _, bad := range []string{"sql", "bun", "SQLSTATE", "constraint", ".go:", "goroutine", "EOF", "json:", "evil", "\r", "\n\n"} {
		if strings.Contains(all, bad) {
			t.Errorf("response leaks %q: %s / %q", bad, r.Body, r.Header.Get("x-error"))
		}
	}
}

// tamper rewrites the payload (another subject) and keeps the signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), `"sub":"`, `"sub":"0`, 1))
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
}

// algNone re-signs the token's claims with alg "none" and no signature.
func algNone(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`))
	return hdr + "." + parts[1] + "."
}

// foreignToken is a well-formed access token signed by a key authd never issued.
func foreignToken(t *testing.T, e *env) string {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := jwt.NewBuilder().Issuer(e.cfg.Server.PublicURL).Audience([]string{e.cfg.Tokens.Audience}).
		Subject("0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11").Expiration(e.clock.Now().Add(time.Minute)).Build()
	hdr := jws.NewHeaders()
	_ = hdr.Set("typ", "at+jwt")
	_ = hdr.Set("kid", "attacker")
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256, priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

func TestHealthAndDiscovery(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		wantStatus(t, e.req("GET", "/healthz", nil), 200)
		wantStatus(t, e.req("GET", "/readyz", nil), 200)
		r := e.req("GET", "/.well-known/openid-configuration", nil)
		wantStatus(t, r, 200)
		var d struct {
			Issuer  string   `json:"issuer"`
			JWKSURI string   `json:"jwks_uri"`
			Algs    []string `json:"id_token_signing_alg_values_supported"`
		}
		r.json(t, &d)
		if d.Issuer != e.cfg.Server.PublicURL || d.JWKSURI != e.cfg.Server.PublicURL+"/api/auth/v2/jwks" ||
			!slices.Equal(d.Algs, []string{"ES256", "RS256"}) { // access tokens ES256; ID tokens RS256 by default
			t.Errorf("discovery: %+v", d)
		}
		r = e.req("GET", "/openapi.yaml", nil)
		wantStatus(t, r, 200)
		if !strings.HasPrefix(string(r.Body), "openapi: 3.0.3") {
			t.Errorf("openapi.yaml: %.40s", r.Body)
		}
		r = e.req("GET", "/jwks", nil)
		if strings.Contains(string(r.Body), `"d"`) {
			t.Error("JWKS holds private key material")
		}
		etag := r.Header.Get("ETag")
		r2, err := http.NewRequest("GET", e.srv.URL+"/api/auth/v2/jwks", nil)
		if err != nil {
			t.Fatal(err)
		}
		r2.Header.Set("If-None-Match", etag)
		resp, err := e.srv.Client().Do(r2)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match: status %d, want 304", resp.StatusCode)
		}
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"} {
			if r.Header.Get(h) == "" {
				t.Errorf("missing security header %s", h)
			}
		}
	})
}

// TestSecretsStayOutOfLogs runs a full login and checks that no code or token
// reached the log (the SMTP driver is in use, so nothing has a reason to log them).
func TestSecretsStayOutOfLogs(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		p, code := e.register("ada@example.com", "ada")
		v := e.verify(p.VerificationCodeID, code)
		wantStatus(t, e.req("GET", "/session", nil, bearer(v.Bearer)...), 200)
		wantStatus(t, e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": code}), 401)
		logs := e.logs.String()
		for name, secret := range map[string]string{"code": code, "pending": p.Bearer, "access": v.Bearer, "refresh": v.RefreshToken} {
			if strings.Contains(logs, secret) {
				t.Errorf("%s appears in the log", name)
			}
		}
		if !strings.Contains(logs, "invalid or expired verification code") {
			t.Error("the failed verification was not logged at all")
		}
	})
}

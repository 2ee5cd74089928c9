package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestAuthorizationResponsesNameTheIssuer: discovery declares RFC 9207, and every
// answer sent back to an app names the issuer in iss: a code, a refusal of the request,
// a denial on the consent page, consent_required under prompt=none. An app talking to
// several providers compares it with the one it asked, so a response mixed up between
// them is refused (RFC 9700 4.4). The Basic and Form Post plans check the same on every
// answer of theirs. On SQLite and Postgres.
func TestAuthorizationResponsesNameTheIssuer(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		var d struct {
			Supported *bool `json:"authorization_response_iss_parameter_supported"`
		}
		getJSON(t, e.srv.URL+"/.well-known/openid-configuration", &d)
		if d.Supported == nil || !*d.Supported {
			t.Error("discovery does not declare authorization_response_iss_parameter_supported")
		}

		e.signup("ada@example.com", "ada")
		const redirect = "http://127.0.0.1:9/cb"
		app := e.registerApp(map[string]any{"name": "Third Party", "type": "web", "redirectURIs": []string{redirect}})
		f := e.codeFlow(app, redirect, "openid", "email")
		b := e.browser()
		want := func(what, wantErr string, p page) {
			t.Helper()
			q := b.callback(p).Query()
			if q.Get("iss") != e.srv.URL || q.Get("error") != wantErr || (wantErr == "" && q.Get("code") == "") {
				t.Errorf("%s: %v, want iss %s and error %q", what, q, e.srv.URL, wantErr)
			}
		}

		want("a request object", "request_not_supported", b.get(f.url("s0", "request", "eyJhbGciOiJub25lIn0.e30.")))
		p := b.get(f.url("s1"))
		p = b.submit(p, "/login", map[string]string{"email": "ada@example.com"})
		p = b.submit(p, "/login/code", map[string]string{"code": e.smtp.CodeFor(t, "ada@example.com", 10*time.Second)})
		if p.URL.Path != "/consent" {
			t.Fatalf("no consent page: %s", p.URL)
		}
		want("a denial", "access_denied", b.submit(p, "/consent", map[string]string{"decision": "deny"}))
		want("prompt=none before consent", "consent_required", b.get(f.url("s2", "prompt", "none")))
		p = b.get(f.url("s3"))
		if !strings.HasPrefix(p.URL.Path, "/consent") {
			t.Fatalf("no consent page: %s", p.URL)
		}
		want("a code", "", b.submit(p, "/consent", map[string]string{"decision": "allow"}))
		want("a code by single sign-on", "", b.get(f.url("s4", "prompt", "none")))
	})
}

package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

func kidOf(t *testing.T, e *env, token string) string {
	t.Helper()
	kid, _ := e.verifyHeader(token)["kid"].(string)
	return kid
}

func TestKeyRotation(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		v := e.signup("ada@example.com", "ada")
		oldKid := kidOf(t, e, v.Bearer)
		etag := e.req("GET", "/jwks", nil).Header.Get("ETag")

		// Scheduled path: a next key is published first and signs nothing.
		res, err := e.app.Keys.Rotate(ctx, false)
		if err != nil || res.Published == "" {
			t.Fatalf("publish: %+v %v", res, err)
		}
		r := e.req("GET", "/jwks", nil)
		if !strings.Contains(string(r.Body), res.Published) || r.Header.Get("ETag") == etag {
			t.Errorf("next key not published or ETag unchanged")
		}
		if kid := kidOf(t, e, e.extend(v.Bearer)); kid != oldKid {
			t.Errorf("the next key signed before its publish delay")
		}

		// Emergency path: a new key signs at once; old tokens still verify.
		res, err = e.app.Keys.Rotate(ctx, true)
		if err != nil || res.Retired != oldKid {
			t.Fatalf("rotate now: %+v %v", res, err)
		}
		wantStatus(t, e.req("GET", "/session", nil, bearer(v.Bearer)...), 200)
		e.verifyWithJWKS(v.Bearer)
		fresh := e.extend(v.Bearer)
		if kidOf(t, e, fresh) != res.Activated {
			t.Errorf("new tokens are not signed by the new key")
		}
		e.verifyWithJWKS(fresh)

		// The retired key leaves the JWKS once every token it signed has expired.
		e.clock.Advance(15*time.Minute + 31*time.Second)
		if err := e.app.Keys.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(e.req("GET", "/jwks", nil).Body), `"`+oldKid+`"`) {
			t.Error("retired key still published after its tokens expired")
		}
	})
}

func (e *env) extend(token string) string {
	e.t.Helper()
	r := e.req("PUT", "/session/extend", nil, bearer(token)...)
	wantStatus(e.t, r, 200)
	var out struct{ Bearer string }
	r.json(e.t, &out)
	return out.Bearer
}

func (e *env) verifyHeader(token string) map[string]any {
	e.t.Helper()
	var h map[string]any
	seg := strings.Split(token, ".")[0]
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		e.t.Fatal(err)
	}
	return h
}

// TestSigningKeyRevocation: an admin revokes the signing key (a compromised key). On
// the instance that did it at once, and on another within 2 s, the key is out of the
// JWKS and every token it signed is refused wherever authd checks tokens (session
// API, forward auth, userinfo, introspection), cached or not; another key signs at
// once and the sessions live on: their next refresh gets a token under the new key.
func TestSigningKeyRevocation(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *env) {
		b := start(t, a.cfg, a.smtp, a.clock)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		gateway := a.gatewayVerifier(t, 50*time.Millisecond)
		go gateway.Run(ctx)
		root, _ := a.admin("root@example.com", "root")
		ada := a.signup("ada@example.com", "ada")
		kid := kidOf(t, a, ada.Bearer)
		if _, err := gateway.Verify(ctx, ada.Bearer); err != nil { // cached by the gateway now
			t.Fatal(err)
		}
		for _, inst := range []*env{a, b} { // warm every cache
			wantStatus(t, inst.req("GET", "/session", nil, bearer(ada.Bearer)...), 200)
			wantStatus(t, inst.req("GET", "/check", nil, bearer(ada.Bearer)...), 200)
		}
		wantStatus(t, a.req("PUT", "/admin/signing-key/"+kid+"/revoke", nil, bearer(ada.Bearer)...), 403)
		wantStatus(t, a.req("PUT", "/admin/signing-key/nope/revoke", nil, bearer(root.Bearer)...), 404)
		r := a.req("PUT", "/admin/signing-key/"+kid+"/revoke", nil, bearer(root.Bearer)...)
		wantStatus(t, r, 200)
		var res struct{ Revoked, Was, Activated string }
		r.json(t, &res)
		if res.Revoked != kid || res.Was != "active" || res.Activated == "" || res.Activated == kid {
			t.Fatalf("revoke: %s", r.Body)
		}
		refused := func(inst *env) bool {
			if strings.Contains(string(inst.req("GET", "/jwks", nil).Body), `"`+kid+`"`) {
				return false
			}
			for _, path := range []string{"/session", "/check", "/userinfo"} {
				if inst.req("GET", path, nil, bearer(ada.Bearer)...).Status != 401 {
					return false
				}
			}
			return true
		}
		if !refused(a) {
			t.Fatal("the instance that revoked the key still publishes it or accepts its tokens")
		}
		revoked := time.Now()
		for !refused(b) {
			if time.Since(revoked) > 2*time.Second {
				t.Fatal("the other instance still publishes the revoked key or accepts its tokens after 2 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("the other instance dropped the revoked key after %s", time.Since(revoked).Round(time.Millisecond))
		for _, err := gateway.Verify(ctx, ada.Bearer); err == nil; _, err = gateway.Verify(ctx, ada.Bearer) {
			if time.Since(revoked) > 2*time.Second {
				t.Fatal("the verifier still accepts a cached token of the revoked key after its JWKS refresh")
			}
			time.Sleep(20 * time.Millisecond)
		}

		// The session survives: a refresh (on either instance) signs under the new key.
		gw := a.verifyAfterLogin("root@example.com") // root's old token was signed by the revoked key too
		_, next := b.refresh(ada.RefreshToken)
		if got := kidOf(t, a, next.Bearer); got != res.Activated {
			t.Fatalf("refreshed token signed by %q, want %q", got, res.Activated)
		}
		for _, inst := range []*env{a, b} {
			wantStatus(t, inst.req("GET", "/session", nil, bearer(next.Bearer)...), 200)
		}
		var in map[string]any
		a.form("/oauth/introspect", url.Values{"token": {ada.Bearer}}, bearer(gw.Bearer)...).json(t, &in)
		if in["active"] != false {
			t.Errorf("introspection of a token of the revoked key: %v", in)
		}
		var audit struct {
			Events []struct{ Action, TargetID string }
		}
		a.req("GET", "/admin/audit?limit=100", nil, bearer(gw.Bearer)...).json(t, &audit)
		found := false
		for _, ev := range audit.Events {
			found = found || ev.Action == "signingkey.revoked" && ev.TargetID == kid
		}
		if !found {
			t.Errorf("key revocation not audited: %+v", audit)
		}
		// Revoking it again changes nothing.
		r = a.req("PUT", "/admin/signing-key/"+kid+"/revoke", nil, bearer(gw.Bearer)...)
		wantStatus(t, r, 200)
		var again struct{ Was, Activated string }
		if r.json(t, &again); again.Was != "revoked" || again.Activated != "" {
			t.Errorf("second revoke: %s", r.Body)
		}
	})
}

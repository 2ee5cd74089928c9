package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
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

package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authd/authd/verifier"
)

// gatewayVerifier builds a verifier against this authd, reading the feed with a key
// pair of an account holding the gateway role; it polls the feed and the JWKS every
// interval.
func (e *env) gatewayVerifier(t *testing.T, interval time.Duration) *verifier.Verifier {
	t.Helper()
	gw := e.signup("gateway@example.com", "edge")
	e.grant(e.userID(gw.Bearer), "gateway")
	k := e.createKeyPair(gw.Bearer, "gateway@example.com", 30)
	v, err := verifier.New(context.Background(), verifier.Options{
		Issuer: e.cfg.Server.PublicURL, Audience: e.cfg.Tokens.Audience, HTTPClient: e.srv.Client(),
		FeedAuth:     func(r *http.Request) { r.Header.Set("api-key", k.APIKey); r.Header.Set("api-secret", k.APISecret) },
		FeedInterval: interval, KeyRefresh: interval, Now: e.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifierAgainstAuthd(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		v := e.gatewayVerifier(t, 20*time.Millisecond)
		go v.Run(ctx)
		ada := e.signup("ada@example.com", "ada")

		c, err := v.Verify(ctx, ada.Bearer)
		if err != nil || c.Subject != e.userID(ada.Bearer) || c.SessionID != e.sessionID(ada.Bearer) || !c.HasAnyRole("user") {
			t.Fatalf("verify: %+v %v", c, err)
		}
		for name, bad := range map[string]string{"tampered": tamper(ada.Bearer), "alg none": algNone(t, ada.Bearer),
			"foreign key": foreignToken(t, e), "garbage": "a.b.c"} {
			if _, err := v.Verify(ctx, bad); !errors.Is(err, verifier.ErrInvalid) {
				t.Errorf("%s: %v", name, err)
			}
		}

		// A closed session is refused within one poll interval; print the delay.
		closedAt := time.Now()
		wantStatus(t, e.req("DELETE", "/session/"+c.SessionID, nil, bearer(ada.Bearer)...), 200)
		for {
			if _, err := v.Verify(ctx, ada.Bearer); errors.Is(err, verifier.ErrRevoked) {
				break
			}
			if time.Since(closedAt) > 5*time.Second {
				t.Fatal("revocation never reached the verifier")
			}
			time.Sleep(time.Millisecond)
		}
		t.Logf("revocation delay: %v with a %v poll interval", time.Since(closedAt).Round(time.Millisecond), 20*time.Millisecond)

		// A key rotated at the server is learned on first sight of its kid.
		if _, err := e.app.Keys.Rotate(ctx, true); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(31 * time.Second) // past the refetch rate limit
		bob := e.signup("bob@example.com", "bob")
		if _, err := v.Verify(ctx, bob.Bearer); err != nil {
			t.Fatalf("token from the rotated key: %v", err)
		}

		// Middleware: roles per route.
		h := v.Require("admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/admin", nil)
		req.Header.Set("Authorization", "Bearer "+bob.Bearer)
		h.ServeHTTP(rec, req)
		if rec.Code != 403 {
			t.Errorf("user on an admin route: %d", rec.Code)
		}

		// Fail closed when the feed cannot be read.
		cancel()
		e.clock.Advance(61 * time.Second)
		if _, err := v.Verify(context.Background(), bob.Bearer); !errors.Is(err, verifier.ErrStaleFeed) {
			t.Errorf("stale feed: %v", err)
		}
	})
}

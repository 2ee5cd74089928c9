package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/store/storetest"
)

// TestSigningAlgorithms: each selectable algorithm signs tokens that verify against
// the JWKS, with go-oidc through discovery, and through authd itself.
func TestSigningAlgorithms(t *testing.T) {
	for _, alg := range []string{"ES256", "EdDSA", "RS256"} {
		t.Run(alg, func(t *testing.T) {
			t.Setenv("AUTHD_KEYS_ALGORITHM", alg)
			b := storetest.Backends(t)[0]
			e := start(t, newConfig(t, b.DSN), mailtest.NewServer(t), apptest.NewClock(time.Now().UTC().Truncate(time.Second)))
			v := e.signup("ada@example.com", "ada")
			if got := e.verifyHeader(v.Bearer)["alg"]; got != alg {
				t.Fatalf("alg = %v", got)
			}
			e.verifyWithJWKS(v.Bearer)
			wantStatus(t, e.req("GET", "/session", nil, bearer(v.Bearer)...), 200)
			ctx := oidc.InsecureIssuerURLContext(oidc.ClientContext(context.Background(), e.srv.Client()), e.cfg.Server.PublicURL)
			p, err := oidc.NewProvider(ctx, e.cfg.Server.PublicURL)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Verifier(&oidc.Config{ClientID: "authd", Now: e.clock.Now}).Verify(ctx, v.Bearer); err != nil {
				t.Errorf("go-oidc: %v", err)
			}
			if _, err := e.gatewayVerifier(t, time.Second).Verify(context.Background(), v.Bearer); err != nil {
				t.Errorf("verifier: %v", err)
			}
		})
	}
}

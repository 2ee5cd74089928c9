package keys_test

import (
	"context"
	"crypto/rsa"
	"slices"
	"testing"
	"time"

	"github.com/authd/authd/keys"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// An algorithm beside the primary one (an app's RS256 ID tokens) gets keys of its own
// on first need, published beside the primary's, seen by every instance, rotated in
// the same steps and revoked on its own; the primary key keeps signing access tokens.
func TestAlgorithmRings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		m, clk, o := scheduled(t, st)
		es := signer(t, m)
		if got := m.Algorithms(); !slices.Equal(got, []string{"ES256"}) {
			t.Fatalf("algorithms before any need: %v", got)
		}
		if _, err := m.SigningKeyFor("RS256"); err == nil {
			t.Fatal("an RS256 key before any need")
		}
		if err := m.EnsureAlgorithm(ctx, "HS256"); err == nil {
			t.Fatal("HS256 accepted")
		}
		if err := m.EnsureAlgorithm(ctx, "RS256"); err != nil {
			t.Fatal(err)
		}
		rs, err := m.SigningKeyFor("RS256")
		if err != nil || rs.Algorithm().String() != "RS256" {
			t.Fatalf("RS256 signer: %v %v", rs, err)
		}
		var raw rsa.PrivateKey
		if err := rs.Raw(&raw); err != nil || raw.N.BitLen() != 3072 {
			t.Fatalf("RS256 key: %d bits %v", raw.N.BitLen(), err)
		}
		if signer(t, m) != es || !slices.Equal(m.Algorithms(), []string{"ES256", "RS256"}) || !published(t, m)[rs.KeyID()] || !published(t, m)[es] {
			t.Fatalf("after the RS256 ring: signer %s, algorithms %v, JWKS %v", signer(t, m), m.Algorithms(), published(t, m))
		}
		if err := m.EnsureAlgorithm(ctx, "RS256"); err != nil || len(published(t, m)) != 2 {
			t.Fatalf("a second EnsureAlgorithm made another key: %v %v", published(t, m), err)
		}
		other, err := keys.NewManager(ctx, st, secrets(t, 5), o) // another instance
		if err != nil {
			t.Fatal(err)
		}
		if k, err := other.SigningKeyFor("RS256"); err != nil || k.KeyID() != rs.KeyID() {
			t.Fatalf("the other instance's RS256 key: %v %v", k, err)
		}

		// One rotation step covers both rings.
		res, err := m.Rotate(ctx, false)
		if err != nil || res.Algorithm != "ES256" || res.Published == "" || len(res.Others) != 1 ||
			res.Others[0].Algorithm != "RS256" || res.Others[0].Published == "" {
			t.Fatalf("publish step: %+v %v", res, err)
		}
		clk.Add(21 * time.Minute)
		res, err = m.Rotate(ctx, false)
		if err != nil || res.Retired != es || len(res.Others) != 1 || res.Others[0].Retired != rs.KeyID() {
			t.Fatalf("promote step: %+v %v", res, err)
		}
		rsNow, _ := m.SigningKeyFor("RS256")
		if rsNow.KeyID() != res.Others[0].Activated || !published(t, m)[rs.KeyID()] {
			t.Fatalf("after promotion: RS256 signs with %s, JWKS %v", rsNow.KeyID(), published(t, m))
		}

		// Revoking the RS256 key replaces it within its ring only.
		esNow := signer(t, m)
		rv, err := m.Revoke(ctx, rsNow.KeyID(), models.Effects{})
		if err != nil || rv.Activated == "" {
			t.Fatalf("revoke: %+v %v", rv, err)
		}
		rsAfter, err := m.SigningKeyFor("RS256")
		if err != nil || rsAfter.KeyID() != rv.Activated || signer(t, m) != esNow || published(t, m)[rsNow.KeyID()] {
			t.Fatalf("after revoking the RS256 key: RS256 %v, ES256 %s (want %s), JWKS %v", rsAfter, signer(t, m), esNow, published(t, m))
		}
	})
}

package apikeys_test

import (
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/apikeys"
	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
)

var _ apikeys.Store = (*store.Store)(nil)

// wrongLast is v with another last character (never the one it had).
func wrongLast(v string) string {
	if strings.HasSuffix(v, "A") {
		return v[:len(v)-1] + "B"
	}
	return v[:len(v)-1] + "A"
}

// TestKeyPairLifecycle: a new pair works only once the code mailed to its owner
// verifies it; it authenticates and exchanges for an access token; deleting it stops
// the pair and every token minted from it at once on this instance.
func TestKeyPairLifecycle(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx, s := e.Ctx, e.KeyPairs
		ada := e.SignUp(t, "ada")
		k, err := s.CreateKeyPair(ctx, ada.P, "ci", 30)
		if err != nil {
			t.Fatal(err)
		}
		const ip = "192.0.2.40"
		if _, err := s.AuthenticateKeyPair(ctx, k.APIKey, k.APISecret, ip); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("unverified pair: %v, want unauthorized", err)
		}
		code := e.Mail.CodeFor(t, ada.Email, 5*time.Second)
		if err := s.VerifyKeyPair(ctx, ada.P, k.VerificationCodeID, code); err != nil {
			t.Fatalf("verify: %v", err)
		}
		p, err := s.AuthenticateKeyPair(ctx, k.APIKey, k.APISecret, ip)
		if err != nil || !p.ViaKeyPair() || p.UserID != ada.UserID || p.KeyID != k.KeyID {
			t.Fatalf("authenticate: %+v, %v", p, err)
		}
		if _, err := s.AuthenticateKeyPair(ctx, k.APIKey, wrongLast(k.APISecret), ip); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("wrong secret: %v, want unauthorized", err)
		}
		token, _, err := s.ClientCredentials(ctx, k.APIKey, k.APISecret, authn.Client{IP: ip})
		if err != nil {
			t.Fatal(err)
		}
		if tp, err := e.Authn.Authenticate(ctx, token); err != nil || tp.KeyID != k.KeyID {
			t.Fatalf("key-pair token: %+v, %v", tp, err)
		}
		if _, err := s.CreateKeyPair(ctx, p, "from a pair", 1); models.KindOf(err) != models.KindForbidden {
			t.Fatalf("a key pair creating a key pair: %v, want forbidden", err)
		}
		if err := s.DeleteKeyPair(ctx, ada.P, k.KeyID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateKeyPair(ctx, k.APIKey, k.APISecret, ip); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("deleted pair: %v, want unauthorized", err)
		}
		if _, err := e.Authn.Authenticate(ctx, token); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("token of a deleted pair: %v, want unauthorized", err)
		}
	})
}

// TestKeyPairRules: names and lifetimes are checked, and a list never shows a secret.
func TestKeyPairRules(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx, s := e.Ctx, e.KeyPairs
		ada := e.SignUp(t, "ada")
		for _, tt := range []struct {
			name string
			days int
		}{{"", 30}, {"ok", 0}, {"ok", 366}} {
			if _, err := s.CreateKeyPair(ctx, ada.P, tt.name, tt.days); models.KindOf(err) != models.KindInvalid {
				t.Errorf("name %q days %d: %v, want invalid", tt.name, tt.days, err)
			}
		}
		if _, err := s.CreateKeyPair(ctx, ada.P, "ok", 365); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListKeyPairs(ctx, ada.P)
		if err != nil || len(list) != 1 || list[0].Verified {
			t.Fatalf("list: %+v, %v", list, err)
		}
	})
}

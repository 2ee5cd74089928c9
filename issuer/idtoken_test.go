package issuer_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/authd/authd/issuer"
	"github.com/authd/authd/keys"
	"github.com/authd/authd/store/storetest"
)

// newIDIssuer is an issuer over real keys in a fresh SQLite store.
func newIDIssuer(t testing.TB) (*keys.Manager, *issuer.Issuer) {
	t.Helper()
	st := storetest.Open(t, "sqlite:"+t.TempDir()+"/authd.db")
	sec, err := keys.NewSecrets(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	km, err := keys.NewManager(context.Background(), st, sec, keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	iss, err := issuer.New(km, issuer.Options{Issuer: "https://auth.example.com", Audience: "authd",
		PendingKey: bytes.Repeat([]byte{1}, 32), RefreshKey: bytes.Repeat([]byte{2}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	return km, iss
}

// ID tokens as a relying party checks them: coreos/go-oidc verifies each algorithm's
// token against the published keys (typ JWT, the app as audience, nonce, at_hash bound
// to the access token), and the claims the scopes granted are there.
func TestIDTokensVerifyInGoOIDC(t *testing.T) {
	ctx := context.Background()
	km, iss := newIDIssuer(t)
	access, _, err := iss.MintAccess(issuer.AccessRequest{UserID: "u-1", SessionID: "s-1"})
	if err != nil {
		t.Fatal(err)
	}
	verified := true
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			if err := km.EnsureAlgorithm(ctx, alg); err != nil {
				t.Fatal(err)
			}
			authTime := time.Now().Add(-time.Minute).Truncate(time.Second)
			token, exp, err := iss.MintIDToken(issuer.IDTokenRequest{Alg: alg, ClientID: "authd_app_x", UserID: "u-1", SessionID: "s-1",
				Nonce: "n-0S6_WzA2Mj", ACR: "urn:authd:acr:email-code", AMR: []string{"otp"}, AuthTime: authTime, Lifetime: 10 * time.Minute,
				AccessToken: access, Email: "ada@example.com", EmailVerified: &verified, Name: "Ada", PreferredUsername: "ada"})
			if err != nil {
				t.Fatal(err)
			}
			if time.Until(exp) > 10*time.Minute || time.Until(exp) < 9*time.Minute {
				t.Errorf("expires %s", exp)
			}
			header, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
			var h struct{ Alg, Typ, Kid string }
			if err := json.Unmarshal(header, &h); err != nil || h.Alg != alg || h.Typ != "JWT" || h.Kid == "" {
				t.Fatalf("header %s: %v", header, err)
			}
			v := oidc.NewVerifier("https://auth.example.com", publicKeys(t, km), &oidc.Config{ClientID: "authd_app_x", SupportedSigningAlgs: []string{alg}})
			idt, err := v.Verify(ctx, token)
			if err != nil {
				t.Fatalf("go-oidc: %v", err)
			}
			if idt.Subject != "u-1" || idt.Nonce != "n-0S6_WzA2Mj" || idt.AccessTokenHash == "" {
				t.Errorf("token: %+v", idt)
			}
			if _, err := iss.VerifyAccess(token); err == nil {
				t.Error("an ID token passed for an access token")
			}
			if err := idt.VerifyAccessToken(access); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			if err := idt.VerifyAccessToken(access + "x"); err == nil {
				t.Error("at_hash matched another access token")
			}
			var c struct {
				Azp, Sid, Acr, Email, Name string
				AuthTime                   int64    `json:"auth_time"`
				EmailVerified              bool     `json:"email_verified"`
				PreferredUsername          string   `json:"preferred_username"`
				AMR                        []string `json:"amr"`
			}
			if err := idt.Claims(&c); err != nil || c.Azp != "authd_app_x" || c.Sid != "s-1" || c.AuthTime != authTime.Unix() ||
				c.Email != "ada@example.com" || !c.EmailVerified || c.PreferredUsername != "ada" || c.Acr == "" || c.AMR[0] != "otp" {
				t.Errorf("claims: %+v %v", c, err)
			}
		})
	}
	if _, _, err := iss.MintIDToken(issuer.IDTokenRequest{Alg: "RS256", UserID: "u-1", Lifetime: time.Minute}); err == nil {
		t.Error("an ID token without an app")
	}
	if _, _, err := iss.MintIDToken(issuer.IDTokenRequest{Alg: "HS256", ClientID: "c", UserID: "u-1", Lifetime: time.Minute}); err == nil {
		t.Error("an ID token under an algorithm without keys")
	}
}

// publicKeys is the JWKS as a relying party holds it.
func publicKeys(t *testing.T, km *keys.Manager) *oidc.StaticKeySet {
	t.Helper()
	body, _ := km.JWKS()
	set, err := jwk.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	var pubs []crypto.PublicKey
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		var raw any
		if err := k.Raw(&raw); err != nil {
			t.Fatal(err)
		}
		pubs = append(pubs, raw)
	}
	return &oidc.StaticKeySet{PublicKeys: pubs}
}

// Logout tokens (OpenID Connect Back-Channel Logout 1.0, 2.4) verify in go-oidc under
// each algorithm, carry the event, sid and a fresh jti each time, no nonce, and pass
// neither for an ID token hint nor for an access token; a request missing what the
// token must name is refused.
func TestLogoutTokens(t *testing.T) {
	ctx := context.Background()
	km, iss := newIDIssuer(t)
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			if err := km.EnsureAlgorithm(ctx, alg); err != nil {
				t.Fatal(err)
			}
			req := issuer.LogoutTokenRequest{Alg: alg, ClientID: "authd_app_x", UserID: "u-1", SessionID: "s-1"}
			token, err := iss.MintLogoutToken(req)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := iss.MintLogoutToken(req)
			v := oidc.NewVerifier("https://auth.example.com", publicKeys(t, km),
				&oidc.Config{ClientID: "authd_app_x", SupportedSigningAlgs: []string{alg}})
			var c, c2 struct {
				Sub, Sid, Jti string
				Nonce         *string
				Iat, Exp      int64
				Events        map[string]json.RawMessage
			}
			for tok, into := range map[string]any{token: &c, again: &c2} {
				idt, err := v.Verify(ctx, tok)
				if err != nil {
					t.Fatalf("go-oidc refuses the logout token: %v", err)
				}
				_ = idt.Claims(into)
			}
			if _, ok := c.Events[issuer.BackchannelLogoutEvent]; !ok || c.Sub != "u-1" || c.Sid != "s-1" || c.Nonce != nil ||
				c.Exp-c.Iat != 120 || c.Jti == "" || c.Jti == c2.Jti {
				t.Errorf("claims %+v (again %+v)", c, c2)
			}
			header, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
			if !strings.Contains(string(header), `"typ":"logout+jwt"`) {
				t.Errorf("header %s", header)
			}
			if _, err := iss.VerifyIDTokenHint(token); err == nil {
				t.Error("a logout token passed for an ID token hint")
			}
			if _, err := iss.VerifyAccess(token); err == nil {
				t.Error("a logout token passed for an access token")
			}
		})
	}
	if _, err := iss.MintLogoutToken(issuer.LogoutTokenRequest{Alg: "RS256", ClientID: "authd_app_x", UserID: "u-1"}); err == nil {
		t.Error("a logout token without a session was minted")
	}
}

// BenchmarkMintIDToken signs an ID token with each algorithm's active key; against
// BenchmarkRawRSASign it shows what authd adds to one RSA-2048 signature.
func BenchmarkMintIDToken(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		b.Run(alg, func(b *testing.B) {
			km, iss := newIDIssuer(b)
			if err := km.EnsureAlgorithm(context.Background(), alg); err != nil {
				b.Fatal(err)
			}
			req := issuer.IDTokenRequest{Alg: alg, ClientID: "authd_app_x", UserID: "u-1", SessionID: "s-1", Nonce: "n",
				AuthTime: time.Now(), Lifetime: time.Hour}
			for b.Loop() {
				if _, _, err := iss.MintIDToken(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRawRSASign is the floor of an RS256 ID token: one PKCS #1 v1.5 signature
// with a key of authd's size (3072 bits, THREATS.md), straight from crypto/rsa.
func BenchmarkRawRSASign(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("header.payload"))
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

package verifier

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	authdclaims "github.com/authd/authd/claims"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// The targets are ratios within one run: cold verification (a signature check) at
// least 70% of RawECDSAVerify's rate, warm (cache hit) at least 10 times it.

var benchNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// benchVerifier is a Verifier over one in-memory key, its feed fresh, and a token.
func benchVerifier(b testing.TB, cacheSize int) (*Verifier, string, *ecdsa.PrivateKey) {
	b.Helper()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := jwk.FromRaw(&priv.PublicKey)
	_ = pub.Set(jwk.KeyIDKey, "k1")
	_ = pub.Set(jwk.AlgorithmKey, jwa.ES256)
	o := withDefaults(Options{Issuer: "https://auth.example.com", Audience: "authd", CacheSize: cacheSize,
		Now: func() time.Time { return benchNow }})
	v := newVerifier(o, "", "")
	v.keys.keys, v.keys.fetched = map[string]jwk.Key{"k1": pub}, benchNow
	v.feed.readAt = benchNow
	claims, _ := json.Marshal(map[string]any{"iss": o.Issuer, "sub": "u1", "aud": "authd", "sid": "s1", "jti": "j1",
		"iat": benchNow.Unix(), "nbf": benchNow.Unix(), "exp": benchNow.Add(15 * time.Minute).Unix(), "roles": []string{"user"}})
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "at+jwt")
	_ = hdr.Set(jws.KeyIDKey, "k1")
	signed, err := jws.Sign(claims, jws.WithKey(jwa.ES256, priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		b.Fatal(err)
	}
	return v, lowS(string(signed)), priv
}

// lowS respells an ES256 token with its signature's low s, the only form verified
// (jws.Sign leaves s as ECDSA drew it).
func lowS(token string) string {
	i := strings.LastIndexByte(token, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(token[i+1:])
	authdclaims.LowS(sig)
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

func BenchmarkVerifyCold(b *testing.B) {
	v, tok, _ := benchVerifier(b, -1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyWarm(b *testing.B) {
	v, tok, _ := benchVerifier(b, 0)
	ctx := context.Background()
	if _, err := v.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawECDSAVerify(b *testing.B) {
	_, tok, priv := benchVerifier(b, -1)
	i := strings.LastIndexByte(tok, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(tok[i+1:])
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	input := []byte(tok[:i])
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(input)
		if !ecdsa.Verify(&priv.PublicKey, d[:], r, s) {
			b.Fatal("bad signature")
		}
	}
}

// TestBenchSetupVerifies keeps the benchmark fixture honest in ordinary test runs.
func TestBenchSetupVerifies(t *testing.T) {
	v, tok, _ := benchVerifier(t, -1)
	c, err := v.Verify(context.Background(), tok)
	if err != nil || c.Subject != "u1" || c.SessionID != "s1" {
		t.Fatalf("fixture: %+v %v", c, err)
	}
	if _, err := v.Verify(context.Background(), tok[:len(tok)-2]+"AA"); err == nil {
		t.Error("a tampered signature verified")
	}
}

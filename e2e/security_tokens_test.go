package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	authdclaims "github.com/authd/authd/claims"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// signWithServerKey signs header and claims, exactly as given, with authd's own
// active key (ES256 in tests), so a refusal can only come from the claim or header
// being checked, not from the signature.
func (e *env) signWithServerKey(t *testing.T, hdr map[string]any, claims map[string]any) string {
	t.Helper()
	key, err := e.app.Keys.SigningKey()
	if err != nil {
		t.Fatal(err)
	}
	var priv ecdsa.PrivateKey
	if err := key.Raw(&priv); err != nil {
		t.Fatalf("tests expect an ES256 signing key: %v", err)
	}
	return unsigned(hdr, claims, es256Signer(&priv))
}

func es256Signer(priv *ecdsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		d := sha256.Sum256(in)
		r, s, _ := ecdsa.Sign(rand.Reader, priv, d[:])
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		authdclaims.LowS(out) // the one spelling authd accepts
		return out
	}
}

// splitToken returns a compact token's segments and its decoded header and claims.
func splitToken(token string) (parts []string, hdr, claims map[string]any) {
	parts = strings.Split(token, ".")
	rawH, _ := base64.RawURLEncoding.DecodeString(parts[0])
	rawC, _ := base64.RawURLEncoding.DecodeString(parts[1])
	_ = json.Unmarshal(rawH, &hdr)
	_ = json.Unmarshal(rawC, &claims)
	return parts, hdr, claims
}

// rawClaims is the claims segment of parts, decoded but not parsed.
func rawClaims(parts []string) []byte {
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	return b
}

func dropNil(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

func unsigned(hdr, claims map[string]any, sign func([]byte) []byte) string {
	h, _ := json.Marshal(dropNil(hdr))
	c, _ := json.Marshal(dropNil(claims))
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	if sign == nil {
		return in + "."
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sign([]byte(in)))
}

// TestSecurityTokenAttacks runs THREATS.md's gateway-token cases (A1-A19) against
// the real router, with tokens signed by authd's own key where the attack is in the
// claims: GET /session and the forward-auth GET /check refuse each with the one 401,
// and no key URL named in a token is ever fetched.
func TestSecurityTokenAttacks(t *testing.T) {
	var fetched atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fetched.Add(1) }))
	defer evil.Close()
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		parts, hdr, claims := splitToken(v.Bearer)
		now := e.clock.Now()
		sign := func(h, c map[string]any) string { return e.signWithServerKey(t, h, c) }
		if r := e.req("GET", "/session", nil, bearer(sign(hdr, claims))...); r.Status != 200 {
			t.Fatalf("the re-signed original must pass, or the cases below prove nothing: %d", r.Status)
		}
		pub, _ := e.app.Keys.VerificationKey(hdr["kid"].(string))
		pubJSON, _ := json.Marshal(pub)
		hs := func(key []byte) func([]byte) []byte {
			return func(in []byte) []byte { m := hmac.New(sha256.New, key); m.Write(in); return m.Sum(nil) }
		}
		attacker, _ := jwk.FromRaw([]byte("attacker-chosen-hmac-secret-0123456789"))
		cases := map[string]string{
			"A1 alg none":                 unsigned(withKV(hdr, "alg", "none"), claims, nil),
			"A1 alg nOnE":                 unsigned(withKV(hdr, "alg", "nOnE"), claims, nil),
			"A2 HS256 keyed with the JWK": unsigned(withKV(hdr, "alg", "HS256"), claims, hs(pubJSON)),
			"A4 tampered roles":           parts[0] + "." + unsigned(hdr, withKV(claims, "roles", []string{"admin"}), nil)[len(parts[0])+1:] + parts[2],
			"A5 signature removed":        parts[0] + "." + parts[1] + ".",
			"A6 expired":                  sign(hdr, withKV(claims, "exp", now.Add(-time.Hour).Unix())),
			"A7 not yet valid":            sign(hdr, withKV(claims, "nbf", now.Add(time.Hour).Unix())),
			"A7 issued in the future":     sign(hdr, withKV(claims, "iat", now.Add(time.Hour).Unix())),
			"A8 exp missing":              sign(hdr, withKV(claims, "exp", nil)),
			"A9 wrong iss":                sign(hdr, withKV(claims, "iss", "https://evil.example")),
			"A9 iss missing":              sign(hdr, withKV(claims, "iss", nil)),
			"A10 wrong aud":               sign(hdr, withKV(claims, "aud", "another-api")),
			"A10 aud missing":             sign(hdr, withKV(claims, "aud", nil)),
			"A11 typ JWT":                 sign(withKV(hdr, "typ", "JWT"), claims),
			"A11 typ missing":             sign(withKV(hdr, "typ", nil), claims),
			"A12 unknown kid":             sign(withKV(hdr, "kid", "no-such-kid"), claims),
			"A13 kid path traversal":      sign(withKV(hdr, "kid", "../../etc/passwd"), claims),
			"A13 kid SQL":                 sign(withKV(hdr, "kid", "' OR '1'='1"), claims),
			"A14 jku to attacker":         foreignSigned(t, withKV(hdr, "kid", "attacker", "jku", evil.URL+"/jwks", "x5u", evil.URL+"/x5u"), claims),
			"A14 embedded jwk":            unsigned(withKV(hdr, "alg", "HS256", "jwk", attacker), claims, hs([]byte("attacker-chosen-hmac-secret-0123456789"))),
			"A15 JWE form":                "a.b.c.d.e",
			"A16 100 KB token":            v.Bearer + strings.Repeat("A", 100<<10),
			"A17 expired and forged":      unsigned(withKV(hdr, "alg", "HS256"), withKV(claims, "exp", now.Add(-time.Hour).Unix()), hs([]byte("x"))),
			"A18 duplicate sub":           parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(rawClaims(parts)), `{`, `{"sub":"someone-else",`, 1))) + "." + parts[2],
		}
		for name, tok := range cases {
			t.Run(name, func(t *testing.T) {
				for _, path := range []string{"/session", "/check"} {
					r := e.req("GET", path, nil, bearer(tok)...)
					wantStatus(t, r, 401)
					if r.Header.Get("x-error") != "invalid or expired token" {
						t.Errorf("on %s: x-error %q", path, r.Header.Get("x-error"))
					}
					assertNoLeak(t, r)
				}
			})
		}
		// A19: a token is accepted from the Authorization header only.
		wantStatus(t, e.req("GET", "/session?access_token="+v.Bearer, nil), 401)
		wantStatus(t, e.req("GET", "/session", nil, "Cookie", "access_token="+v.Bearer), 401)
		if n := fetched.Load(); n != 0 {
			t.Fatalf("authd fetched a key URL named in a token %d times", n)
		}
	})
}

// foreignSigned signs with a fresh ES256 key authd never issued.
func foreignSigned(t *testing.T, hdr, claims map[string]any) string {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return unsigned(withKV(hdr, "alg", "ES256"), claims, es256Signer(priv))
}

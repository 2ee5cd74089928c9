package issuer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	authdclaims "github.com/authd/authd/claims"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/authd/authd/models"
)

// staticKeys is a KeySource over one generated P-256 key: the issuer's own boundary,
// not a stand-in for storage.
type staticKeys struct {
	priv    *ecdsa.PrivateKey
	private jwk.Key
	public  jwk.Key
}

const testKID = "kid-1"

func newStaticKeys(t testing.TB) *staticKeys {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	private, _ := jwk.FromRaw(priv)
	public, _ := jwk.FromRaw(&priv.PublicKey)
	for _, k := range []jwk.Key{private, public} {
		_ = k.Set(jwk.KeyIDKey, testKID)
		_ = k.Set(jwk.AlgorithmKey, jwa.ES256)
	}
	return &staticKeys{priv: priv, private: private, public: public}
}

func (s *staticKeys) SigningKey() (jwk.Key, error) { return s.private, nil }
func (s *staticKeys) SigningKeyFor(alg string) (jwk.Key, error) {
	if alg != "ES256" {
		return nil, fmt.Errorf("no %s key", alg)
	}
	return s.private, nil
}
func (s *staticKeys) VerificationKey(kid string) (jwk.Key, bool) {
	if kid == testKID {
		return s.public, true
	}
	return nil, false
}

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type fixture struct {
	iss   *Issuer
	keys  *staticKeys
	clock *time.Time
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	now := t0
	ks := newStaticKeys(t)
	iss, err := New(ks, Options{Issuer: "https://auth.example.com", Audience: "authd", PendingKey: make([]byte, 32), RefreshKey: []byte(strings.Repeat("r", 32)),
		Leeway: 30 * time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{iss: iss, keys: ks, clock: &now}
}

func (f fixture) mint(t testing.TB) string {
	t.Helper()
	tok, _, err := f.iss.MintAccess(AccessRequest{UserID: "u1", SessionID: "s1", Roles: []string{"user"},
		Groups: []string{"public"}, Verified: true, AMR: []string{"otp"}})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestMintThenVerify(t *testing.T) {
	f := newFixture(t)
	tok, exp, err := f.iss.MintAccess(AccessRequest{UserID: "u1", SessionID: "s1", Roles: []string{"user", "admin"},
		Groups: []string{"public"}, Verified: true, AMR: []string{"otp"}})
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(t0.Add(15 * time.Minute)) {
		t.Errorf("exp = %v", exp)
	}
	c, err := f.iss.VerifyAccess(tok)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if c.Subject != "u1" || c.SessionID != "s1" || c.TokenID == "" || !c.Verified ||
		strings.Join(c.Roles, ",") != "user,admin" || strings.Join(c.Groups, ",") != "public" ||
		strings.Join(c.AMR, ",") != "otp" || !c.IssuedAt.Equal(t0) || !c.ExpiresAt.Equal(exp) {
		t.Errorf("claims: %+v", c)
	}
	hdr := segment(t, tok, 0)
	if hdr["typ"] != "at+jwt" || hdr["kid"] != testKID || hdr["alg"] != "ES256" {
		t.Errorf("header: %v", hdr)
	}
	claims := segment(t, tok, 1)
	for _, k := range []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "sid", "roles", "groups", "verified", "amr"} {
		if _, ok := claims[k]; !ok {
			t.Errorf("claim %s missing", k)
		}
	}
	if claims["aud"] != "authd" {
		t.Errorf("aud = %v, want the string authd", claims["aud"])
	}
}

func segment(t testing.TB, tok string, i int) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func b64(v any) string {
	raw, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// forge builds a compact JWS from a header and claims, signed by sign (nil: no signature).
func forge(header, claims map[string]any, sign func(input []byte) []byte) string {
	input := b64(header) + "." + b64(claims)
	sig := ""
	if sign != nil {
		sig = base64.RawURLEncoding.EncodeToString(sign([]byte(input)))
	}
	return input + "." + sig
}

func es256(priv *ecdsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		d := sha256.Sum256(in)
		r, s, _ := ecdsa.Sign(rand.Reader, priv, d[:])
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		authdclaims.LowS(out) // the one spelling accepted; a high s is its own test
		return out
	}
}

func validClaims(now time.Time) map[string]any {
	return map[string]any{"iss": "https://auth.example.com", "sub": "u1", "aud": "authd", "sid": "s1", "jti": "j1",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(15 * time.Minute).Unix()}
}

func validHeader() map[string]any {
	return map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": testKID}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func TestVerifyRefusesForgeries(t *testing.T) {
	f := newFixture(t)
	good := f.mint(t)
	parts := strings.Split(good, ".")
	ours := es256(f.keys.priv)
	attacker, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	pubDER, _ := x509.MarshalPKIXPublicKey(&f.keys.priv.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	pubJWK, _ := json.Marshal(f.keys.public)
	hs256 := func(key []byte) func([]byte) []byte {
		return func(in []byte) []byte { m := hmac.New(sha256.New, key); m.Write(in); return m.Sum(nil) }
	}
	attackerJWK, _ := jwk.FromRaw(&attacker.PublicKey)
	now := t0
	c := validClaims(now)
	h := validHeader()

	cases := map[string]string{
		"alg none":                     forge(with(h, "alg", "none"), c, nil),
		"alg None":                     forge(with(h, "alg", "None"), c, nil),
		"alg NONE":                     forge(with(h, "alg", "NONE"), c, nil),
		"alg nOnE":                     forge(with(h, "alg", "nOnE"), c, nil),
		"empty signature":              parts[0] + "." + parts[1] + ".",
		"signature stripped":           parts[0] + "." + parts[1],
		"garbage signature":            parts[0] + "." + parts[1] + ".!!!",
		"truncated signature":          parts[0] + "." + parts[1] + "." + parts[2][:20],
		"HS256 with the public PEM":    forge(with(h, "alg", "HS256"), c, hs256(pubPEM)),
		"HS256 with the public JWK":    forge(with(h, "alg", "HS256"), c, hs256(pubJWK)),
		"RS256 under our kid":          forge(with(h, "alg", "RS256"), c, rs256(rsaKey)),
		"ES384 under our kid":          forge(with(h, "alg", "ES384"), c, es384(p384)),
		"tampered sub":                 parts[0] + "." + b64(with(c, "sub", "admin-user")) + "." + parts[2],
		"tampered roles":               parts[0] + "." + b64(with(c, "roles", []string{"admin"})) + "." + parts[2],
		"foreign key, unknown kid":     forge(with(h, "kid", "attacker"), c, es256(attacker)),
		"foreign key under our kid":    forge(h, c, es256(attacker)),
		"embedded jwk header":          forge(with(h, "kid", "attacker", "jwk", attackerJWK), c, es256(attacker)),
		"jku header":                   forge(with(h, "kid", "attacker", "jku", "https://evil.example/jwks"), c, es256(attacker)),
		"kid missing":                  forge(with(h, "kid", nil), c, ours),
		"kid not a string":             forge(with(h, "kid", 7), c, ours),
		"kid path traversal":           forge(with(h, "kid", "../../etc/passwd"), c, ours),
		"kid SQL":                      forge(with(h, "kid", "' OR '1'='1"), c, ours),
		"kid 10KB":                     forge(with(h, "kid", strings.Repeat("k", 10000)), c, ours),
		"typ missing":                  forge(with(h, "typ", nil), c, ours),
		"typ JWT":                      forge(with(h, "typ", "JWT"), c, ours),
		"crit header":                  forge(with(h, "crit", []string{"exp"}), c, ours),
		"wrong iss":                    forge(h, with(c, "iss", "https://evil.example"), ours),
		"missing iss":                  forge(h, with(c, "iss", nil), ours),
		"wrong aud":                    forge(h, with(c, "aud", "other"), ours),
		"missing aud":                  forge(h, with(c, "aud", nil), ours),
		"aud array with others":        forge(h, with(c, "aud", []string{"authd", "other"}), ours),
		"aud of wrong type":            forge(h, with(c, "aud", 42), ours),
		"exp missing":                  forge(h, with(c, "exp", nil), ours),
		"expired beyond leeway":        forge(h, with(c, "exp", now.Add(-31*time.Second).Unix()), ours),
		"expired and badly signed":     forge(h, with(c, "exp", now.Add(-time.Hour).Unix()), es256(attacker)),
		"nbf in the future":            forge(h, with(c, "nbf", now.Add(time.Minute).Unix()), ours),
		"iat in the future":            forge(h, with(c, "iat", now.Add(time.Minute).Unix()), ours),
		"no sid":                       forge(h, with(c, "sid", nil), ours),
		"JWE five segments":            "a.b.c.d.e",
		"JSON serialization":           `{"payload":"` + parts[1] + `","signatures":[]}`,
		"whitespace":                   parts[0] + " ." + parts[1] + "." + parts[2],
		"oversize":                     good + strings.Repeat("A", 9000),
		"pending credential as access": mustPending(t, f.iss),
		"empty":                        "",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := f.iss.VerifyAccess(tok)
			var e *models.Error
			if !errors.As(err, &e) || e.Kind != models.KindUnauthorized || e.Public != "invalid or expired token" {
				t.Fatalf("got %v, want the one unauthorized error", err)
			}
		})
	}
	t.Run("expired and badly signed is reported as a bad signature", func(t *testing.T) {
		_, err := f.iss.VerifyAccess(cases["expired and badly signed"])
		if err == nil || !strings.Contains(errors.Unwrap(err).Error(), "signature") {
			t.Errorf("cause = %v, want a signature failure", err)
		}
	})
}

func TestVerifyTimeBoundaries(t *testing.T) {
	f := newFixture(t)
	ours := es256(f.keys.priv)
	now := t0
	cases := []struct {
		name string
		exp  time.Time
		ok   bool
	}{
		{"ok/within leeway", now.Add(-29 * time.Second), true},
		{"fail/exactly at exp plus leeway", now.Add(-30 * time.Second), false},
		{"ok/aud array of one", now.Add(time.Minute), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			claims := with(validClaims(now), "exp", c.exp.Unix())
			if strings.Contains(c.name, "array") {
				claims["aud"] = []string{"authd"}
			}
			_, err := f.iss.VerifyAccess(forge(validHeader(), claims, ours))
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func rs256(k *rsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		d := sha256.Sum256(in)
		sig, _ := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, d[:])
		return sig
	}
}

func es384(k *ecdsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		d := sha512.Sum384(in)
		r, s, _ := ecdsa.Sign(rand.Reader, k, d[:])
		out := make([]byte, 96)
		r.FillBytes(out[:48])
		s.FillBytes(out[48:])
		return out
	}
}

func mustPending(t testing.TB, iss *Issuer) string {
	t.Helper()
	p, err := iss.MintPending(Pending{SessionID: "s1", IP: "192.0.2.1", UserAgent: "ua", ExpiresAt: t0.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPendingCredential(t *testing.T) {
	f := newFixture(t)
	tok := mustPending(t, f.iss)
	if !IsPending(tok) || strings.Count(tok, ".") != 1 {
		t.Fatalf("pending credential shape: %s", tok)
	}
	p, err := f.iss.VerifyPending(tok)
	if err != nil || p.SessionID != "s1" || p.IP != "192.0.2.1" || p.UserAgent != "ua" || !p.ExpiresAt.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("VerifyPending: %+v %v", p, err)
	}
	body, sig, _ := strings.Cut(tok, ".")
	other, _ := New(f.keys, Options{Issuer: "i", Audience: "a", PendingKey: []byte(strings.Repeat("x", 32)), RefreshKey: []byte(strings.Repeat("r", 32)), Now: func() time.Time { return t0 }})
	forged, _ := other.MintPending(Pending{SessionID: "s1", ExpiresAt: t0.Add(time.Hour)})
	for name, bad := range map[string]string{
		"tampered payload": "pnd_" + b64(map[string]any{"sid": "s2", "exp": t0.Add(time.Hour).Unix()}) + "." + sig,
		"tampered MAC":     body + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 32)),
		"no MAC":           body,
		"other key":        forged,
		"access token":     f.mint(t),
		"oversize":         tok + strings.Repeat("A", 9000),
	} {
		if _, err := f.iss.VerifyPending(bad); models.KindOf(err) != models.KindUnauthorized {
			t.Errorf("%s: got %v", name, err)
		}
	}
	*f.clock = t0.Add(10 * time.Minute)
	if _, err := f.iss.VerifyPending(tok); err == nil {
		t.Error("expired pending credential accepted")
	}
}

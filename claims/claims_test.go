package claims

import (
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	at := func(d time.Duration) *int64 { v := now.Add(d).Unix(); return &v }
	aud := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	good := func() Wire {
		return Wire{Iss: "https://auth.example.com", Sub: "u", Aud: aud("authd"), Exp: at(time.Minute), Iat: at(0), Nbf: at(0), Sid: "s"}
	}
	e := Expect{Issuer: "https://auth.example.com", Audience: "authd", Leeway: 30 * time.Second,
		MaxLifetime: 15*time.Minute + 30*time.Second}
	for _, c := range []struct {
		name string
		edit func(*Wire)
		ok   bool
	}{
		{"ok", func(*Wire) {}, true},
		{"ok/key-pair token", func(w *Wire) { w.Sid, w.Azp = "", "k" }, true},
		{"ok/aud array of ours alone", func(w *Wire) { w.Aud = aud([]string{"authd"}) }, true},
		{"ok/expired within leeway", func(w *Wire) { w.Exp = at(-29 * time.Second) }, true},
		{"fail/expired past leeway", func(w *Wire) { w.Exp = at(-30 * time.Second) }, false},
		{"fail/no exp", func(w *Wire) { w.Exp = nil }, false},
		{"fail/wrong iss", func(w *Wire) { w.Iss = "https://evil.example.com" }, false},
		{"fail/wrong aud", func(w *Wire) { w.Aud = aud("other") }, false},
		{"fail/aud array with others", func(w *Wire) { w.Aud = aud([]string{"authd", "other"}) }, false},
		{"fail/aud of another type", func(w *Wire) { w.Aud = aud(7) }, false},
		{"fail/nbf in the future", func(w *Wire) { w.Nbf = at(31 * time.Second) }, false},
		{"fail/iat in the future", func(w *Wire) { w.Iat = at(31 * time.Second) }, false},
		{"fail/both sid and azp", func(w *Wire) { w.Azp = "k" }, false},
		{"fail/neither sid nor azp", func(w *Wire) { w.Sid = "" }, false},
		{"fail/no sub", func(w *Wire) { w.Sub = "" }, false},
		{"ok/lifetime the server gives", func(w *Wire) { w.Exp = at(15*time.Minute + 30*time.Second) }, true},
		{"fail/ten-year token", func(w *Wire) { w.Exp = at(10 * 365 * 24 * time.Hour) }, false},
		{"fail/no iat with a lifetime bound", func(w *Wire) { w.Iat = nil }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := good()
			c.edit(&w)
			if err := w.Check(e, now); (err == nil) != c.ok {
				t.Fatalf("Check = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func TestParseHeader(t *testing.T) {
	seg := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	es := seg(map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": "k"})
	low := make([]byte, 64)
	low[0], low[63] = 1, 1 // r = 2^248, s = 1
	high := append([]byte(nil), low...)
	new(big.Int).Sub(elliptic.P256().Params().N, big.NewInt(1)).FillBytes(high[32:]) // s = n - 1
	sig := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	for _, c := range []struct {
		name, token string
		ok          bool
	}{
		{"ok", es + ".e30." + sig(low), true},
		{"ok/EdDSA has no s to flip", seg(map[string]any{"alg": "EdDSA", "typ": "at+jwt", "kid": "k"}) + ".e30.sig", true},
		{"fail/high-S", es + ".e30." + sig(high), false},
		{"fail/short ECDSA signature", es + ".e30.sig", false},
		{"fail/padding", es + ".e30=." + sig(low), false},
		{"fail/stray bits (e31 decodes as e30 by a lax decoder)", es + ".e31." + sig(low), false},
		{"fail/line break", es + ".e3\n0." + sig(low), false},
		{"fail/typ JWT", seg(map[string]any{"alg": "ES256", "typ": "JWT", "kid": "k"}) + ".e30.sig", false},
		{"fail/no kid", seg(map[string]any{"alg": "ES256", "typ": "at+jwt"}) + ".e30.sig", false},
		{"fail/crit", seg(map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": "k", "crit": []string{"x"}}) + ".e30.sig", false},
		{"fail/two segments", "a.b", false},
		{"fail/JSON serialization", `{"payload":"e30"}.x.y`, false},
		{"fail/garbage header", "!!.e30.sig", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ParseHeader(c.token); (err == nil) != c.ok {
				t.Fatalf("ParseHeader = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func TestLowS(t *testing.T) {
	n := elliptic.P256().Params().N
	sig := make([]byte, 64)
	sig[0] = 1
	new(big.Int).Sub(n, big.NewInt(5)).FillBytes(sig[32:])
	LowS(sig)
	if got := new(big.Int).SetBytes(sig[32:]); got.Cmp(big.NewInt(5)) != 0 || sig[0] != 1 {
		t.Fatalf("LowS left s = %s (r byte %d), want 5", got, sig[0])
	}
	LowS(sig) // already low: unchanged
	if got := new(big.Int).SetBytes(sig[32:]); got.Cmp(big.NewInt(5)) != 0 {
		t.Fatalf("LowS changed a low s to %s", got)
	}
}

package issuer

import (
	"strings"
	"testing"
	"time"
)

// FuzzVerifyAccess: no input panics, and whatever passes is a token this issuer
// minted (same subject and ID): a mutation can at most re-encode a valid token.
func FuzzVerifyAccess(f *testing.F) {
	fx := newFixture(f)
	valid := fx.mint(f)
	hdr, rest, _ := strings.Cut(valid, ".")
	for _, seed := range []string{valid, valid + ".", hdr + "." + rest[:len(rest)/2], "", "a.b.c", "..",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSJ9.", strings.Repeat("A", 9000), `{"payload":"x"}`,
		hdr + ".eyJzdWIiOiJhZG1pbiJ9." + strings.Split(valid, ".")[2]} {
		f.Add(seed)
	}
	want, err := fx.iss.VerifyAccess(valid)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := fx.iss.VerifyAccess(token)
		if err != nil {
			return
		}
		if c.Subject != want.Subject || c.TokenID != want.TokenID || c.SessionID != want.SessionID {
			t.Fatalf("accepted a token this issuer did not mint: %q -> %+v", token, c)
		}
	})
}

// FuzzVerifyPending: pending credentials are HMAC-checked before anything in them is
// believed; no input panics and no forgery passes.
func FuzzVerifyPending(f *testing.F) {
	fx := newFixture(f)
	valid, err := fx.iss.MintPending(Pending{SessionID: "s1", IP: "192.0.2.1", UserAgent: "ua", ExpiresAt: t0.Add(time.Minute)})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{valid, valid[:len(valid)-1], pendingPrefix, pendingPrefix + "x.y", "", strings.Repeat("p", 5000)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		p, err := fx.iss.VerifyPending(token)
		if err == nil && p.SessionID != "s1" {
			t.Fatalf("accepted a forged pending credential: %q -> %+v", token, p)
		}
	})
}

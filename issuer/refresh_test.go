package issuer

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestRefreshTokens(t *testing.T) {
	f := newFixture(t)
	sid := uuid.NewString()
	r0, err := f.iss.NewRefresh(sid)
	if err != nil {
		t.Fatal(err)
	}
	tok := r0.String()
	if !strings.HasPrefix(tok, "rft_") || len(tok) != 4+75 {
		t.Fatalf("refresh token %q", tok)
	}
	back, ok := ParseRefresh(tok)
	if !ok || back.SessionID != sid || back.Gen != 0 || !back.Matches(r0.Hash()) {
		t.Fatalf("round trip: %+v %v", back, ok)
	}
	if other, _ := f.iss.NewRefresh(sid); other.String() == tok || other.Matches(r0.Hash()) {
		t.Error("two chains of one session share a token")
	}
	// The chain: deterministic (a retry recomputes the same token), one generation on.
	r1, r1again := f.iss.NextRefresh(r0), f.iss.NextRefresh(back)
	if r1.Gen != 1 || r1.String() != r1again.String() || r1.Matches(r0.Hash()) {
		t.Fatalf("next: %+v", r1)
	}
	r3 := f.iss.NextRefresh(f.iss.NextRefresh(r1))
	if !f.iss.Leads(r0, 3, r3.Hash()) || !f.iss.Leads(r1, 3, r3.Hash()) {
		t.Error("an older token of the chain is not recognised")
	}
	for name, bad := range map[string]func() bool{
		"same generation":   func() bool { return f.iss.Leads(r3, 3, r3.Hash()) },
		"another chain":     func() bool { o, _ := f.iss.NewRefresh(sid); return f.iss.Leads(o, 3, r3.Hash()) },
		"too far back":      func() bool { return f.iss.Leads(r0, MaxRefreshWalk+1, r3.Hash()) },
		"another chain key": func() bool { return otherKey(t, f).Leads(r0, 3, r3.Hash()) },
	} {
		if bad() {
			t.Errorf("%s: recognised as an older token", name)
		}
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	for name, s := range map[string]string{
		"legacy":    "rft_" + strings.Repeat("A", 43),
		"no prefix": strings.TrimPrefix(tok, "rft_"),
		"short":     tok[:len(tok)-1],
		"padded":    tok + "=",
		// Same bytes, another spelling (the unused low bits of the last character set).
		"non-canonical": tok[:len(tok)-1] + string(alphabet[last^1]),
	} {
		if _, ok := ParseRefresh(s); ok {
			t.Errorf("%s: parsed", name)
		}
	}
	if !IsLegacyRefresh("rft_"+strings.Repeat("A", 43)) || IsLegacyRefresh(tok) {
		t.Error("legacy detection")
	}
	if l := f.iss.NextFromLegacy(sid, "rft_"+strings.Repeat("A", 43)); l.Gen != 1 || l.SessionID != sid {
		t.Errorf("legacy successor: %+v", l)
	}
}

func otherKey(t *testing.T, f fixture) *Issuer {
	t.Helper()
	other, err := New(f.keys, Options{Issuer: "i", Audience: "a", PendingKey: make([]byte, 32), RefreshKey: []byte(strings.Repeat("o", 32))})
	if err != nil {
		t.Fatal(err)
	}
	return other
}

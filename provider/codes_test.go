package provider

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/authd/authd/models"
)

func TestNewCode(t *testing.T) {
	a, ha, err := NewCode(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := NewCode(rand.Reader)
	if len(a) != 43 || a == b || !bytes.Equal(ha, HashCode(a)) || bytes.Equal(ha, []byte(a)) {
		t.Fatalf("codes %q %q", a, b)
	}
	if _, _, err := NewCode(strings.NewReader("short")); err == nil {
		t.Error("a short read made a code")
	}
}

func TestCheckExchange(t *testing.T) {
	// The challenge computed apart from this code: printf %s VERIFIER | openssl dgst
	// -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
	const verifier, challenge = "dBjftJeZ4CVP-mJ0kCwHkUo5dB5n1VDsNqJd9IZVlRM", "54eyZpKgVuTSmkBHAy-j_khwE9e38WrcBbYgakUd9cw"
	done := &models.AuthRequest{ClientID: "app", RedirectURI: "https://a.example.com/cb", CodeChallenge: challenge,
		CodeChallengeMethod: "S256", UserID: "u-1"}
	noPKCE := &models.AuthRequest{ClientID: "app", RedirectURI: "https://a.example.com/cb", UserID: "u-1"}
	pending := &models.AuthRequest{ClientID: "app", RedirectURI: "https://a.example.com/cb"}
	for name, tc := range map[string]struct {
		r                       *models.AuthRequest
		first                   bool
		client, redirect, verif string
		ok, replay              bool
	}{
		"the right verifier":         {done, true, "app", "https://a.example.com/cb", verifier, true, false},
		"a replay":                   {done, false, "app", "https://a.example.com/cb", verifier, false, true},
		"another client":             {done, true, "other", "https://a.example.com/cb", verifier, false, false},
		"another redirect":           {done, true, "app", "https://a.example.com/cb2", verifier, false, false},
		"no verifier":                {done, true, "app", "https://a.example.com/cb", "", false, false},
		"a wrong verifier":           {done, true, "app", "https://a.example.com/cb", strings.Repeat("a", 43), false, false},
		"the challenge as verifier":  {done, true, "app", "https://a.example.com/cb", challenge, false, false},
		"a short verifier":           {done, true, "app", "https://a.example.com/cb", "abc", false, false},
		"a verifier with spaces":     {done, true, "app", "https://a.example.com/cb", verifier[:42] + " ", false, false},
		"no PKCE, no verifier":       {noPKCE, true, "app", "https://a.example.com/cb", "", true, false},
		"no PKCE, a verifier anyway": {noPKCE, true, "app", "https://a.example.com/cb", verifier, false, false},
		"nobody logged in":           {pending, true, "app", "https://a.example.com/cb", "", false, false},
	} {
		err := CheckExchange(tc.r, tc.first, tc.client, tc.redirect, tc.verif)
		var ee *ExchangeError
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: %v", name, err)
		case !tc.ok && (!errors.As(err, &ee) || ee.Replay != tc.replay):
			t.Errorf("%s: %v, want invalid_grant (replay %v)", name, err, tc.replay)
		}
	}
}

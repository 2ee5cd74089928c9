package authn

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"
)

// The keyed hash is the one stored secrets were made with (API secrets since their
// first release): HMAC-SHA256 over domain, ID and secret joined by NUL bytes.
func TestCredentialHashKeepsItsFormat(t *testing.T) {
	pepper := []byte("pepper")
	m := hmac.New(sha256.New, pepper)
	m.Write([]byte("authd-secret/v1\x00authd_ak_x\x00authd_sk_y"))
	if got := CredentialHash(pepper, "authd-secret/v1", "authd_ak_x", "authd_sk_y"); !bytes.Equal(got, m.Sum(nil)) {
		t.Fatal("the stored-secret hash changed: every existing API secret would stop working")
	}
	if bytes.Equal(CredentialHash(pepper, "authd-secret/v1", "a", "b"), CredentialHash(pepper, "authd-client-secret/v1", "a", "b")) {
		t.Error("two domains hash alike")
	}
}

func TestNewCredentialShape(t *testing.T) {
	v, err := NewCredential(strings.NewReader(strings.Repeat("x", 32)), "authd_cs_", 32)
	if err != nil || !WellFormedCredential(v, "authd_cs_", 32) || WellFormedCredential(v, "authd_sk_", 32) || WellFormedCredential(v[:len(v)-1], "authd_cs_", 32) {
		t.Fatalf("credential %q: %v", v, err)
	}
	if _, err := NewCredential(strings.NewReader("short"), "p_", 32); err == nil {
		t.Error("a short read made a credential")
	}
}

// TestWellFormedCredential: only the prefix and base64url of the right length pass, so
// a NUL, a byte that is not UTF-8 or standard base64's +/= never reach a lookup.
func TestWellFormedCredential(t *testing.T) {
	good := "authd_app_" + strings.Repeat("A", 21) + "w" // 16 bytes are 22 characters
	for _, c := range []struct {
		v    string
		want bool
	}{
		{good, true},
		{"authd_app_abcdefghijklmnopqrstu-", true},
		{"authd_app_abcdefghijklmnopqrstu_", true},
		{good[:len(good)-1], false},
		{good + "A", false},
		{"authd_ap_" + strings.Repeat("A", 23), false},
		{"authd_app_" + strings.Repeat("A", 21) + "\x00", false},
		{"authd_app_" + strings.Repeat("A", 21) + "\xff", false},
		{"authd_app_" + strings.Repeat("A", 21) + "+", false},
		{"authd_app_" + strings.Repeat("A", 21) + "/", false},
		{"authd_app_" + strings.Repeat("A", 21) + "=", false},
		{"authd_app_" + strings.Repeat("A", 21) + " ", false},
		{"", false},
	} {
		if got := WellFormedCredential(c.v, "authd_app_", 16); got != c.want {
			t.Errorf("WellFormedCredential(%q) = %v, want %v", c.v, got, c.want)
		}
	}
}

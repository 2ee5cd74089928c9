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

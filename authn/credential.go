package authn

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// Long-lived credentials (API key pairs, registered apps' secrets) share one format: a
// distinctive prefix that secret scanners recognise, then random bytes in base64url.
// A secret is stored only as a keyed hash bound to its credential's ID.

// NewCredential draws n random bytes from r behind prefix.
func NewCredential(r io.Reader, prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// WellFormedCredential is a cheap shape check before any lookup: prefix and the length
// of n bytes.
func WellFormedCredential(v, prefix string, n int) bool {
	return len(v) == len(prefix)+base64.RawURLEncoding.EncodedLen(n) && strings.HasPrefix(v, prefix)
}

// CredentialHash binds secret to id under the server pepper, in a domain naming the
// kind and version: a leaked database alone cannot test guesses, and one credential's
// secret never opens another's.
func CredentialHash(pepper []byte, domain, id, secret string) []byte {
	m := hmac.New(sha256.New, pepper)
	fmt.Fprintf(m, "%s\x00%s\x00%s", domain, id, secret)
	return m.Sum(nil)
}

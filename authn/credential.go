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

// WellFormedCredential is a cheap shape check before any lookup: prefix, then n bytes
// in base64url. Nothing else reaches a query, so a NUL or a byte that is not UTF-8
// (which SQLite's SQL text and Postgres's text type refuse) is "no such credential",
// never a database error.
func WellFormedCredential(v, prefix string, n int) bool {
	if len(v) != len(prefix)+base64.RawURLEncoding.EncodedLen(n) || !strings.HasPrefix(v, prefix) {
		return false
	}
	for i := len(prefix); i < len(v); i++ {
		if c := v[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// CredentialHash binds secret to id under the server pepper, in a domain naming the
// kind and version: a leaked database alone cannot test guesses, and one credential's
// secret never opens another's.
func CredentialHash(pepper []byte, domain, id, secret string) []byte {
	m := hmac.New(sha256.New, pepper)
	fmt.Fprintf(m, "%s\x00%s\x00%s", domain, id, secret)
	return m.Sum(nil)
}

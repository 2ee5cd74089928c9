// Package codes issues, emails and checks the 6-digit codes that prove control of an
// address (login, a new address, a new key pair): uniform draws, stored only as a
// keyed hash bound to their purpose and subject, a bounded number of attempts, one
// answer for every kind of wrong code, under the abuse limits of package limits.
package codes

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/authd/authd/models"
)

// newCode draws a uniform 6-digit code, rejecting draws past the largest multiple of
// a million so no code is likelier than another.
func newCode(r io.Reader) (string, error) {
	const space = 1_000_000
	const limit = (1 << 32) / space * space
	var b [4]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		if n := binary.BigEndian.Uint32(b[:]); n < limit {
			return fmt.Sprintf("%06d", n%space), nil
		}
	}
}

// hashCode binds a code to its ID, purpose and subject under the server pepper, so a
// stolen database cannot test guesses and a code cannot be replayed elsewhere.
func hashCode(pepper []byte, c *models.VerificationCode, code string) []byte {
	m := hmac.New(sha256.New, pepper)
	fmt.Fprintf(m, "authd-code/v1\x00%s\x00%s\x00%s\x00%s", c.Purpose, c.ID, c.SubjectID, code)
	return m.Sum(nil)
}

// codeMatches compares in constant time.
func codeMatches(pepper []byte, c *models.VerificationCode, code string) bool {
	return hmac.Equal(hashCode(pepper, c, code), c.CodeHash)
}

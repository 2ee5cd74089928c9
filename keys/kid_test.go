package keys

import (
	"bytes"
	"strings"
	"testing"
)

// TestKIDIsNoFlag: a key ID never starts with "-" (a command line would read
// `authd keys revoke -xyz` as a flag), even when its random bits spell one.
func TestKIDIsNoFlag(t *testing.T) {
	kid, err := newKID(bytes.NewReader(bytes.Repeat([]byte{0xf8}, 16))) // base64url "-" first
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(kid, "-") || len(kid) != 23 {
		t.Fatalf("kid %q", kid)
	}
}

package codes

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/authd/authd/models"
)

func TestNewCodeIsSixUniformDigits(t *testing.T) {
	counts := [10]int{}
	const n = 20000
	for range n {
		c, err := newCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !models.ValidCodeShape(c) {
			t.Fatalf("code %q is not six digits", c)
		}
		counts[c[0]-'0']++
	}
	// Each leading digit should appear about n/10 times; 6 sigma is far from flaky
	// and still catches a skewed or constant generator.
	for d, got := range counts {
		if got < 1600 || got > 2400 {
			t.Errorf("leading digit %d appeared %d times in %d codes", d, got, n)
		}
	}
}

func TestNewCodeRejectsBiasedDraws(t *testing.T) {
	// 0xFFFFFFFF lies past the last whole million, so it must be drawn again; the
	// next draw, 1_000_123, gives 000123.
	r := bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0x00, 0x0f, 0x42, 0xbb})
	c, err := newCode(r)
	if err != nil || c != "000123" {
		t.Fatalf("newCode = %q, %v; want 000123", c, err)
	}
}

func TestCodeHashIsBound(t *testing.T) {
	pepper := []byte("pepper-0123456789abcdef-0123456789")
	base := models.VerificationCode{ID: "c1", Purpose: models.PurposeSession, SubjectID: "s1"}
	base.CodeHash = hashCode(pepper, &base, "123456")
	if !codeMatches(pepper, &base, "123456") {
		t.Fatal("right code does not match")
	}
	other := func(f func(c *models.VerificationCode)) *models.VerificationCode {
		c := base
		f(&c)
		return &c
	}
	for name, c := range map[string]*models.VerificationCode{
		"other purpose": other(func(c *models.VerificationCode) { c.Purpose = models.PurposeEmail }),
		"other subject": other(func(c *models.VerificationCode) { c.SubjectID = "s2" }),
		"other id":      other(func(c *models.VerificationCode) { c.ID = "c2" }),
	} {
		if codeMatches(pepper, c, "123456") {
			t.Errorf("%s: code matched", name)
		}
	}
	if codeMatches(pepper, &base, "123457") {
		t.Error("wrong code matched")
	}
	if codeMatches([]byte("another pepper"), &base, "123456") {
		t.Error("code matched under another pepper")
	}
}

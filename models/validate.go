package models

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxEmailLen is an address's greatest length in bytes (RFC 5321's path limit).
const MaxEmailLen = 254

// NormalizeEmail trims and lowercases an address and accepts only a plain ASCII
// dot-atom local part and a dotted domain of letters, digits and hyphens. Anything
// else (quotes, comments, brackets, CR/LF, spaces, SMTP command text, non-ASCII) is
// refused: an address we cannot pass safely to SMTP is not an address we store.
// Internationalised addresses are a deliberate non-goal for now.
func NormalizeEmail(raw string) (string, error) {
	bad := Invalid("invalid email address")
	addr := strings.ToLower(strings.TrimSpace(raw))
	if addr == "" || len(addr) > MaxEmailLen || strings.Count(addr, "@") != 1 {
		return "", bad
	}
	local, domain, _ := strings.Cut(addr, "@")
	if !validLocal(local) || !validDomain(domain) {
		return "", bad
	}
	return addr, nil
}

func validLocal(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func validDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// NormalizeAlias lowercases an alias and checks it is 3-32 of [a-z0-9._-].
func NormalizeAlias(raw string) (string, error) {
	a := strings.ToLower(raw)
	if len(a) < 3 || len(a) > 32 {
		return "", Invalid("alias must be 3 to 32 characters")
	}
	for i := 0; i < len(a); i++ {
		if !isAlnum(a[i]) && a[i] != '.' && a[i] != '_' && a[i] != '-' {
			return "", Invalid("alias may contain only a-z, 0-9, '.', '_' and '-'")
		}
	}
	return a, nil
}

// NormalizeFullName trims a person's name and checks it is 1-100 printable characters.
func NormalizeFullName(raw string) (string, error) { return NormalizeDisplayName(raw, "fullName") }

// NormalizeDisplayName trims a name shown to people (a person's, an app's) and checks
// it is 1-100 printable characters: no NUL, which neither database stores, and no
// control character to garble a page or a log line. field names it in the error.
func NormalizeDisplayName(raw, field string) (string, error) {
	n := strings.TrimSpace(raw)
	bad := Invalid(field + " must be 1 to 100 printable characters")
	if !utf8.ValidString(n) || n == "" || utf8.RuneCountInString(n) > 100 {
		return "", bad
	}
	for _, r := range n {
		if !unicode.IsPrint(r) {
			return "", bad
		}
	}
	return n, nil
}

// ParseID accepts only a canonical lowercase UUID, so one resource has one spelling.
func ParseID(raw, what string) (string, error) {
	id, err := uuid.Parse(raw)
	if err != nil || id.String() != raw || id == uuid.Nil {
		return "", Invalid(what + " must be a lowercase UUID")
	}
	return raw, nil
}

// ValidCodeShape accepts exactly six ASCII digits. A malformed code is a 400 and does
// not count as an attempt: it cannot be a guess at the real code.
func ValidCodeShape(code string) bool {
	if len(code) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// ValidRoleName accepts 1-64 of [a-z0-9_-].
func ValidRoleName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// ParseOptionalID is ParseID for a filter that may be left out ("").
func ParseOptionalID(raw, what string) error {
	if raw == "" {
		return nil
	}
	_, err := ParseID(raw, what)
	return err
}

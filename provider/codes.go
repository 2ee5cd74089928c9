package provider

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"io"

	"github.com/authd/authd/models"
)

// Authorization codes are 256 random bits; only their SHA-256 is stored (a code is
// worthless after its 60 s and single use, and the hash alone cannot be redeemed).

// NewCode draws an authorization code and the hash to store.
func NewCode(r io.Reader) (code string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", nil, err
	}
	code = base64.RawURLEncoding.EncodeToString(b)
	return code, HashCode(code), nil
}

// HashCode is what a presented code is looked up by.
func HashCode(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}

// ExchangeError is a refused code exchange: invalid_grant (RFC 6749 5.2), with
// Replay set when the code had been redeemed before (RFC 6749 4.1.2: the caller closes
// what the first redemption issued).
type ExchangeError struct {
	Description string
	Replay      bool
}

func (e *ExchangeError) Error() string { return "invalid_grant: " + e.Description }

// CheckExchange judges a redeemed code (store.RedeemAuthCode: r and whether this was
// its first redemption) for the app clientID that presents it with redirectURI and
// PKCE verifier: the code must be the first redemption, issued to this app, for this
// redirect URI, and the verifier's S256 must equal the challenge (a verifier without
// a challenge is refused too, RFC 9700 2.1.1).
func CheckExchange(r *models.AuthRequest, first bool, clientID, redirectURI, verifier string) error {
	switch {
	case !first:
		return &ExchangeError{Description: "the code was already used", Replay: true}
	case r.ClientID != clientID:
		return &ExchangeError{Description: "the code was issued to another client"}
	case r.RedirectURI != redirectURI:
		return &ExchangeError{Description: "redirect_uri differs from the authorization request's"}
	case !r.Done():
		return &ExchangeError{Description: "the authorization request was not completed"}
	}
	if r.CodeChallenge == "" {
		if verifier != "" {
			return &ExchangeError{Description: "code_verifier without a code_challenge"}
		}
		return nil
	}
	if !validVerifier(verifier) {
		return &ExchangeError{Description: "code_verifier is missing or malformed"}
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(got), []byte(r.CodeChallenge)) != 1 {
		return &ExchangeError{Description: "code_verifier does not match the code_challenge"}
	}
	return nil
}

// validVerifier is RFC 7636 4.1: 43 to 128 of the unreserved characters.
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// Package claims is authd's access-token wire format: the JWS header members and the
// JSON claims an access token carries, and the checks every verifier applies to them
// (issuer, audience, times with leeway, a lifetime no longer than the server gives,
// exactly one of sid and azp). Package issuer, which mints and verifies tokens inside
// authd, and package verifier, which gateways embed, both use it, so the two cannot
// drift apart. It also holds a token to one spelling (canonical base64url, low-S ECDSA
// signatures), so no cache or deny-list keyed on the text can be fooled by a second
// spelling of the same token; checking the signature itself is not its concern. It
// imports nothing of authd's.
package claims

import (
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"time"
)

// Type is the typ header of access tokens (RFC 9068).
const Type = "at+jwt"

// Header is the part of the protected header read before a key is chosen.
type Header struct {
	Alg  string          `json:"alg"`
	Typ  string          `json:"typ"`
	Kid  *string         `json:"kid"`
	Crit json.RawMessage `json:"crit"`
}

// ParseHeader checks the compact form and its one spelling, and decodes the protected
// header, which must name typ at+jwt and a kid and carry no crit. Members such as jku,
// x5u, jwk and x5c are ignored: a key is never taken from a token.
func ParseHeader(token string) (Header, error) { return ParseHeaderOfType(token, Type) }

// IDTokenType is the typ header of ID tokens.
const IDTokenType = "JWT"

// LogoutTokenType is the typ header of logout tokens (OpenID Connect Back-Channel
// Logout 1.0, 2.4): explicit, so that no logout token passes for an ID token.
const LogoutTokenType = "logout+jwt"

// ParseHeaderOfType is ParseHeader for tokens whose header names typ (ID tokens: JWT).
func ParseHeaderOfType(token, typ string) (Header, error) {
	var h Header
	segs := strings.Split(token, ".")
	if len(segs) != 3 || strings.HasPrefix(token, "{") {
		return h, errors.New("not a compact JWS")
	}
	raw := make([][]byte, 3)
	for i, seg := range segs {
		b, ok := canonical(seg)
		if !ok {
			return h, errors.New("not canonical base64url")
		}
		raw[i] = b
	}
	if json.Unmarshal(raw[0], &h) != nil {
		return h, errors.New("bad header")
	}
	if h.Typ != typ || h.Kid == nil || h.Crit != nil {
		return h, errors.New("wrong typ, missing kid or crit header")
	}
	if h.Alg == "ES256" && !lowS(raw[2]) {
		return h, errors.New("ECDSA signature not in low-S form")
	}
	return h, nil
}

// canonical decodes seg if it is the one base64url spelling of its bytes: no padding,
// no line breaks (which decoders skip), no stray bits in the last character.
func canonical(seg string) ([]byte, bool) {
	if strings.ContainsAny(seg, "\r\n=") {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	return b, err == nil
}

// p256HalfOrder is half the order of P-256: of the two valid s of an ECDSA signature,
// only the one not above it is accepted (and minted).
var p256HalfOrder = new(big.Int).Rsh(elliptic.P256().Params().N, 1)

// lowS reports whether an ES256 signature (r || s, 32 bytes each) has s ≤ n/2.
func lowS(sig []byte) bool {
	return len(sig) == 64 && new(big.Int).SetBytes(sig[32:]).Cmp(p256HalfOrder) <= 0
}

// LowS turns an ES256 signature (r || s) into its low-S form in place: (r, n-s) is
// the same signature's other spelling, and verifiers accept only the low one.
func LowS(sig []byte) {
	if len(sig) != 64 {
		return
	}
	s := new(big.Int).SetBytes(sig[32:])
	if s.Cmp(p256HalfOrder) > 0 {
		s.Sub(elliptic.P256().Params().N, s)
		s.FillBytes(sig[32:])
	}
}

// Wire is the JSON payload. aud is a single string when minted (an array holding
// exactly our audience is accepted); exp, iat and nbf are whole seconds.
type Wire struct {
	Iss      string          `json:"iss"`
	Sub      string          `json:"sub"`
	Aud      json.RawMessage `json:"aud"`
	Exp      *int64          `json:"exp"`
	Iat      *int64          `json:"iat"`
	Nbf      *int64          `json:"nbf"`
	Jti      string          `json:"jti"`
	Sid      string          `json:"sid,omitempty"`
	Azp      string          `json:"azp,omitempty"`
	Roles    []string        `json:"roles"`
	Groups   []string        `json:"groups"`
	Verified bool            `json:"verified"`
	AMR      []string        `json:"amr"`
	// ClientID and Scope are set on tokens of an app's session (RFC 9068 2.2).
	ClientID string `json:"client_id,omitempty"`
	Scope    string `json:"scope,omitempty"`
}

// Expect is what a verifier requires of every token.
type Expect struct {
	Issuer, Audience string
	Leeway           time.Duration // clock skew allowed on exp, nbf and iat
	// MaxLifetime, when set, is the longest exp - iat accepted (the server's access
	// lifetime plus leeway): a token minted with a stolen key for ten years is refused.
	MaxLifetime time.Duration
}

// Check applies the claim checks at now; the error says which failed (for logs, never
// for clients).
func (w *Wire) Check(e Expect, now time.Time) error {
	switch {
	case w.Iss != e.Issuer:
		return errors.New("wrong iss")
	case !AudienceIs(w.Aud, e.Audience):
		return errors.New("wrong aud")
	case w.Exp == nil:
		return errors.New("no exp")
	case !now.Before(time.Unix(*w.Exp, 0).Add(e.Leeway)):
		return errors.New("expired")
	case w.Nbf != nil && now.Add(e.Leeway).Before(time.Unix(*w.Nbf, 0)):
		return errors.New("not yet valid")
	case w.Iat != nil && now.Add(e.Leeway).Before(time.Unix(*w.Iat, 0)):
		return errors.New("issued in the future")
	case w.Sub == "" || (w.Sid == "") == (w.Azp == ""):
		return errors.New("a token names exactly one of sid and azp")
	case e.MaxLifetime > 0 && (w.Iat == nil || time.Duration(*w.Exp-*w.Iat)*time.Second > e.MaxLifetime):
		return errors.New("lifetime longer than the server gives")
	}
	return nil
}

// ExpiresAt is exp as a time (Check guarantees it is set).
func (w *Wire) ExpiresAt() time.Time { return time.Unix(*w.Exp, 0).UTC() }

// IssuedAt is iat as a time, zero when absent.
func (w *Wire) IssuedAt() time.Time {
	if w.Iat == nil {
		return time.Time{}
	}
	return time.Unix(*w.Iat, 0).UTC()
}

// AudienceIs accepts aud as our audience, or an array holding exactly it. An array
// naming other audiences too is refused: a token meant for several services is not
// one we should honour as ours alone.
func AudienceIs(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && len(many) == 1 && many[0] == want
}

// Package claims is authd's access-token wire format: the JWS header members and the
// JSON claims an access token carries, and the checks every verifier applies to them
// (issuer, audience, times with leeway, exactly one of sid and azp). Package issuer,
// which mints and verifies tokens inside authd, and package verifier, which gateways
// embed, both use it, so the two cannot drift apart. Signatures and keys are not its
// concern. It imports nothing of authd's.
package claims

import (
	"encoding/base64"
	"encoding/json"
	"errors"
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

// ParseHeader checks the compact form and decodes the protected header, which must
// name typ at+jwt and a kid and carry no crit. Members such as jku, x5u, jwk and x5c
// are ignored: a key is never taken from a token.
func ParseHeader(token string) (Header, error) {
	var h Header
	if strings.Count(token, ".") != 2 || strings.HasPrefix(token, "{") {
		return h, errors.New("not a compact JWS")
	}
	seg, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil || json.Unmarshal(raw, &h) != nil {
		return h, errors.New("bad header")
	}
	if h.Typ != Type || h.Kid == nil || h.Crit != nil {
		return h, errors.New("wrong typ, missing kid or crit header")
	}
	return h, nil
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
}

// Expect is what a verifier requires of every token.
type Expect struct {
	Issuer, Audience string
	Leeway           time.Duration // clock skew allowed on exp, nbf and iat
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

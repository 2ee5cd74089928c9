package issuer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"time"
)

// pendingPrefix marks the pending credential; it is not a JWT, so no gateway can take
// it for an access token.
const pendingPrefix = "pnd_"

// Pending is what a pending credential carries. It is self-contained (MAC-protected,
// no database row needed to check it), so a decoy handed out for an unknown address
// behaves exactly like a real one.
type Pending struct {
	SessionID string    `json:"sid"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"ua"`
	ExpiresAt time.Time `json:"-"`
	Exp       int64     `json:"exp"`
}

// IsPending tells a pending credential from an access token by its prefix.
func IsPending(token string) bool { return strings.HasPrefix(token, pendingPrefix) }

// MintPending issues a pending credential.
func (i *Issuer) MintPending(p Pending) (string, error) {
	p.Exp = p.ExpiresAt.Unix()
	payload, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	body := pendingPrefix + base64.RawURLEncoding.EncodeToString(payload)
	return body + "." + base64.RawURLEncoding.EncodeToString(i.pendingMAC(body)), nil
}

// VerifyPending checks a pending credential's MAC (in constant time) and expiry.
func (i *Issuer) VerifyPending(token string) (*Pending, error) {
	p, err := i.ReadPending(token)
	if err != nil {
		return nil, err
	}
	if !p.Live(i.o.Now()) {
		return nil, errInvalid("pending credential expired")
	}
	return p, nil
}

// Live reports whether the credential has not expired at now.
func (p *Pending) Live(now time.Time) bool { return now.Before(p.ExpiresAt) }

// ReadPending checks a pending credential's MAC (in constant time) and reads it,
// whatever its expiry: once its session is verified, the session's lifetimes are the
// credential's (package authn decides).
func (i *Issuer) ReadPending(token string) (*Pending, error) {
	if len(token) > i.o.MaxTokenBytes || !IsPending(token) {
		return nil, errInvalid("not a pending credential")
	}
	body, sig, ok := strings.Cut(token, ".")
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(mac, i.pendingMAC(body)) {
		return nil, errInvalid("bad pending MAC")
	}
	var p Pending
	if err := decodeSegment(strings.TrimPrefix(body, pendingPrefix), &p); err != nil || p.SessionID == "" {
		return nil, errInvalid("bad pending payload")
	}
	p.ExpiresAt = time.Unix(p.Exp, 0).UTC()
	return &p, nil
}

func (i *Issuer) pendingMAC(body string) []byte {
	m := hmac.New(sha256.New, i.o.PendingKey)
	io.WriteString(m, body)
	return m.Sum(nil)
}

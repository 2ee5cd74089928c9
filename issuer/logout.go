package issuer

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/claims"
)

// BackchannelLogoutEvent is the member of a logout token's events claim (OpenID
// Connect Back-Channel Logout 1.0, 2.4).
const BackchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// logoutTokenTTL is how long a logout token is good for: the specification's
// recommendation (2.4). Each delivery attempt signs a new one, so a retry an hour
// later is as fresh as the first try.
const logoutTokenTTL = 2 * time.Minute

// LogoutTokenRequest names the app session that ended.
type LogoutTokenRequest struct {
	Alg       string // the app's registered ID-token algorithm
	ClientID  string // aud
	UserID    string // sub
	SessionID string // sid, as in the app's ID tokens
}

type logoutTokenWire struct {
	Iss    string                     `json:"iss"`
	Sub    string                     `json:"sub"`
	Aud    []string                   `json:"aud"`
	Iat    int64                      `json:"iat"`
	Exp    int64                      `json:"exp"`
	Jti    string                     `json:"jti"`
	Sid    string                     `json:"sid"`
	Events map[string]json.RawMessage `json:"events"`
}

var errLogoutTokenRequest = errors.New("a logout token needs an app, a subject, a session and an algorithm")

// MintLogoutToken signs a logout token with the active key of req.Alg (typ
// logout+jwt): iss, aud, iat, exp, a fresh jti, sub, sid and the back-channel logout
// event; never a nonce (2.4), so it cannot be replayed as an ID token.
func (i *Issuer) MintLogoutToken(req LogoutTokenRequest) (string, error) {
	if req.ClientID == "" || req.UserID == "" || req.SessionID == "" || req.Alg == "" {
		return "", errLogoutTokenRequest
	}
	key, err := i.keys.SigningKeyFor(req.Alg)
	if err != nil {
		return "", err
	}
	jti, err := uuid.NewRandomFromReader(i.o.Rand)
	if err != nil {
		return "", err
	}
	now := i.o.Now()
	payload, err := json.Marshal(logoutTokenWire{Iss: i.o.Issuer, Sub: req.UserID, Aud: []string{req.ClientID},
		Iat: now.Unix(), Exp: now.Add(logoutTokenTTL).Unix(), Jti: jti.String(), Sid: req.SessionID,
		Events: map[string]json.RawMessage{BackchannelLogoutEvent: json.RawMessage("{}")}})
	if err != nil {
		return "", err
	}
	// Logout tokens are rare: a signer is made for each rather than kept.
	sg, err := newSigner(key, claims.LogoutTokenType)
	if err != nil {
		return "", err
	}
	token, err := sg.compact(payload)
	if err != nil {
		return "", err
	}
	i.o.Observer.TokenIssued("logout_token")
	return token, nil
}

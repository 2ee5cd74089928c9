package issuer

import (
	"encoding/json"
	"errors"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/authd/authd/claims"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// IDTokenRequest is what an ID token says about a login to one app (OpenID Connect
// Core 2 and 5.1). The profile claims are set only when the app's granted scopes ask
// for them (the provider decides).
type IDTokenRequest struct {
	Alg       string // the app's registered algorithm; that ring's active key signs
	ClientID  string // aud and azp
	UserID    string // sub
	SessionID string // sid
	Nonce     string // the authorization request's, echoed
	ACR       string
	AMR       []string
	AuthTime  time.Time
	Lifetime  time.Duration
	// AccessToken, when one is issued with the ID token, is bound by at_hash.
	AccessToken string
	// Claims of the profile and email scopes; empty ones are left out.
	Email             string
	EmailVerified     *bool
	Name              string
	PreferredUsername string
}

// idTokenWire is an ID token's payload.
type idTokenWire struct {
	Iss               string   `json:"iss"`
	Sub               string   `json:"sub"`
	Aud               []string `json:"aud"`
	Azp               string   `json:"azp"`
	Exp               int64    `json:"exp"`
	Iat               int64    `json:"iat"`
	AuthTime          int64    `json:"auth_time"`
	Nonce             string   `json:"nonce,omitempty"`
	ACR               string   `json:"acr,omitempty"`
	AMR               []string `json:"amr,omitempty"`
	Sid               string   `json:"sid,omitempty"`
	AtHash            string   `json:"at_hash,omitempty"`
	Email             string   `json:"email,omitempty"`
	EmailVerified     *bool    `json:"email_verified,omitempty"`
	Name              string   `json:"name,omitempty"`
	PreferredUsername string   `json:"preferred_username,omitempty"`
}

var errIDTokenRequest = errors.New("an ID token needs an app, a subject, an algorithm and a lifetime")

// MintIDToken signs an ID token with the active key of req.Alg (typ JWT, kid of that
// key, published in the JWKS beside the access tokens' keys).
func (i *Issuer) MintIDToken(req IDTokenRequest) (string, time.Time, error) {
	if req.ClientID == "" || req.UserID == "" || req.Alg == "" || req.Lifetime <= 0 {
		return "", time.Time{}, errIDTokenRequest
	}
	key, err := i.keys.SigningKeyFor(req.Alg)
	if err != nil {
		return "", time.Time{}, err
	}
	now := i.o.Now()
	exp := now.Add(req.Lifetime).Unix()
	w := idTokenWire{Iss: i.o.Issuer, Sub: req.UserID, Aud: []string{req.ClientID}, Azp: req.ClientID, Exp: exp,
		Iat: now.Unix(), AuthTime: req.AuthTime.Unix(), Nonce: req.Nonce, ACR: req.ACR, AMR: req.AMR, Sid: req.SessionID,
		Email: req.Email, EmailVerified: req.EmailVerified, Name: req.Name, PreferredUsername: req.PreferredUsername}
	if req.AccessToken != "" {
		// OpenID Connect Core 3.1.3.6: the left half of the hash of the token, the hash
		// the signature's algorithm uses (zitadel's rule, which relying parties share).
		if w.AtHash, err = oidc.ClaimHash(req.AccessToken, jose.SignatureAlgorithm(req.Alg)); err != nil {
			return "", time.Time{}, err
		}
	}
	payload, err := json.Marshal(w)
	if err != nil {
		return "", time.Time{}, err
	}
	sg, err := i.idSignerFor(key)
	if err != nil {
		return "", time.Time{}, err
	}
	token, err := sg.compact(payload)
	if err != nil {
		return "", time.Time{}, err
	}
	i.o.Observer.TokenIssued("id_token")
	return token, time.Unix(exp, 0).UTC(), nil
}

// IDTokenHint is what an ID token authd issued says about whom and which login.
type IDTokenHint struct {
	Subject, SessionID, ClientID string
	ExpiresAt                    time.Time
}

// VerifyIDTokenHint checks an ID token presented back to authd (id_token_hint,
// OpenID Connect RP-Initiated Logout 1.0 section 2): typ JWT, a published kid, the
// signature under that key's own algorithm, and authd as its issuer. An expired token
// is accepted (a logout often comes after its ID token expired); its age is the
// caller's to judge.
func (i *Issuer) VerifyIDTokenHint(token string) (*IDTokenHint, error) {
	payload, _, err := i.verifySignature(token, claims.IDTokenType)
	if err != nil {
		return nil, err
	}
	var w idTokenWire
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, errInvalid("bad claims")
	}
	if w.Iss != i.o.Issuer || w.Sub == "" || len(w.Aud) != 1 || w.Azp != w.Aud[0] {
		return nil, errInvalid("not an ID token of this issuer")
	}
	return &IDTokenHint{Subject: w.Sub, SessionID: w.Sid, ClientID: w.Azp, ExpiresAt: time.Unix(w.Exp, 0).UTC()}, nil
}

package issuer

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/authd/authd/claims"
	"github.com/authd/authd/models"
)

// KeySource supplies signing and verification keys; *keys.Manager implements it.
// SigningKey signs access tokens; SigningKeyFor signs the ID tokens of an app that
// chose algorithm alg.
type KeySource interface {
	SigningKey() (jwk.Key, error)
	SigningKeyFor(alg string) (jwk.Key, error)
	VerificationKey(kid string) (jwk.Key, bool)
}

// Options configures an Issuer.
type Options struct {
	Issuer        string        // iss; the public URL
	Audience      string        // aud
	AccessTTL     time.Duration // default 15m
	Leeway        time.Duration // clock skew allowed on exp/nbf/iat; zero allows none
	PendingKey    []byte        // HMAC key of pending credentials, 32 bytes
	RefreshKey    []byte        // HMAC key of the refresh-token chain, 32 bytes
	MaxTokenBytes int           // default 8192
	Now           func() time.Time
	Rand          io.Reader
	Observer      Observer // nil: nothing is counted
}

// Observer counts what the issuer does; metrics.Metrics implements it.
type Observer interface {
	TokenIssued(grant string)
	TokenVerified(valid bool)
}

type noObserver struct{}

func (noObserver) TokenIssued(string) {}
func (noObserver) TokenVerified(bool) {}

// Issuer mints and verifies tokens.
type Issuer struct {
	keys     KeySource
	o        Options
	verified *verifiedCache
	aud      json.RawMessage        // the audience as minted: one JSON string
	signer   atomic.Pointer[signer] // the last signing key, ready (signer.go)
	// idSigners are the ID-token signers by kid: one per algorithm in use, and the
	// keys being rotated out (a few, for a rotation's overlap).
	idSigners sync.Map
}

// New checks the options and builds an Issuer.
func New(ks KeySource, o Options) (*Issuer, error) {
	if o.Issuer == "" || o.Audience == "" {
		return nil, errors.New("issuer and audience are required")
	}
	if len(o.PendingKey) < 32 {
		return nil, errors.New("pending-credential key must be at least 32 bytes")
	}
	if len(o.RefreshKey) < 32 {
		return nil, errRefreshKey
	}
	if o.AccessTTL <= 0 {
		o.AccessTTL = 15 * time.Minute
	}
	if o.Leeway < 0 {
		o.Leeway = 0
	}
	if o.MaxTokenBytes <= 0 {
		o.MaxTokenBytes = 8192
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Observer == nil {
		o.Observer = noObserver{}
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	aud, err := json.Marshal(o.Audience)
	if err != nil {
		return nil, err
	}
	return &Issuer{keys: ks, o: o, verified: newVerifiedCache(maxVerified), aud: aud}, nil
}

// AccessRequest is what an access token says about its holder. A token for a person's
// session carries SessionID (sid); a token obtained with an API key pair carries the
// key's ID instead (KeyID, as azp).
type AccessRequest struct {
	UserID, SessionID string
	KeyID             string
	Roles, Groups     []string
	Verified          bool
	AMR               []string
	// ClientID and Scope: the app and scopes of an app session's token (RFC 9068).
	ClientID, Scope string
	// Lifetime, when set and shorter than the configured one, is this token's (an
	// app's registered access lifetime).
	Lifetime time.Duration
}

// Claims are a verified access token's contents.
type Claims struct {
	Subject, SessionID, TokenID string
	KeyID                       string // azp: set on key-pair tokens instead of SessionID
	Roles, Groups               []string
	Verified                    bool
	AMR                         []string
	ClientID, Scope             string
	IssuedAt, ExpiresAt         time.Time
}

// MintAccess signs an access token with the active key.
func (i *Issuer) MintAccess(req AccessRequest) (string, time.Time, error) {
	token, exp, err := i.mintAccess(req)
	if err == nil {
		grant := "session"
		if req.KeyID != "" {
			grant = "key_pair"
		}
		i.o.Observer.TokenIssued(grant)
	}
	return token, exp, err
}

func (i *Issuer) mintAccess(req AccessRequest) (string, time.Time, error) {
	key, err := i.keys.SigningKey()
	if err != nil {
		return "", time.Time{}, err
	}
	now := i.o.Now().Unix()
	ttl := i.o.AccessTTL
	if req.Lifetime > 0 && req.Lifetime < ttl {
		ttl = req.Lifetime
	}
	exp := now + int64(ttl/time.Second)
	jti, err := uuid.NewRandomFromReader(i.o.Rand)
	if err != nil {
		return "", time.Time{}, err
	}
	payload, err := json.Marshal(claims.Wire{
		Iss: i.o.Issuer, Sub: req.UserID, Aud: i.aud, Exp: &exp, Iat: &now, Nbf: &now, Jti: jti.String(),
		Sid: req.SessionID, Azp: req.KeyID, Roles: nonNil(req.Roles), Groups: nonNil(req.Groups), Verified: req.Verified, AMR: nonNil(req.AMR),
		ClientID: req.ClientID, Scope: req.Scope,
	})
	if err != nil {
		return "", time.Time{}, err
	}
	sg, err := i.signerFor(key)
	if err != nil {
		return "", time.Time{}, err
	}
	signed, err := sg.compact(payload)
	if err != nil {
		return "", time.Time{}, err
	}
	return string(signed), time.Unix(exp, 0).UTC(), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// errInvalid is the single public answer for any bad token; the cause is logged.
func errInvalid(cause string) error {
	return models.Wrap(models.KindUnauthorized, "invalid or expired token", errors.New(cause))
}

// VerifyAccess checks an access token: size, compact form, typ, a known kid, the
// signature under that key's own algorithm (never the token's choice), then iss,
// aud, exp (required), nbf and iat with the configured leeway. Header members such as
// jku, x5u, jwk and x5c are never used to find a key. The signature is checked before
// any claim, so an expired forgery is reported as a forgery.
func (i *Issuer) VerifyAccess(token string) (*Claims, error) {
	c, err := i.verifyAccess(token)
	i.o.Observer.TokenVerified(err == nil)
	return c, err
}

func (i *Issuer) verifyAccess(token string) (*Claims, error) {
	if v, ok := i.verified.get(token); ok {
		if _, published := i.keys.VerificationKey(v.kid); !published {
			return nil, errInvalid("unknown kid") // its key was revoked or has left the JWKS
		}
		return i.checkClaims(v.claims) // the signature held; the clock may have moved on
	}
	payload, kid, err := i.verifySignature(token, claims.Type)
	if err != nil {
		return nil, err
	}
	var c *claims.Wire
	if err := json.Unmarshal(payload, &c); err != nil || c == nil {
		return nil, errInvalid("bad claims")
	}
	out, err := i.checkClaims(c)
	if err == nil {
		i.verified.put(token, verified{claims: c, kid: kid})
	}
	return out, err
}

// verifySignature checks everything but the claims: size, form, typ, a published
// kid, and the signature under that key's own algorithm; it returns the payload and
// the kid of the key that signed.
func (i *Issuer) verifySignature(token, typ string) ([]byte, string, error) {
	if len(token) > i.o.MaxTokenBytes {
		return nil, "", errInvalid("token too large")
	}
	h, err := claims.ParseHeaderOfType(token, typ)
	if err != nil {
		return nil, "", errInvalid(err.Error())
	}
	key, ok := i.keys.VerificationKey(*h.Kid)
	if !ok {
		return nil, "", errInvalid("unknown kid")
	}
	alg := key.Algorithm()
	if h.Alg != alg.String() {
		return nil, "", errInvalid("alg does not match the key")
	}
	payload, err := jws.Verify([]byte(token), jws.WithKey(alg, key))
	if err != nil {
		return nil, "", errInvalid("bad signature")
	}
	return payload, *h.Kid, nil
}

func (i *Issuer) checkClaims(c *claims.Wire) (*Claims, error) {
	e := claims.Expect{Issuer: i.o.Issuer, Audience: i.o.Audience, Leeway: i.o.Leeway, MaxLifetime: i.o.AccessTTL + i.o.Leeway}
	if err := c.Check(e, i.o.Now()); err != nil {
		return nil, errInvalid(err.Error())
	}
	return &Claims{Subject: c.Sub, SessionID: c.Sid, KeyID: c.Azp, TokenID: c.Jti, Roles: slices.Clone(nonNil(c.Roles)),
		Groups: slices.Clone(nonNil(c.Groups)), Verified: c.Verified, AMR: slices.Clone(nonNil(c.AMR)),
		ClientID: c.ClientID, Scope: c.Scope, ExpiresAt: c.ExpiresAt(), IssuedAt: c.IssuedAt()}, nil
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

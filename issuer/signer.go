package issuer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/authd/authd/claims"
)

// signer is the active signing key made ready for minting, once per key: the
// protected header exactly as jws.Sign writes it (encoded), and the raw private key.
// jws.Sign rebuilt and marshalled the header and converted the jwk.Key for every
// token; for ES256 it also signed with a fresh copy of the private key, which missed
// crypto/ecdsa's per-key cache. The tokens are the ones jws.Sign makes: the same
// header bytes, payload encoding and signature format (RFC 7515 compact; for ES256
// r || s, 32 bytes each, RFC 7518 3.4).
type signer struct {
	key    jwk.Key // the key this was made from
	kid    string
	alg    jwa.KeyAlgorithm
	header string // base64url of the protected header
	sigLen int    // the signature's length in bytes, as the probe's shows
	sign   func(input []byte) ([]byte, error)
}

// signerFor returns the signer of key, reusing the last one made while the key is
// the same.
func (i *Issuer) signerFor(key jwk.Key) (*signer, error) {
	if s := i.signer.Load(); s != nil && s.key == key && s.kid == key.KeyID() && s.alg == key.Algorithm() {
		return s, nil
	}
	s, err := newSigner(key, claims.Type)
	if err != nil {
		return nil, err
	}
	i.signer.Store(s)
	return s, nil
}

// idSignerFor is signerFor for ID tokens (typ JWT), one per key in use.
func (i *Issuer) idSignerFor(key jwk.Key) (*signer, error) {
	if v, ok := i.idSigners.Load(key.KeyID()); ok {
		if s := v.(*signer); s.key == key && s.alg == key.Algorithm() {
			return s, nil
		}
	}
	s, err := newSigner(key, "JWT")
	if err != nil {
		return nil, err
	}
	i.idSigners.Store(key.KeyID(), s)
	return s, nil
}

// newSigner prepares key to sign tokens whose header says typ.
func newSigner(key jwk.Key, typ string) (*signer, error) {
	alg, ok := key.Algorithm().(jwa.SignatureAlgorithm)
	if !ok {
		return nil, fmt.Errorf("signing key %q has no signature algorithm", key.KeyID())
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, typ); err != nil {
		return nil, err
	}
	if err := hdr.Set(jws.KeyIDKey, key.KeyID()); err != nil {
		return nil, err
	}
	// The header as jws.Sign writes it, taken from a token it signs: the key's own
	// algorithm (a key is made for exactly one, RFC 8725 3.1), kid and typ.
	probe, err := jws.Sign([]byte("{}"), jws.WithKey(alg, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", typ, err)
	}
	header, _, _ := strings.Cut(string(probe), ".")
	sig := probe[strings.LastIndexByte(string(probe), '.')+1:]
	var raw any
	if err := key.Raw(&raw); err != nil {
		return nil, fmt.Errorf("signing key %q: %w", key.KeyID(), err)
	}
	s := &signer{key: key, kid: key.KeyID(), alg: key.Algorithm(), header: header,
		sigLen: base64.RawURLEncoding.DecodedLen(len(sig))}
	if priv, ok := raw.(*ecdsa.PrivateKey); ok && alg == jwa.ES256 && priv.Curve == elliptic.P256() {
		s.sign = func(input []byte) ([]byte, error) { return signES256(priv, input) }
		return s, nil
	}
	if priv, ok := raw.(*rsa.PrivateKey); ok && alg == jwa.RS256 {
		// Straight through crypto/rsa with its precomputed CRT values: through jwx's
		// signer an ID token cost 2.50 ms here, now 2.24 ms, against 2.23 ms for the
		// bare signature (BenchmarkMintIDToken/RS256, BenchmarkRawRSASign; 3072 bits).
		key := *priv
		key.Precomputed = rsa.PrecomputedValues{}
		if err := key.Validate(); err != nil {
			return nil, fmt.Errorf("signing key %q: %w", s.kid, err)
		}
		key.Precompute()
		s.sign = func(input []byte) ([]byte, error) {
			digest := sha256.Sum256(input)
			// One RSA-3072 signature holds a core for a few milliseconds, and Go does
			// not preempt it that soon. A request woken just before (typically the one
			// handed SQLite's only connection) would wait for the signature, and every
			// request behind it for the connection. Yielding first lets that work run:
			// on a 2-core box with SQLite, RS256 full logins went from 144-216/s to
			// 198-229/s and RS256 single sign-on from 323-397/s to 381-453/s; on
			// Postgres it made no difference (docs/PERFORMANCE.md).
			runtime.Gosched()
			return rsa.SignPKCS1v15(nil, &key, crypto.SHA256, digest[:])
		}
		return s, nil
	}
	// Other algorithms (EdDSA, RS256) through jwx's own signer, with the raw key.
	js, err := jws.NewSigner(alg)
	if err != nil {
		return nil, err
	}
	s.sign = func(input []byte) ([]byte, error) { return js.Sign(input, raw) }
	return s, nil
}

// signES256 is ES256 (RFC 7518 3.4): ECDSA P-256 over SHA-256 of input, r || s, with
// s in its low form.
func signES256(priv *ecdsa.PrivateKey, input []byte) ([]byte, error) {
	digest := sha256.Sum256(input)
	r, s, err := ecdsa.Sign(rand.Reader, priv, digest[:])
	if err != nil {
		return nil, err
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	claims.LowS(out) // the one spelling verifiers accept (claims.ParseHeader)
	return out, nil
}

// compact signs payload: header.payload.signature, each base64url without padding.
func (s *signer) compact(payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	n := len(s.header) + 1 + enc.EncodedLen(len(payload))
	b := make([]byte, n, n+1+enc.EncodedLen(s.sigLen))
	copy(b, s.header)
	b[len(s.header)] = '.'
	enc.Encode(b[len(s.header)+1:], payload)
	sig, err := s.sign(b)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	if len(sig) == 0 {
		return "", errors.New("sign access token: empty signature")
	}
	b = append(b, '.')
	b = enc.AppendEncode(b, sig)
	return string(b), nil
}

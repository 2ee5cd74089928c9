package issuer

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"strings"

	"github.com/google/uuid"
)

// Refresh tokens are "rft_" + base64url(session ID (16 bytes) || generation (8 bytes,
// big endian) || secret (32 bytes)). Generation 0's secret is random; each next
// secret is HMAC(chain key, previous secret). So:
//   - storage keeps only the generation and SHA-256 of the current secret, and one
//     conditional UPDATE by primary key rotates a token (no table of spent tokens);
//   - a retry of the same refresh recomputes exactly the token the first request got;
//   - an older token of the chain is recognised by walking it forward to the stored
//     hash (reuse), which neither a forger nor a leaked database can imitate, since
//     the secrets never leave the client.
//
// Legacy tokens, "rft_" + base64url(32 random bytes) from before this format, are
// looked up by their hash; their successor is a token of this format (generation 1).

// refreshPrefix marks refresh tokens for secret scanners and for humans.
const refreshPrefix = "rft_"

// MaxRefreshWalk bounds how far back an older token is recognised as part of its
// chain: a session refreshed every five minutes for its 30 days reaches 8,640.
const MaxRefreshWalk = 100_000

// Refresh is a parsed refresh token.
type Refresh struct {
	SessionID string
	Gen       int64
	secret    [32]byte
}

// String is the token as clients hold it.
func (r Refresh) String() string {
	var b [56]byte
	id := uuid.MustParse(r.SessionID)
	copy(b[:16], id[:])
	binary.BigEndian.PutUint64(b[16:24], uint64(r.Gen))
	copy(b[24:], r.secret[:])
	return refreshPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Hash is the stored form of the token's secret.
func (r Refresh) Hash() []byte {
	sum := sha256.Sum256(r.secret[:])
	return sum[:]
}

// Matches reports, in constant time, whether the token is the one stored as hash.
func (r Refresh) Matches(hash []byte) bool { return subtle.ConstantTimeCompare(r.Hash(), hash) == 1 }

// NewRefresh starts a session's chain with a random secret.
func (i *Issuer) NewRefresh(sessionID string) (Refresh, error) {
	if _, err := uuid.Parse(sessionID); err != nil {
		return Refresh{}, err
	}
	r := Refresh{SessionID: sessionID}
	if _, err := io.ReadFull(i.o.Rand, r.secret[:]); err != nil {
		return Refresh{}, err
	}
	return r, nil
}

// ParseRefresh decodes a token of the current format; ok is false for anything else
// (a legacy token included).
func ParseRefresh(token string) (r Refresh, ok bool) {
	body, found := strings.CutPrefix(token, refreshPrefix)
	if !found || len(body) != 75 {
		return Refresh{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(b) != 56 || base64.RawURLEncoding.EncodeToString(b) != body {
		return Refresh{}, false
	}
	id, _ := uuid.FromBytes(b[:16])
	gen := binary.BigEndian.Uint64(b[16:24])
	if gen > 1<<62 {
		return Refresh{}, false
	}
	r = Refresh{SessionID: id.String(), Gen: int64(gen)}
	copy(r.secret[:], b[24:])
	return r, true
}

// NextRefresh is the token that replaces r.
func (i *Issuer) NextRefresh(r Refresh) Refresh {
	m := hmac.New(sha256.New, i.o.RefreshKey)
	m.Write(r.secret[:])
	next := Refresh{SessionID: r.SessionID, Gen: r.Gen + 1}
	copy(next.secret[:], m.Sum(nil))
	return next
}

// Leads reports whether r is an older token of the chain whose current generation is
// gen with stored hash: walking it forward reaches exactly that token.
func (i *Issuer) Leads(r Refresh, gen int64, hash []byte) bool {
	if r.Gen >= gen || gen-r.Gen > MaxRefreshWalk {
		return false
	}
	for r.Gen < gen {
		r = i.NextRefresh(r)
	}
	return r.Matches(hash)
}

// IsLegacyRefresh reports a well-formed token of the earlier format.
func IsLegacyRefresh(token string) bool {
	body, found := strings.CutPrefix(token, refreshPrefix)
	b, err := base64.RawURLEncoding.DecodeString(body)
	return found && len(body) == 43 && err == nil && len(b) == 32
}

// HashLegacyRefresh is the stored form of a legacy token.
func HashLegacyRefresh(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// NextFromLegacy is the token (generation 1 of this format) that replaces a legacy one.
func (i *Issuer) NextFromLegacy(sessionID, token string) Refresh {
	m := hmac.New(sha256.New, i.o.RefreshKey)
	m.Write([]byte(token))
	next := Refresh{SessionID: sessionID, Gen: 1}
	copy(next.secret[:], m.Sum(nil))
	return next
}

var errRefreshKey = errors.New("refresh-chain key must be at least 32 bytes")

package clients

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/authd/authd/models"
)

// Prefixes let secret scanners recognise a leaked client ID or secret.
const (
	idPrefix     = "authd_app_"
	secretPrefix = "authd_cs_"
	idBytes      = 16
	secretBytes  = 32
)

var errBadClient = models.E(models.KindUnauthorized, "invalid client")

// draw returns prefix and n random bytes, base64url.
func draw(r io.Reader, prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashSecret binds a secret to its client under the server pepper, so a leaked
// database cannot test guesses and one client's secret never opens another.
func (s *Service) hashSecret(clientID, secret string) []byte {
	m := hmac.New(sha256.New, s.o.SecretPepper)
	fmt.Fprintf(m, "authd-client-secret/v1\x00%s\x00%s", clientID, secret)
	return m.Sum(nil)
}

// Authenticate checks a confidential client's ID and secret (client_secret_basic or
// client_secret_post): the current secret, or the one a rotation replaced while its
// grace lasts. Anything else, a public client included, is the same 401.
func (s *Service) Authenticate(ctx context.Context, clientID, secret string) (*models.Client, error) {
	if !strings.HasPrefix(clientID, idPrefix) || !strings.HasPrefix(secret, secretPrefix) ||
		len(secret) != len(secretPrefix)+base64.RawURLEncoding.EncodedLen(secretBytes) {
		return nil, errBadClient
	}
	c, err := s.store.ClientByID(ctx, clientID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errBadClient
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	if !c.Confidential() {
		return nil, errBadClient
	}
	h := s.hashSecret(clientID, secret)
	current := hmac.Equal(h, c.SecretHash)
	previous := c.PrevSecretUntil != nil && s.now().Before(*c.PrevSecretUntil) && hmac.Equal(h, c.PrevSecretHash)
	if !current && !previous {
		return nil, errBadClient
	}
	return c, nil
}

package clients

import (
	"context"
	"crypto/hmac"
	"errors"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// Prefixes let secret scanners recognise a leaked client ID or secret.
const (
	// IDPrefix begins every app's client ID.
	IDPrefix     = "authd_app_"
	secretPrefix = "authd_cs_"
	idBytes      = 16
	secretBytes  = 32
)

var errBadClient = models.E(models.KindUnauthorized, "invalid client")

// hashSecret binds a secret to its client under the server pepper (authn.CredentialHash).
func (s *Service) hashSecret(clientID, secret string) []byte {
	return authn.CredentialHash(s.o.SecretPepper, "authd-client-secret/v1", clientID, secret)
}

// Authenticate checks a confidential client's ID and secret (client_secret_basic or
// client_secret_post): the current secret, or the one a rotation replaced while its
// grace lasts. Anything else, a public client included, is the same 401.
func (s *Service) Authenticate(ctx context.Context, clientID, secret string) (*models.Client, error) {
	if !WellFormedID(clientID) || !authn.WellFormedCredential(secret, secretPrefix, secretBytes) {
		return nil, errBadClient
	}
	c, err := s.cache.App(ctx, clientID)
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

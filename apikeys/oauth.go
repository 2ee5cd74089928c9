package apikeys

import (
	"context"
	"time"

	"github.com/authd/authd/issuer"
)

// OAuth 2.0 client credentials with an API key pair (RFC 6749 4.4).

// ClientCredentials exchanges a verified key pair for an access token whose subject
// is the pair's owner, azp the pair, amr ["apikey"] and roles the owner's.
func (s *Service) ClientCredentials(ctx context.Context, apiKey, secret, ip string) (string, time.Time, error) {
	p, err := s.AuthenticateKeyPair(ctx, apiKey, secret, ip)
	if err != nil {
		return "", time.Time{}, err
	}
	id := p.KeyPair().Identity
	return s.tokens.MintAccess(issuer.AccessRequest{UserID: p.UserID, KeyID: p.KeyID, Roles: id.Roles,
		Groups: id.Groups, Verified: id.User.Verified, AMR: []string{"apikey"}})
}

package apikeys

import (
	"context"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
)

// OAuth 2.0 client credentials with an API key pair (RFC 6749 4.4).

// ClientCredentials exchanges a verified key pair for an access token whose subject
// is the pair's owner, azp the pair, amr ["apikey"] and roles the owner's.
// Issuances are audited, one row per key pair per flush (FlushKeyPairUse, every 30 s
// and at shutdown) with the count and time span: a write per token would cost this
// path more than half its rate.
func (s *Service) ClientCredentials(ctx context.Context, apiKey, secret string, client authn.Client) (string, time.Time, error) {
	p, err := s.AuthenticateKeyPair(ctx, apiKey, secret, client.IP)
	if err != nil {
		return "", time.Time{}, err
	}
	id := p.KeyPair().Identity
	token, exp, err := s.tokens.MintAccess(issuer.AccessRequest{UserID: p.UserID, KeyID: p.KeyID, Roles: id.Roles,
		Groups: id.Groups, Verified: id.User.Verified, AMR: []string{"apikey"}})
	if err != nil {
		return "", time.Time{}, models.Internal(err)
	}
	s.noteIssued(p.UserID, p.KeyID, client)
	return token, exp, nil
}

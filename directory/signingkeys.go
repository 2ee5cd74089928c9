package directory

import (
	"context"
	"errors"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/keys"
	"github.com/authd/authd/models"
)

// SigningKeys is the signing-key control the operator and admin use cases need;
// *keys.Manager implements it.
type SigningKeys interface {
	Revoke(ctx context.Context, kid string, fx models.Effects) (keys.RevokeResult, error)
}

// RevokeSigningKey withdraws a signing key at once: the answer to a compromised key.
// It leaves the JWKS and verification on this instance at once and on every other
// within the change-feed poll (a second; at once on Postgres), another key signs at
// once, sessions stay open (their next refresh or extend gets a token under the new
// key) and tokens it signed are refused everywhere authd checks tokens. Audited in the
// same transaction.
func (s *Service) RevokeSigningKey(ctx context.Context, actor authn.Actor, kid string) (*keys.RevokeResult, error) {
	if kid == "" || len(kid) > 64 {
		return nil, models.Invalid("kid must be the ID of a signing key")
	}
	var fx models.Effects
	fx.Audit = append(fx.Audit, authn.NewAuditEvent(s.now(), models.AuditSigningKeyRevoked, actor, kid, "signing key revoked"))
	res, err := s.signing.Revoke(ctx, kid, fx)
	if errors.Is(err, keys.ErrUnknownKey) {
		return nil, models.Wrap(models.KindNotFound, "signing key not found", err)
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return &res, nil
}

// AdminRevokeSigningKey is RevokeSigningKey by an admin.
func (s *Service) AdminRevokeSigningKey(ctx context.Context, p *authn.Principal, kid string) (*keys.RevokeResult, error) {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return nil, err
	}
	return s.RevokeSigningKey(ctx, p.Actor(), kid)
}

package directory

import (
	"context"
	"errors"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// UserIDByEmail finds the account holding a verified address. The route allows it to
// admins and partners only.
func (s *Service) UserIDByEmail(ctx context.Context, address string) (string, error) {
	addr, err := models.NormalizeEmail(address)
	if err != nil {
		return "", err
	}
	owners, err := s.store.EmailsByAddress(ctx, addr)
	if err != nil {
		return "", models.Internal(err)
	}
	for _, o := range owners {
		if o.Email.Verified && o.User.Enabled {
			return o.User.ID, nil
		}
	}
	for _, o := range owners {
		if o.Email.Verified {
			return o.User.ID, nil // a disabled account still has its address
		}
	}
	return "", models.E(models.KindNotFound, "no account holds this address")
}

// DeleteAccount deletes the caller's account with its sessions and key pairs; its
// tokens and pairs stop working at once on this instance.
func (s *Service) DeleteAccount(ctx context.Context, p *authn.Principal) error {
	if err := authn.RequireVerified(p); err != nil {
		return err
	}
	if err := s.deleteUser(ctx, p.UserID); err != nil {
		return err
	}
	s.audit.Own(ctx, p, models.AuditUserDeleted, "deleted by the user")
	return nil
}

// deleteUser deletes an account with what goes with it; an account already gone is
// not an error.
func (s *Service) deleteUser(ctx context.Context, userID string) error {
	now := s.now()
	err := s.caches.Commit(s.caches.UserRevoked(models.EventUserDeleted, userID, now), func(fx models.Effects) error {
		return s.store.DeleteUser(ctx, userID, now, fx)
	})
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return models.Internal(err)
	}
	return nil
}

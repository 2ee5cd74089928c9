package directory

import (
	"context"
	"errors"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

var errNoUser = models.E(models.KindNotFound, "user not found")

// FindByEmail returns the account holding address: the one that verified it, else an
// account holding it unverified (a registration never completed).
func (s *Service) FindByEmail(ctx context.Context, address string) (*models.Identity, error) {
	addr, err := models.NormalizeEmail(address)
	if err != nil {
		return nil, err
	}
	owners, err := s.store.EmailsByAddress(ctx, addr)
	if err != nil {
		return nil, models.Internal(err)
	}
	if len(owners) == 0 {
		return nil, errNoUser
	}
	// EmailsByAddress lists verified rows first.
	id, err := s.store.Identity(ctx, owners[0].User.ID)
	if err != nil {
		return nil, models.Internal(err)
	}
	return id, nil
}

// GrantRole gives a user a role; granting one already held changes nothing.
func (s *Service) GrantRole(ctx context.Context, actor authn.Actor, userID, role string) error {
	if !s.known[role] {
		return models.Invalid("unknown role; add custom roles to roles.custom")
	}
	fx := revocation.UserChanged(models.EventRoleGranted, userID, map[string]string{"userID": userID, "role": role})
	err := s.caches.Commit(fx, func(fx models.Effects) error { return s.store.GrantRole(ctx, userID, role, s.now(), fx) })
	if errors.Is(err, models.ErrNotFound) {
		return errNoUser
	}
	if err != nil {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditRoleGranted, actor, userID, "role "+role)
	return nil
}

// RevokeRole takes a role from a user; a role the user lacks is "not found".
func (s *Service) RevokeRole(ctx context.Context, actor authn.Actor, userID, role string) error {
	fx := revocation.UserChanged(models.EventRoleRevoked, userID, map[string]string{"userID": userID, "role": role})
	err := s.caches.Commit(fx, func(fx models.Effects) error { return s.store.RevokeRole(ctx, userID, role, s.now(), fx) })
	if errors.Is(err, models.ErrNotFound) {
		return models.Wrap(models.KindNotFound, "the user does not hold this role", err)
	}
	if err != nil {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditRoleRevoked, actor, userID, "role "+role)
	return nil
}

// SetEnabled enables or disables an account; disabling closes all its sessions.
func (s *Service) SetEnabled(ctx context.Context, actor authn.Actor, userID string, enabled bool) error {
	now := s.now()
	fx := s.caches.UserRevoked(models.EventUserDisabled, userID, now)
	if enabled {
		fx = revocation.UserChanged(models.EventUserEnabled, userID, map[string]string{"userID": userID})
	}
	err := s.caches.Commit(fx, func(fx models.Effects) error { return s.store.SetUserEnabled(ctx, userID, enabled, now, fx) })
	if errors.Is(err, models.ErrNotFound) {
		return errNoUser
	}
	if err != nil {
		return models.Internal(err)
	}
	action := models.AuditUserEnabled
	if !enabled {
		action = models.AuditUserDisabled
	}
	s.audit.Record(ctx, action, actor, userID, "")
	return nil
}

// List returns page (from 1) of users matching f, and the number of pages.
func (s *Service) List(ctx context.Context, f models.UserFilter, limit, page int) ([]models.Identity, int, error) {
	if limit < 1 || limit > 100 || page < 1 {
		return nil, 0, models.Invalid("limit must be 1 to 100 and page at least 1")
	}
	if f.Role != "" && !models.ValidRoleName(f.Role) {
		return nil, 0, models.Invalid("role must be 1 to 64 of a-z, 0-9, '_' and '-'")
	}
	users, total, err := s.store.ListUsers(ctx, f, limit, (page-1)*limit)
	if err != nil {
		return nil, 0, models.Internal(err)
	}
	return users, total, nil
}

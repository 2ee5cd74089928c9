package account

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/authd/authd/models"
)

// DirectoryStore is what operator and admin actions on accounts need.
type DirectoryStore interface {
	EmailsByAddress(ctx context.Context, address string) ([]models.EmailOwner, error)
	Identity(ctx context.Context, userID string) (*models.Identity, error)
	ListUsers(ctx context.Context, f models.UserFilter, limit, offset int) ([]models.Identity, int, error)
	GrantRole(ctx context.Context, userID, role string, now time.Time, fx models.Effects) error
	RevokeRole(ctx context.Context, userID, role string, now time.Time, fx models.Effects) error
	SetUserEnabled(ctx context.Context, userID string, enabled bool, now time.Time, fx models.Effects) error
	AuditStore
}

// Directory runs operator actions on accounts: finding users, granting and revoking
// roles, enabling and disabling. The operator CLI (Service.Directory) uses it as it
// is; the admin API adds its own rules (who may act on whom) on top. Either way the
// change carries its events, feed entries and audit, and this instance's caches drop
// what it changed once it is committed.
type Directory struct {
	store DirectoryStore
	svc   *Service // effects and cache eviction
	now   func() time.Time
	log   *slog.Logger
	known map[string]bool
}

func newDirectory(svc *Service, st DirectoryStore, customRoles []string) *Directory {
	known := map[string]bool{models.RoleUser: true, models.RoleAdmin: true, models.RolePartner: true, models.RoleGateway: true}
	for _, r := range customRoles {
		known[r] = true
	}
	return &Directory{store: st, svc: svc, now: svc.o.Now, log: svc.o.Logger, known: known}
}

// Directory is the operators' door to accounts (the CLI's), with the same effects as
// the admin API's.
func (s *Service) Directory() *Directory { return s.dir }

func (d *Directory) at() time.Time { return d.now().UTC().Truncate(time.Microsecond) }

var errNoUser = models.E(models.KindNotFound, "user not found")

// FindByEmail returns the account holding address: the one that verified it, else an
// account holding it unverified (a registration never completed).
func (d *Directory) FindByEmail(ctx context.Context, address string) (*models.Identity, error) {
	addr, err := NormalizeEmail(address)
	if err != nil {
		return nil, err
	}
	owners, err := d.store.EmailsByAddress(ctx, addr)
	if err != nil {
		return nil, storeFault(err)
	}
	if len(owners) == 0 {
		return nil, errNoUser
	}
	// EmailsByAddress lists verified rows first.
	id, err := d.store.Identity(ctx, owners[0].User.ID)
	if err != nil {
		return nil, storeFault(err)
	}
	return id, nil
}

// GrantRole gives a user a role; granting one already held changes nothing.
func (d *Directory) GrantRole(ctx context.Context, actor Actor, userID, role string) error {
	if !d.known[role] {
		return models.Invalid("unknown role; add custom roles to roles.custom")
	}
	fx := userChanged(models.EventRoleGranted, userID, map[string]string{"userID": userID, "role": role})
	err := d.svc.commit(fx, func(fx models.Effects) error { return d.store.GrantRole(ctx, userID, role, d.at(), fx) })
	if errors.Is(err, models.ErrNotFound) {
		return errNoUser
	}
	if err != nil {
		return storeFault(err)
	}
	recordAudit(ctx, d.store, d.log, d.at(), models.AuditRoleGranted, actor, userID, "role "+role)
	return nil
}

// RevokeRole takes a role from a user; a role the user lacks is "not found".
func (d *Directory) RevokeRole(ctx context.Context, actor Actor, userID, role string) error {
	fx := userChanged(models.EventRoleRevoked, userID, map[string]string{"userID": userID, "role": role})
	err := d.svc.commit(fx, func(fx models.Effects) error { return d.store.RevokeRole(ctx, userID, role, d.at(), fx) })
	if errors.Is(err, models.ErrNotFound) {
		return models.Wrap(models.KindNotFound, "the user does not hold this role", err)
	}
	if err != nil {
		return storeFault(err)
	}
	recordAudit(ctx, d.store, d.log, d.at(), models.AuditRoleRevoked, actor, userID, "role "+role)
	return nil
}

// SetEnabled enables or disables an account; disabling closes all its sessions.
func (d *Directory) SetEnabled(ctx context.Context, actor Actor, userID string, enabled bool) error {
	now := d.at()
	fx := d.svc.userRevoked(models.EventUserDisabled, userID, now)
	if enabled {
		fx = userChanged(models.EventUserEnabled, userID, map[string]string{"userID": userID})
	}
	err := d.svc.commit(fx, func(fx models.Effects) error { return d.store.SetUserEnabled(ctx, userID, enabled, now, fx) })
	if errors.Is(err, models.ErrNotFound) {
		return errNoUser
	}
	if err != nil {
		return storeFault(err)
	}
	action := models.AuditUserEnabled
	if !enabled {
		action = models.AuditUserDisabled
	}
	recordAudit(ctx, d.store, d.log, d.at(), action, actor, userID, "")
	return nil
}

// List returns page (from 1) of users matching f, and the number of pages.
func (d *Directory) List(ctx context.Context, f models.UserFilter, limit, page int) ([]models.Identity, int, error) {
	if limit < 1 || limit > 100 || page < 1 {
		return nil, 0, models.Invalid("limit must be 1 to 100 and page at least 1")
	}
	if f.Role != "" && !ValidRoleName(f.Role) {
		return nil, 0, models.Invalid("role must be 1 to 64 of a-z, 0-9, '_' and '-'")
	}
	users, total, err := d.store.ListUsers(ctx, f, limit, (page-1)*limit)
	if err != nil {
		return nil, 0, storeFault(err)
	}
	return users, total, nil
}

// ValidRoleName accepts 1-64 of [a-z0-9_-].
func ValidRoleName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

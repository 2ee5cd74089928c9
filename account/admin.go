package account

import (
	"context"
	"errors"
	"slices"

	"github.com/authd/authd/models"
)

// The admin use cases act on other people's accounts. Each is audited with the admin
// as actor, and the rules that keep an admin from locking themselves out live here.

var errSelf = models.E(models.KindConflict, "admins cannot remove their own admin role, disable or delete themselves")

func (s *Service) actor(p *Principal) Actor { return Actor{ID: p.UserID, Client: p.Client} }

// CurrentRoles reads the caller's roles from the database: admin routes use them
// instead of the token's, so a revoked admin loses access at once. The answer is kept
// on the principal for the rest of its request.
func (s *Service) CurrentRoles(ctx context.Context, p *Principal) ([]string, error) {
	if p.Pending {
		return nil, models.E(models.KindUnauthorized, "session is not verified")
	}
	if p.rolesRead {
		return p.roles, nil
	}
	id, err := s.store.Identity(ctx, p.UserID)
	if err != nil {
		return nil, storeFault(err)
	}
	p.roles, p.rolesRead = id.Roles, true
	return id.Roles, nil
}

var errNotAdmin = models.E(models.KindForbidden, "this needs the admin role")

// requireAdmin is every admin use case's own check that the caller holds admin now
// (in the database), whatever door the call came through; the route table checks it
// too, and the principal keeps the answer, so it costs one read per request.
func (s *Service) requireAdmin(ctx context.Context, p *Principal) error {
	if p == nil {
		return errNotAdmin
	}
	roles, err := s.CurrentRoles(ctx, p)
	if err != nil {
		return err
	}
	if !slices.Contains(roles, models.RoleAdmin) {
		return errNotAdmin
	}
	return nil
}

// UserDetail is an account as admins see it.
type UserDetail struct {
	Identity models.Identity
	Emails   []models.Email
}

// AdminListUsers returns a page of accounts with their addresses and the total count.
func (s *Service) AdminListUsers(ctx context.Context, p *Principal, f models.UserFilter, limit, page int) ([]UserDetail, int, error) {
	if err := s.requireAdmin(ctx, p); err != nil {
		return nil, 0, err
	}
	ids, total, err := s.dir.List(ctx, f, limit, page)
	if err != nil {
		return nil, 0, err
	}
	userIDs := make([]string, len(ids))
	for i, id := range ids {
		userIDs[i] = id.User.ID
	}
	emails, err := s.store.EmailsOfUsers(ctx, userIDs)
	if err != nil {
		return nil, 0, storeFault(err)
	}
	out := make([]UserDetail, 0, len(ids))
	for _, id := range ids {
		out = append(out, UserDetail{Identity: id, Emails: emails[id.User.ID]})
	}
	return out, total, nil
}

// AdminUser returns one account.
func (s *Service) AdminUser(ctx context.Context, p *Principal, userID string) (*UserDetail, error) {
	if err := s.requireAdmin(ctx, p); err != nil {
		return nil, err
	}
	if _, err := ParseID(userID, "user id"); err != nil {
		return nil, err
	}
	id, err := s.store.Identity(ctx, userID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errNoUser
	}
	if err != nil {
		return nil, storeFault(err)
	}
	emails, err := s.store.EmailsOfUser(ctx, userID)
	if err != nil {
		return nil, storeFault(err)
	}
	return &UserDetail{Identity: *id, Emails: emails}, nil
}

// AdminDeleteUser deletes another account.
func (s *Service) AdminDeleteUser(ctx context.Context, p *Principal, userID string) error {
	if err := s.requireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := s.AdminUser(ctx, p, userID); err != nil {
		return err
	}
	if userID == p.UserID {
		return errSelf
	}
	if err := s.deleteUser(ctx, userID); err != nil {
		return err
	}
	recordAudit(ctx, s.store, s.o.Logger, s.now(), models.AuditUserDeleted, s.actor(p), userID, "deleted by an admin")
	return nil
}

// AdminSetEnabled disables (closing every session and refusing every key pair at once)
// or enables another account.
func (s *Service) AdminSetEnabled(ctx context.Context, p *Principal, userID string, enabled bool) error {
	if err := s.requireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := ParseID(userID, "user id"); err != nil {
		return err
	}
	if userID == p.UserID && !enabled {
		return errSelf
	}
	return s.dir.SetEnabled(ctx, s.actor(p), userID, enabled)
}

// AdminSetVerified sets the identity-verified flag by hand.
func (s *Service) AdminSetVerified(ctx context.Context, p *Principal, userID string, verified bool) error {
	if err := s.requireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := ParseID(userID, "user id"); err != nil {
		return err
	}
	event := ""
	if verified {
		event = models.EventUserVerified // as a verification through Stripe publishes it
	}
	now := s.now()
	err := s.commit(userChanged(event, userID, map[string]string{"userID": userID}), func(fx models.Effects) error {
		return s.store.SetUserVerified(ctx, userID, verified, now, fx)
	})
	if errors.Is(err, models.ErrNotFound) {
		return errNoUser
	}
	if err != nil {
		return storeFault(err)
	}
	detail := "identity marked verified by an admin"
	if !verified {
		detail = "identity marked unverified by an admin"
	}
	recordAudit(ctx, s.store, s.o.Logger, s.now(), models.AuditUserVerification, s.actor(p), userID, detail)
	return nil
}

// AdminGrantRole gives another account a role known to this deployment.
func (s *Service) AdminGrantRole(ctx context.Context, p *Principal, userID, role string) error {
	if err := s.requireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := s.AdminUser(ctx, p, userID); err != nil {
		return err
	}
	return s.dir.GrantRole(ctx, s.actor(p), userID, role)
}

// AdminRevokeRole takes a role; an admin cannot take their own admin role.
func (s *Service) AdminRevokeRole(ctx context.Context, p *Principal, userID, role string) error {
	if err := s.requireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := s.AdminUser(ctx, p, userID); err != nil {
		return err
	}
	if userID == p.UserID && role == models.RoleAdmin {
		return errSelf
	}
	return s.dir.RevokeRole(ctx, s.actor(p), userID, role)
}

// AdminAudit returns a page of the audit log, optionally about one user.
func (s *Service) AdminAudit(ctx context.Context, p *Principal, userID string, limit, page int) ([]models.AuditEvent, int, error) {
	if err := s.requireAdmin(ctx, p); err != nil {
		return nil, 0, err
	}
	if userID != "" {
		if _, err := ParseID(userID, "userID"); err != nil {
			return nil, 0, err
		}
	}
	if limit < 1 || limit > 100 || page < 1 {
		return nil, 0, models.Invalid("limit must be 1 to 100 and page at least 1")
	}
	out, total, err := s.store.ListAudit(ctx, userID, limit, (page-1)*limit)
	if err != nil {
		return nil, 0, storeFault(err)
	}
	return out, total, nil
}

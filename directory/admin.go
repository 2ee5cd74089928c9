package directory

import (
	"context"
	"errors"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// The admin use cases act on other people's accounts. Each is audited with the admin
// as actor, and the rules that keep an admin from locking themselves out live here.

var errSelf = models.E(models.KindConflict, "admins cannot remove their own admin role, disable or delete themselves")

// UserDetail is an account as admins see it.
type UserDetail struct {
	Identity models.Identity
	Emails   []models.Email
}

// AdminListUsers returns a page of accounts with their addresses and the total count.
func (s *Service) AdminListUsers(ctx context.Context, p *authn.Principal, f models.UserFilter, limit, page int) ([]UserDetail, int, error) {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return nil, 0, err
	}
	ids, total, err := s.List(ctx, f, limit, page)
	if err != nil {
		return nil, 0, err
	}
	userIDs := make([]string, len(ids))
	for i, id := range ids {
		userIDs[i] = id.User.ID
	}
	emails, err := s.store.EmailsOfUsers(ctx, userIDs)
	if err != nil {
		return nil, 0, models.Internal(err)
	}
	out := make([]UserDetail, 0, len(ids))
	for _, id := range ids {
		out = append(out, UserDetail{Identity: id, Emails: emails[id.User.ID]})
	}
	return out, total, nil
}

// AdminUser returns one account.
func (s *Service) AdminUser(ctx context.Context, p *authn.Principal, userID string) (*UserDetail, error) {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return nil, err
	}
	if _, err := models.ParseID(userID, "user id"); err != nil {
		return nil, err
	}
	id, err := s.store.Identity(ctx, userID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errNoUser
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	emails, err := s.store.EmailsOfUser(ctx, userID)
	if err != nil {
		return nil, models.Internal(err)
	}
	return &UserDetail{Identity: *id, Emails: emails}, nil
}

// AdminDeleteUser deletes another account.
func (s *Service) AdminDeleteUser(ctx context.Context, p *authn.Principal, userID string) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
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
	s.audit.Record(ctx, models.AuditUserDeleted, p.Actor(), userID, "deleted by an admin")
	return nil
}

// AdminSetEnabled disables (closing every session and refusing every key pair at once)
// or enables another account.
func (s *Service) AdminSetEnabled(ctx context.Context, p *authn.Principal, userID string, enabled bool) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := models.ParseID(userID, "user id"); err != nil {
		return err
	}
	if userID == p.UserID && !enabled {
		return errSelf
	}
	return s.SetEnabled(ctx, p.Actor(), userID, enabled)
}

// AdminSetVerified sets the identity-verified flag by hand.
func (s *Service) AdminSetVerified(ctx context.Context, p *authn.Principal, userID string, verified bool) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := models.ParseID(userID, "user id"); err != nil {
		return err
	}
	event := ""
	if verified {
		event = models.EventUserVerified // as a verification through Stripe publishes it
	}
	now := s.now()
	err := s.caches.Commit(revocation.UserChanged(event, userID, map[string]string{"userID": userID}), func(fx models.Effects) error {
		return s.store.SetUserVerified(ctx, userID, verified, now, fx)
	})
	if errors.Is(err, models.ErrNotFound) {
		return errNoUser
	}
	if err != nil {
		return models.Internal(err)
	}
	detail := "identity marked verified by an admin"
	if !verified {
		detail = "identity marked unverified by an admin"
	}
	s.audit.Record(ctx, models.AuditUserVerification, p.Actor(), userID, detail)
	return nil
}

// AdminGrantRole gives another account a role known to this deployment.
func (s *Service) AdminGrantRole(ctx context.Context, p *authn.Principal, userID, role string) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := s.AdminUser(ctx, p, userID); err != nil {
		return err
	}
	return s.GrantRole(ctx, p.Actor(), userID, role)
}

// AdminRevokeRole takes a role; an admin cannot take their own admin role.
func (s *Service) AdminRevokeRole(ctx context.Context, p *authn.Principal, userID, role string) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := s.AdminUser(ctx, p, userID); err != nil {
		return err
	}
	if userID == p.UserID && role == models.RoleAdmin {
		return errSelf
	}
	return s.RevokeRole(ctx, p.Actor(), userID, role)
}

// AdminAudit returns a page of the audit log, optionally about one user.
func (s *Service) AdminAudit(ctx context.Context, p *authn.Principal, userID string, limit, page int) ([]models.AuditEvent, int, error) {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return nil, 0, err
	}
	if userID != "" {
		if _, err := models.ParseID(userID, "userID"); err != nil {
			return nil, 0, err
		}
	}
	if limit < 1 || limit > 100 || page < 1 {
		return nil, 0, models.Invalid("limit must be 1 to 100 and page at least 1")
	}
	out, total, err := s.store.ListAudit(ctx, userID, limit, (page-1)*limit)
	if err != nil {
		return nil, 0, models.Internal(err)
	}
	return out, total, nil
}

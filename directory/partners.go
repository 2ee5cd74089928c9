package directory

import (
	"context"
	"errors"
	"net/url"
	"slices"

	"github.com/google/uuid"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// PartnerUser is what a partner sends to open an account for someone.
type PartnerUser struct {
	Email, FullName, Alias string
	Roles                  []string
	PortalURL              string
	Notify                 bool
}

// PartnerCreateUser opens an account on behalf of a partner. Its address stays
// unverified until its owner logs in (POST /user with the same address sends them a
// code), so a partner cannot vouch for an address it does not control. Roles are
// limited to partners.grantable_roles (403 beyond it); every account also gets "user".
func (s *Service) PartnerCreateUser(ctx context.Context, p *authn.Principal, in PartnerUser) (string, error) {
	addr, err := models.NormalizeEmail(in.Email)
	if err != nil {
		return "", err
	}
	name, err := models.NormalizeFullName(in.FullName)
	if err != nil {
		return "", err
	}
	alias, err := models.NormalizeAlias(in.Alias)
	if err != nil {
		return "", err
	}
	roles := []string{models.RoleUser}
	for _, r := range in.Roles {
		if r == models.RoleUser {
			continue
		}
		if !slices.Contains(s.o.PartnerRoles, r) {
			return "", models.E(models.KindForbidden, "partners may not grant this role")
		}
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if in.Notify {
		if u, err := url.Parse(in.PortalURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "", models.Invalid("portalURL must be an absolute http(s) URL when notify is set")
		}
	}
	owners, err := s.store.EmailsByAddress(ctx, addr)
	if err != nil {
		return "", models.Internal(err)
	}
	if len(owners) > 0 {
		return "", models.E(models.KindConflict, "this address is already on an account")
	}
	now := s.now()
	u := models.User{ID: uuid.NewString(), Alias: alias, FullName: name, Enabled: true, CreatedAt: now, UpdatedAt: now}
	err = s.store.CreateAccount(ctx, models.NewAccount{User: u, Roles: roles, Groups: []string{models.GroupPublic},
		Email: models.Email{ID: uuid.NewString(), UserID: u.ID, Address: addr, CreatedAt: now}}, revocation.UserCreated(u.ID))
	if errors.Is(err, models.ErrConflict) {
		return "", models.Wrap(models.KindConflict, "alias is already taken", err)
	}
	if err != nil {
		return "", models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditUserCreated, p.Actor(), u.ID, "by a partner")
	if in.Notify {
		partner, err := s.store.UserByID(ctx, p.UserID)
		if err != nil {
			return "", models.Internal(err)
		}
		if err := s.mail.SendInvite(ctx, models.InviteEmail{To: addr, FullName: name, PortalURL: in.PortalURL, Partner: partner.Alias}); err != nil {
			s.o.Logger.ErrorContext(ctx, "queue invitation", "err", err)
		}
	}
	return u.ID, nil
}

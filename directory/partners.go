package directory

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

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

// invitable checks an invitation before anything is stored: it links only to an https
// portal on partners.portal_hosts, the name reads as a name (no links or addresses to
// lend a phishing text authd's sender), and the partner is within its daily count.
func (s *Service) invitable(ctx context.Context, p *authn.Principal, name, portal string) error {
	u, err := url.Parse(portal)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Port() != "" {
		return models.Invalid("portalURL must be an absolute https URL without credentials or port when notify is set")
	}
	if !slices.Contains(s.o.PortalHosts, strings.ToLower(u.Hostname())) {
		return models.E(models.KindForbidden, "portalURL's host is not on partners.portal_hosts")
	}
	low := strings.ToLower(name)
	for _, bad := range []string{"://", "www.", "@", "http"} {
		if strings.Contains(low, bad) {
			return models.Invalid("fullName must be a name when notify is set: no links or addresses")
		}
	}
	return s.guard.AllowInvite(ctx, p.UserID)
}

// PartnerCreateUser opens an account on behalf of a partner. Its address stays
// unverified until its owner logs in (POST /user with the same address sends them a
// code), so a partner cannot vouch for an address it does not control. Roles are
// limited to partners.grantable_roles (403 beyond it); every account also gets "user".
// With notify, an invitation is mailed under invitable's rules.
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
		if err := s.invitable(ctx, p, name, in.PortalURL); err != nil {
			return "", err
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
	u := models.User{ID: uuid.NewString(), Alias: alias, FullName: name, Enabled: true, CreatedAt: now, UpdatedAt: now,
		InvitedBy: p.UserID}
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

package directory_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/authn"
	"github.com/authd/authd/identity"
	"github.com/authd/authd/models"
)

// actor is the identity package's view of the caller (nil: no caller).
func actor(p *authn.Principal) identity.Actor {
	if p == nil {
		return identity.Actor{}
	}
	return identity.Actor{ID: p.UserID, IP: p.Client.IP}
}

// TestAdminUseCasesCheckTheRoleThemselves: every admin use case refuses a caller
// without the admin role in the database, whatever its token said and whichever door
// called it, before touching anything; an admin passes the same check.
func TestAdminUseCasesCheckTheRoleThemselves(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx, d := e.Ctx, e.Directory
		victim := e.SignUp(t, "victim")
		id := uuid.NewString()
		calls := map[string]func(p *authn.Principal) error{
			"list users": func(p *authn.Principal) error {
				_, _, err := d.AdminListUsers(ctx, p, models.UserFilter{}, 10, 1)
				return err
			},
			"user":           func(p *authn.Principal) error { _, err := d.AdminUser(ctx, p, victim.UserID); return err },
			"delete user":    func(p *authn.Principal) error { return d.AdminDeleteUser(ctx, p, victim.UserID) },
			"disable":        func(p *authn.Principal) error { return d.AdminSetEnabled(ctx, p, id, false) },
			"verify":         func(p *authn.Principal) error { return d.AdminSetVerified(ctx, p, id, true) },
			"grant":          func(p *authn.Principal) error { return d.AdminGrantRole(ctx, p, id, models.RoleAdmin) },
			"revoke role":    func(p *authn.Principal) error { return d.AdminRevokeRole(ctx, p, id, models.RoleAdmin) },
			"audit":          func(p *authn.Principal) error { _, _, err := d.AdminAudit(ctx, p, "", 10, 1); return err },
			"failed events":  func(p *authn.Principal) error { _, _, err := d.AdminFailedEvents(ctx, p, 10, 1); return err },
			"replay event":   func(p *authn.Principal) error { return d.AdminReplayEvent(ctx, p, id, "default") },
			"revoke key":     func(p *authn.Principal) error { _, err := d.AdminRevokeSigningKey(ctx, p, "nope"); return err },
			"open session":   func(p *authn.Principal) error { _, err := e.Login.AdminCreateSession(ctx, p, id, ""); return err },
			"sessions":       func(p *authn.Principal) error { _, _, err := e.Login.AdminSessions(ctx, p, "", 10, 1); return err },
			"close session":  func(p *authn.Principal) error { return e.Login.AdminCloseSession(ctx, p, id) },
			"verify session": func(p *authn.Principal) error { return e.Login.AdminVerifySession(ctx, p, id) },
			"key pairs": func(p *authn.Principal) error {
				_, _, err := e.KeyPairs.AdminKeyPairs(ctx, p, "", 10, 1)
				return err
			},
			"create key pair": func(p *authn.Principal) error {
				_, err := e.KeyPairs.AdminCreateKeyPair(ctx, p, id, "k", 1)
				return err
			},
			"verify key pair": func(p *authn.Principal) error { return e.KeyPairs.AdminVerifyKeyPair(ctx, p, id) },
			"delete key pair": func(p *authn.Principal) error { return e.KeyPairs.AdminDeleteKeyPair(ctx, p, id) },
			"add email": func(p *authn.Principal) error {
				_, err := e.Emails.AdminAddEmail(ctx, p, id, "x@example.com")
				return err
			},
			"verify email": func(p *authn.Principal) error { return e.Emails.AdminVerifyEmail(ctx, p, id) },
			"prefer email": func(p *authn.Principal) error { return e.Emails.AdminPreferEmail(ctx, p, id) },
			"remove email": func(p *authn.Principal) error { return e.Emails.AdminRemoveEmail(ctx, p, id) },
			"verification": func(p *authn.Principal) error {
				_, err := e.Identity.AdminVerification(ctx, actor(p), victim.UserID)
				return err
			},
			"reset verification":  func(p *authn.Principal) error { return e.Identity.AdminReset(ctx, actor(p), id) },
			"revoke verification": func(p *authn.Principal) error { return e.Identity.AdminRevoke(ctx, actor(p), id) },
		}
		mallory := e.SignUp(t, "mallory")
		admin := e.SignUp(t, "root", models.RoleAdmin)
		for name, call := range calls {
			// A token that claims admin: the use case asks the database.
			if err := call(e.Claiming(t, mallory, models.RoleAdmin)); models.KindOf(err) != models.KindForbidden {
				t.Errorf("%s by a non-admin: %v, want forbidden", name, err)
			}
			if err := call(nil); models.KindOf(err) != models.KindForbidden {
				t.Errorf("%s without a caller: %v, want forbidden", name, err)
			}
		}
		if got, err := e.Store.Identity(ctx, victim.UserID); err != nil || !got.User.Enabled {
			t.Fatalf("a refused call changed the victim: %+v, %v", got, err)
		}
		for name, call := range calls {
			if err := call(admin.P); models.KindOf(err) == models.KindForbidden {
				t.Errorf("%s by an admin: forbidden", name)
			}
		}
	})
}

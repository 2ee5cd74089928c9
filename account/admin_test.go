package account

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/issuer"
	"github.com/authd/authd/keys"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// nullMailer stands in for the mail queue, a process boundary: admin use cases send
// no codes.
type nullMailer struct{}

func (nullMailer) SendCode(context.Context, models.CodeEmail) error     { return nil }
func (nullMailer) SendInvite(context.Context, models.InviteEmail) error { return nil }

// newService builds the account service on a real store, as app does.
func newService(t *testing.T, st *store.Store) *Service {
	t.Helper()
	ctx := context.Background()
	sec, err := keys.NewSecrets(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	km, err := keys.NewManager(ctx, st, sec, keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := issuer.New(km, issuer.Options{Issuer: "https://auth.example.com", Audience: "authd",
		PendingKey: sec.Derive("pending/v1"), RefreshKey: sec.Derive("refresh-chain/v1")})
	if err != nil {
		t.Fatal(err)
	}
	return New(st, tokens, nullMailer{}, km, Options{CodePepper: sec.Derive("c"), SecretPepper: sec.Derive("s"),
		LimitPepper: sec.Derive("l")})
}

func addUser(t *testing.T, st *store.Store, alias string, roles ...string) string {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := models.User{ID: uuid.NewString(), Alias: alias, FullName: alias, Enabled: true, CreatedAt: now, UpdatedAt: now}
	err := st.CreateAccount(context.Background(), models.NewAccount{User: u, Roles: append([]string{models.RoleUser}, roles...),
		Email: models.Email{ID: uuid.NewString(), UserID: u.ID, Address: alias + "@example.com", CreatedAt: now}}, models.Effects{})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestAdminUseCasesCheckTheRoleThemselves: every admin use case refuses a caller
// without the admin role in the database, whatever its token said and whichever door
// called it, before touching anything; an admin passes the same check.
func TestAdminUseCasesCheckTheRoleThemselves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		victim := addUser(t, st, "victim")
		id := uuid.NewString()
		calls := map[string]func(p *Principal) error{
			"list users": func(p *Principal) error {
				_, _, err := s.AdminListUsers(ctx, p, models.UserFilter{}, 10, 1)
				return err
			},
			"user":            func(p *Principal) error { _, err := s.AdminUser(ctx, p, victim); return err },
			"delete user":     func(p *Principal) error { return s.AdminDeleteUser(ctx, p, id) },
			"disable":         func(p *Principal) error { return s.AdminSetEnabled(ctx, p, id, false) },
			"verify":          func(p *Principal) error { return s.AdminSetVerified(ctx, p, id, true) },
			"grant":           func(p *Principal) error { return s.AdminGrantRole(ctx, p, id, models.RoleAdmin) },
			"revoke role":     func(p *Principal) error { return s.AdminRevokeRole(ctx, p, id, models.RoleAdmin) },
			"audit":           func(p *Principal) error { _, _, err := s.AdminAudit(ctx, p, "", 10, 1); return err },
			"open session":    func(p *Principal) error { _, err := s.AdminCreateSession(ctx, p, id, ""); return err },
			"sessions":        func(p *Principal) error { _, _, err := s.AdminSessions(ctx, p, "", 10, 1); return err },
			"close session":   func(p *Principal) error { return s.AdminCloseSession(ctx, p, id) },
			"key pairs":       func(p *Principal) error { _, _, err := s.AdminKeyPairs(ctx, p, "", 10, 1); return err },
			"create key pair": func(p *Principal) error { _, err := s.AdminCreateKeyPair(ctx, p, id, "k", 1); return err },
			"verify key pair": func(p *Principal) error { return s.AdminVerifyKeyPair(ctx, p, id) },
			"delete key pair": func(p *Principal) error { return s.AdminDeleteKeyPair(ctx, p, id) },
			"add email":       func(p *Principal) error { _, err := s.AdminAddEmail(ctx, p, id, "x@example.com"); return err },
			"verify email":    func(p *Principal) error { return s.AdminVerifyEmail(ctx, p, id) },
			"prefer email":    func(p *Principal) error { return s.AdminPreferEmail(ctx, p, id) },
			"remove email":    func(p *Principal) error { return s.AdminRemoveEmail(ctx, p, id) },
			"verify session":  func(p *Principal) error { return s.AdminVerifySession(ctx, p, id) },
			"failed events":   func(p *Principal) error { _, _, err := s.AdminFailedEvents(ctx, p, 10, 1); return err },
			"replay event":    func(p *Principal) error { return s.AdminReplayEvent(ctx, p, id, "default") },
			"revoke key":      func(p *Principal) error { _, err := s.AdminRevokeSigningKey(ctx, p, "nope"); return err },
		}
		user := addUser(t, st, "mallory")
		admin := addUser(t, st, "root", models.RoleAdmin)
		for name, call := range calls {
			// A principal whose token claims admin: the use case asks the database.
			p := &Principal{UserID: user, claims: &issuer.Claims{Subject: user, Roles: []string{models.RoleAdmin}}}
			if err := call(p); models.KindOf(err) != models.KindForbidden {
				t.Errorf("%s by a non-admin: %v, want forbidden", name, err)
			}
			if err := call(nil); models.KindOf(err) != models.KindForbidden {
				t.Errorf("%s without a caller: %v, want forbidden", name, err)
			}
			if err := call(&Principal{UserID: admin}); models.KindOf(err) == models.KindForbidden {
				t.Errorf("%s by an admin: forbidden", name)
			}
		}
		if got, _ := st.Identity(ctx, victim); !got.User.Enabled {
			t.Error("a refused call changed the victim")
		}
	})
}

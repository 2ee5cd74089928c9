package clients_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/authn"
	"github.com/authd/authd/clients"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
)

var _ clients.Store = (*store.Store)(nil)

func webSpec() clients.Spec {
	return clients.Spec{Name: "Dashboard", Type: models.ClientWeb, RedirectURIs: []string{"https://dash.example.com/cb"},
		PostLogoutRedirectURIs: []string{"https://dash.example.com/"}, BackchannelLogoutURI: "https://dash.example.com/bcl",
		IDTokenAlg: "ES256", AccessTTL: 5 * time.Minute}
}

// A web app's secret: shown once, stored as a keyed hash, checked in constant time;
// a rotation keeps the old one for its grace only. Public apps have none.
func TestRegisterAuthenticateRotate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx, cs := e.Ctx, e.Clients
		reg, err := cs.Create(ctx, apptest.Operator, webSpec())
		if err != nil {
			t.Fatal(err)
		}
		c := reg.Client
		if !strings.HasPrefix(c.ID, "authd_app_") || !strings.HasPrefix(reg.Secret, "authd_cs_") || len(c.SecretHash) != 32 ||
			strings.Contains(string(c.SecretHash), reg.Secret) {
			t.Fatalf("registered: %+v secret %q", c, reg.Secret)
		}
		got, err := cs.Get(ctx, c.ID)
		if err != nil || got.Name != "Dashboard" || got.IDTokenAlg != "ES256" || got.AccessTTLSeconds != 300 ||
			len(got.RedirectURIs) != 1 || len(got.Scopes) != 4 || got.BackchannelLogoutURI != "https://dash.example.com/bcl" {
			t.Fatalf("stored: %+v %v", got, err)
		}
		if _, err := cs.Authenticate(ctx, c.ID, reg.Secret); err != nil {
			t.Fatalf("the secret: %v", err)
		}
		// Its ID tokens' algorithm has keys now, published beside the access tokens'.
		if k, err := e.Keys.SigningKeyFor("ES256"); err != nil || !slices.Contains(e.Keys.Algorithms(), "ES256") {
			t.Fatalf("ES256 keys: %v %v", k, err)
		}
		// RS256 (the default) is there from the start; EdDSA only once an app asks.
		if _, err := e.Keys.SigningKeyFor("EdDSA"); err == nil || !slices.Equal(e.Keys.Algorithms(), []string{"ES256", "RS256"}) {
			t.Fatalf("before any EdDSA app: %v, algorithms %v", err, e.Keys.Algorithms())
		}
		spec := webSpec()
		spec.Name, spec.IDTokenAlg = "EdDSA app", "EdDSA"
		if _, err := cs.Create(ctx, apptest.Operator, spec); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Keys.SigningKeyFor("EdDSA"); err != nil || !slices.Contains(e.Keys.Algorithms(), "EdDSA") {
			t.Fatalf("after an EdDSA app: %v, algorithms %v", err, e.Keys.Algorithms())
		}
		for name, try := range map[string][2]string{
			"wrong secret":   {c.ID, reg.Secret[:len(reg.Secret)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(reg.Secret, "A")]},
			"unknown client": {"authd_app_AAAAAAAAAAAAAAAAAAAAAA", reg.Secret},
			"no secret":      {c.ID, ""},
			"api secret":     {c.ID, "authd_sk_" + reg.Secret[len("authd_cs_"):]},
		} {
			if _, err := cs.Authenticate(ctx, try[0], try[1]); models.KindOf(err) != models.KindUnauthorized {
				t.Errorf("%s: %v, want 401", name, err)
			}
		}

		rot, err := cs.RotateSecret(ctx, apptest.Operator, c.ID, time.Hour)
		if err != nil || rot.Secret == reg.Secret {
			t.Fatalf("rotate: %v", err)
		}
		for _, secret := range []string{reg.Secret, rot.Secret} {
			if _, err := cs.Authenticate(ctx, c.ID, secret); err != nil {
				t.Errorf("within the grace: %v", err)
			}
		}
		e.Clock.Advance(time.Hour + time.Second)
		if _, err := cs.Authenticate(ctx, c.ID, reg.Secret); models.KindOf(err) != models.KindUnauthorized {
			t.Errorf("the old secret after its grace: %v", err)
		}
		if _, err := cs.Authenticate(ctx, c.ID, rot.Secret); err != nil {
			t.Errorf("the new secret after the grace: %v", err)
		}
		if _, err := cs.RotateSecret(ctx, apptest.Operator, c.ID, 31*24*time.Hour); models.KindOf(err) != models.KindInvalid {
			t.Errorf("a grace beyond the bound: %v", err)
		}
		// A rotation naming no grace keeps the old secret for the default 24 hours.
		again, err := cs.RotateSecret(ctx, apptest.Operator, c.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(24*time.Hour - time.Minute)
		if _, err := cs.Authenticate(ctx, c.ID, rot.Secret); err != nil {
			t.Errorf("the old secret just inside the default grace: %v", err)
		}
		e.Clock.Advance(2 * time.Minute)
		if _, err := cs.Authenticate(ctx, c.ID, rot.Secret); models.KindOf(err) != models.KindUnauthorized {
			t.Errorf("the old secret after the default grace: %v", err)
		}
		if _, err := cs.Authenticate(ctx, c.ID, again.Secret); err != nil {
			t.Errorf("the new secret after the default grace: %v", err)
		}

		spa, err := cs.Create(ctx, apptest.Operator, clients.Spec{Name: "SPA", Type: models.ClientSPA,
			RedirectURIs: []string{"https://spa.example.com/"}})
		if err != nil || spa.Secret != "" || spa.Client.SecretHash != nil {
			t.Fatalf("a public app: %+v %v", spa, err)
		}
		if _, err := cs.RotateSecret(ctx, apptest.Operator, spa.Client.ID, 0); models.KindOf(err) != models.KindInvalid {
			t.Errorf("rotating a public app's secret: %v", err)
		}
		if _, err := cs.Authenticate(ctx, spa.Client.ID, reg.Secret); models.KindOf(err) != models.KindUnauthorized {
			t.Errorf("a public app authenticated with a secret: %v", err)
		}

		// Audited, with the change.
		entries, _, err := e.Store.ListAudit(ctx, "", 50, 0)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, a := range entries {
			if a.TargetID == c.ID || a.TargetID == spa.Client.ID {
				seen[a.Action]++
			}
			if strings.Contains(a.Detail, reg.Secret) || strings.Contains(a.Detail, rot.Secret) || strings.Contains(a.Detail, again.Secret) {
				t.Errorf("a secret in the audit log: %+v", a)
			}
		}
		if seen[clients.AuditCreated] != 2 || seen[clients.AuditRotated] != 2 { // the RS256 app is another target
			t.Errorf("audit: %v", seen)
		}
	})
}

func TestUpdateListDelete(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx, cs := e.Ctx, e.Clients
		reg, err := cs.Create(ctx, apptest.Operator, webSpec())
		if err != nil {
			t.Fatal(err)
		}
		sp := webSpec()
		sp.Name, sp.RedirectURIs, sp.FirstParty = "Dashboard 2", []string{"https://dash.example.com/cb2"}, true
		up, err := cs.Update(ctx, apptest.Operator, reg.Client.ID, sp)
		if err != nil || up.Name != "Dashboard 2" || !up.FirstParty || !clients.RedirectAllowed(up, "https://dash.example.com/cb2") ||
			clients.RedirectAllowed(up, "https://dash.example.com/cb") {
			t.Fatalf("update: %+v %v", up, err)
		}
		if _, err := cs.Authenticate(ctx, reg.Client.ID, reg.Secret); err != nil {
			t.Errorf("an update changed the secret: %v", err)
		}
		sp.Type = models.ClientSPA
		if _, err := cs.Update(ctx, apptest.Operator, reg.Client.ID, sp); models.KindOf(err) != models.KindInvalid {
			t.Errorf("a web app turned public: %v", err)
		}
		bad := webSpec()
		bad.RedirectURIs = []string{"https://*.example.com/cb"}
		if _, err := cs.Update(ctx, apptest.Operator, reg.Client.ID, bad); models.KindOf(err) != models.KindInvalid {
			t.Errorf("a wildcard redirect: %v", err)
		}
		if got, _ := cs.Get(ctx, reg.Client.ID); got.Name != "Dashboard 2" {
			t.Errorf("a refused update changed the app: %+v", got)
		}
		for i := range 3 {
			sp := webSpec()
			sp.Name = "App " + string(rune('A'+i))
			if _, err := cs.Create(ctx, apptest.Operator, sp); err != nil {
				t.Fatal(err)
			}
		}
		page, total, err := cs.List(ctx, 3, 1)
		if err != nil || total != 4 || len(page) != 3 || page[0].Name != "App A" {
			t.Fatalf("list: %d in all, %+v %v", total, page, err)
		}
		if rest, _, err := cs.List(ctx, 3, 2); err != nil || len(rest) != 1 || rest[0].Name != "Dashboard 2" {
			t.Fatalf("page 2: %+v %v", rest, err)
		}
		if _, _, err := cs.List(ctx, 101, 1); models.KindOf(err) != models.KindInvalid {
			t.Errorf("limit 101: %v", err)
		}
		if err := cs.Delete(ctx, apptest.Operator, reg.Client.ID); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"get":    func() error { _, err := cs.Get(ctx, reg.Client.ID); return err }(),
			"delete": cs.Delete(ctx, apptest.Operator, reg.Client.ID),
			"update": func() error { _, err := cs.Update(ctx, apptest.Operator, reg.Client.ID, webSpec()); return err }(),
		} {
			if models.KindOf(err) != models.KindNotFound {
				t.Errorf("%s after delete: %v", name, err)
			}
		}
		if _, err := cs.Authenticate(ctx, reg.Client.ID, reg.Secret); models.KindOf(err) != models.KindUnauthorized {
			t.Errorf("a deleted app authenticated: %v", err)
		}
	})
}

// The admin doors check the role in the database; the ones that create credentials
// also need the admin's own session.
func TestAdminDoors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx, cs := e.Ctx, e.Clients
		admin := e.SignUp(t, "root", models.RoleAdmin)
		mallory := e.SignUp(t, "mallory")
		pretender := e.Claiming(t, mallory, models.RoleAdmin)
		reg, err := cs.AdminCreate(ctx, admin.P, webSpec())
		if err != nil {
			t.Fatal(err)
		}
		id := reg.Client.ID
		calls := map[string]func(p *authn.Principal) error{
			"create": func(p *authn.Principal) error { _, err := cs.AdminCreate(ctx, p, webSpec()); return err },
			"get":    func(p *authn.Principal) error { _, err := cs.AdminGet(ctx, p, id); return err },
			"list":   func(p *authn.Principal) error { _, _, err := cs.AdminList(ctx, p, 10, 1); return err },
			"update": func(p *authn.Principal) error { _, err := cs.AdminUpdate(ctx, p, id, webSpec()); return err },
			"rotate": func(p *authn.Principal) error { _, err := cs.AdminRotateSecret(ctx, p, id, 0); return err },
			"delete": func(p *authn.Principal) error { return cs.AdminDelete(ctx, p, id) },
		}
		// The admin's key pair: reads yes, registering or re-keying an app no.
		k, err := e.KeyPairs.CreateKeyPair(ctx, admin.P, "ops", 30)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.KeyPairs.VerifyKeyPair(ctx, admin.P, k.VerificationCodeID, e.Mail.CodeFor(t, admin.Email, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
		viaKey, err := e.KeyPairs.AuthenticateKeyPair(ctx, k.APIKey, k.APISecret, "192.0.2.40")
		if err != nil {
			t.Fatal(err)
		}
		for name, wantOK := range map[string]bool{"create": false, "update": false, "rotate": false, "get": true, "list": true} {
			if err := calls[name](viaKey); (err == nil) != wantOK {
				t.Errorf("%s through the admin's key pair: %v", name, err)
			}
		}
		for _, name := range []string{"create", "get", "list", "update", "rotate", "delete"} {
			for who, p := range map[string]*authn.Principal{"nobody": nil, "a user": mallory.P, "a user whose token claims admin": pretender} {
				if err := calls[name](p); models.KindOf(err) != models.KindForbidden && models.KindOf(err) != models.KindUnauthorized {
					t.Errorf("%s by %s: %v", name, who, err)
				}
			}
			if err := calls[name](admin.P); err != nil {
				t.Errorf("%s by the admin: %v", name, err)
			}
		}
	})
}

package authn_test

import (
	"testing"

	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/authn"
	"github.com/authd/authd/login"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
)

var _ authn.Store = (*store.Store)(nil)

// TestAccessTokenFollowsItsSession: an access token authenticates while its session
// is open and its user enabled, and not a moment after either ends, on the instance
// that made the change (no wait for a cache to expire).
func TestAccessTokenFollowsItsSession(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ada := e.SignUp(t, "ada")
		p, err := e.Authn.Authenticate(e.Ctx, ada.Bearer)
		if err != nil || p.UserID != ada.UserID || p.Pending || p.Session() == nil || p.Claims() == nil {
			t.Fatalf("authenticate: %+v, %v", p, err)
		}
		if err := e.Login.Close(e.Ctx, ada.P, ada.P.SessionID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Authn.Authenticate(e.Ctx, ada.Bearer); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("after close: %v, want unauthorized", err)
		}

		bob := e.SignUp(t, "bob")
		if err := e.Directory.SetEnabled(e.Ctx, apptest.Operator, bob.UserID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Authn.Authenticate(e.Ctx, bob.Bearer); err == nil {
			t.Fatal("a disabled user's token still authenticates")
		}
		if _, err := e.Authn.Authenticate(e.Ctx, "eyJhbGciOiJub25lIn0.e30."); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("garbage token: %v, want unauthorized", err)
		}
	})
}

// TestPendingCredentialIsNarrow: the bearer POST /user answers is a pending principal
// with no account data, refused by every guard but its own session's.
func TestPendingCredentialIsNarrow(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		pend, err := e.Login.Register(e.Ctx, login.RegisterInput{Email: "cyrus@example.com", FullName: "Cyrus", Alias: "cyrus"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.Authn.Authenticate(e.Ctx, pend.Bearer)
		if err != nil || !p.Pending || p.UserID != "" || p.SessionID != pend.SessionID {
			t.Fatalf("pending principal: %+v, %v", p, err)
		}
		if err := authn.RequireVerified(p); models.KindOf(err) != models.KindUnauthorized {
			t.Errorf("RequireVerified: %v, want unauthorized", err)
		}
		if err := e.Authn.RequireAdmin(e.Ctx, p); err == nil {
			t.Error("RequireAdmin admitted a pending credential")
		}
	})
}

// TestRequireAdminAsksTheDatabase: a token's admin claim is not enough, and an admin
// role granted after login counts at once.
func TestRequireAdminAsksTheDatabase(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		mallory := e.SignUp(t, "mallory")
		claimed := e.Claiming(t, mallory, models.RoleAdmin)
		if !claimed.HasAnyRole(models.RoleAdmin) {
			t.Fatal("the token should claim admin")
		}
		if err := e.Authn.RequireAdmin(e.Ctx, claimed); models.KindOf(err) != models.KindForbidden {
			t.Fatalf("claimed admin: %v, want forbidden", err)
		}
		if err := e.Directory.GrantRole(e.Ctx, apptest.Operator, mallory.UserID, models.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if err := e.Authn.RequireAdmin(e.Ctx, e.Claiming(t, mallory)); err != nil {
			t.Fatalf("granted admin: %v", err)
		}
	})
}

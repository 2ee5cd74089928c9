package login_test

import (
	"testing"
	"time"

	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/login"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
)

var _ login.Store = (*store.Store)(nil)

// TestRefreshRotatesAndReuseClosesTheSession: a refresh token works once; its
// immediate retry within the grace window gets the same next token; presented again
// after the window it is reuse and closes the session, so even the newest tokens die.
func TestRefreshRotatesAndReuseClosesTheSession(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ada := e.SignUp(t, "ada")
		first, err := e.Login.Refresh(e.Ctx, ada.RefreshToken)
		if err != nil || first.RefreshToken == ada.RefreshToken || first.Bearer == "" {
			t.Fatalf("refresh: %+v, %v", first, err)
		}
		retry, err := e.Login.Refresh(e.Ctx, ada.RefreshToken)
		if err != nil || retry.RefreshToken != first.RefreshToken {
			t.Fatalf("retry within grace: %+v, %v; want the same next token", retry, err)
		}
		e.Clock.Advance(11 * time.Second)
		if _, err := e.Login.Refresh(e.Ctx, ada.RefreshToken); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("reuse: %v, want unauthorized", err)
		}
		if _, err := e.Login.Refresh(e.Ctx, first.RefreshToken); err == nil {
			t.Fatal("the newest refresh token survived reuse")
		}
		if _, err := e.Authn.Authenticate(e.Ctx, first.Bearer); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("access token after reuse: %v, want unauthorized", err)
		}
		if _, err := e.Login.Refresh(e.Ctx, "rft_not-a-token"); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("garbage: %v, want unauthorized", err)
		}
	})
}

// TestSessionsListAndClose: the caller sees their open sessions with the current one
// marked, closes another, and cannot close someone else's (not found).
func TestSessionsListAndClose(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		first := e.SignUp(t, "ada")
		second := e.LogIn(t, first.Email)
		list, err := e.Login.List(e.Ctx, second.P)
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %+v, %v", list, err)
		}
		for _, s := range list {
			if s.Current != (s.SessionID == second.P.SessionID) {
				t.Errorf("session %s current=%v", s.SessionID, s.Current)
			}
		}
		bob := e.SignUp(t, "bob")
		if err := e.Login.Close(e.Ctx, bob.P, first.P.SessionID); models.KindOf(err) != models.KindNotFound {
			t.Fatalf("closing someone else's session: %v, want not found", err)
		}
		if err := e.Login.Close(e.Ctx, second.P, first.P.SessionID); err != nil {
			t.Fatal(err)
		}
		if list, _ = e.Login.List(e.Ctx, second.P); len(list) != 1 || list[0].SessionID != second.P.SessionID {
			t.Fatalf("after close: %+v", list)
		}
	})
}

// TestExtendCarriesCurrentRoles: extending mints a token with the roles the user holds
// now, on a session that stays open.
func TestExtendCarriesCurrentRoles(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ada := e.SignUp(t, "ada")
		if err := e.Directory.GrantRole(e.Ctx, apptest.Operator, ada.UserID, models.RolePartner); err != nil {
			t.Fatal(err)
		}
		token, _, err := e.Login.Extend(e.Ctx, ada.P)
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.Authn.Authenticate(e.Ctx, token)
		if err != nil || !p.HasAnyRole(models.RolePartner) || p.SessionID != ada.P.SessionID {
			t.Fatalf("extended token: %+v, %v; want the partner role on the same session", p, err)
		}
	})
}

// TestLoginOfUnknownAddressSendsNothing: POST /session for an address without an
// account answers like any other and neither stores nor sends anything.
func TestLoginOfUnknownAddressSendsNothing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		pend, err := e.Login.StartSession(e.Ctx, login.StartInput{Email: "nobody@example.com"})
		if err != nil || pend.Bearer == "" || pend.VerificationCodeID == "" {
			t.Fatalf("start: %+v, %v", pend, err)
		}
		time.Sleep(100 * time.Millisecond) // the mail queue would have sent by now
		if n := e.Mail.Count("nobody@example.com"); n != 0 {
			t.Fatalf("%d messages sent to an address without an account", n)
		}
		if _, err := e.Login.VerifySession(e.Ctx, pend.VerificationCodeID, "123456", e.Client()); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("verifying the decoy: %v, want unauthorized", err)
		}
	})
}

// TestAdminGrantedAfterLoginGetsAdminLimits (issue 11 item 7): a 30-day session whose
// user is made admin gets the admin lifetimes (12 h at most from then, 30 minutes
// idle) with the first token that carries admin, from a refresh or an extend.
func TestAdminGrantedAfterLoginGetsAdminLimits(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ada := e.SignUp(t, "ada")
		if left := ada.SessionExpireAt.Sub(e.Clock.Now()); left < 29*24*time.Hour {
			t.Fatalf("a user's session lasts %s", left)
		}
		if err := e.Directory.GrantRole(e.Ctx, apptest.Operator, ada.UserID, models.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		r, err := e.Login.Refresh(e.Ctx, ada.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if left := r.SessionExpireAt.Sub(e.Clock.Now()); left > 12*time.Hour {
			t.Fatalf("after the grant the session still lasts %s", left)
		}
		p, err := e.Authn.Authenticate(e.Ctx, r.Bearer)
		if err != nil || !p.HasAnyRole(models.RoleAdmin) {
			t.Fatalf("refreshed token: %v %v", p, err)
		}
		e.Clock.Advance(31 * time.Minute)
		if _, err := e.Login.Refresh(e.Ctx, r.RefreshToken); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("refresh after 31 idle minutes as admin: %v, want unauthorized", err)
		}

		bob := e.SignUp(t, "bob")
		if err := e.Directory.GrantRole(e.Ctx, apptest.Operator, bob.UserID, models.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.Login.Extend(e.Ctx, bob.P); err != nil {
			t.Fatal(err)
		}
		sess, err := e.Store.SessionByID(e.Ctx, bob.P.SessionID)
		if err != nil || sess.IdleSeconds != 30*60 || sess.ExpiresAt.Sub(e.Clock.Now()) > 12*time.Hour {
			t.Fatalf("after extend: idle %d s, ends in %s (%v)", sess.IdleSeconds, sess.ExpiresAt.Sub(e.Clock.Now()), err)
		}
	})
}

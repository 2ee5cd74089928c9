package emails_test

import (
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/emails"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
)

var _ emails.Store = (*store.Store)(nil)

// TestAddressLifecycle: a new address is verified by the code mailed to it, can then
// be preferred, and the old one removed; the preferred and the last verified address
// stay; an address verified on another account cannot be added; another person's
// address is "not found".
func TestAddressLifecycle(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx, s := e.Ctx, e.Emails
		ada := e.SignUp(t, "ada")
		bob := e.SignUp(t, "bob")
		// Bob's verified address is added like any other (no enumeration); only its code,
		// which goes to bob, could verify it, and then it is a conflict.
		_, bobCodeID, err := s.AddEmail(ctx, ada.P, bob.Email)
		if err != nil {
			t.Fatalf("adding bob's verified address: %v, want it answered like a free one", err)
		}
		if err := s.VerifyEmail(ctx, ada.P, ada.P.Client, bobCodeID, e.Mail.CodeFor(t, bob.Email, 5*time.Second)); models.KindOf(err) != models.KindConflict {
			t.Fatalf("verifying bob's address with his code: %v, want conflict", err)
		}
		id, codeID, err := s.AddEmail(ctx, ada.P, "ada.work@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PreferEmail(ctx, ada.P, id); models.KindOf(err) != models.KindConflict {
			t.Fatalf("preferring an unverified address: %v, want conflict", err)
		}
		code := e.Mail.CodeFor(t, "ada.work@example.com", 5*time.Second)
		if err := s.VerifyEmail(ctx, bob.P, bob.P.Client, codeID, code); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("bob using ada's code: %v, want unauthorized", err)
		}
		if err := s.VerifyEmail(ctx, ada.P, ada.P.Client, codeID, code); err != nil {
			t.Fatalf("verify: %v", err)
		}
		if err := s.PreferEmail(ctx, ada.P, id); err != nil {
			t.Fatalf("prefer: %v", err)
		}
		// Further changes need a login through the address that is preferred now.
		first := ada.Email
		ada = e.LogIn(t, "ada.work@example.com")
		if err := s.RemoveEmail(ctx, ada.P, id); models.KindOf(err) != models.KindConflict {
			t.Fatalf("removing the preferred address: %v, want conflict", err)
		}
		list, err := s.ListEmails(ctx, ada.P)
		if err != nil || len(list) != 3 {
			t.Fatalf("list: %+v, %v", list, err)
		}
		var old string
		for _, m := range list {
			if m.Address == first {
				old = m.ID
			}
		}
		if err := s.RemoveEmail(ctx, bob.P, old); models.KindOf(err) != models.KindNotFound {
			t.Fatalf("bob removing ada's address: %v, want not found", err)
		}
		if err := s.RemoveEmail(ctx, ada.P, old); err != nil {
			t.Fatalf("removing the old address: %v", err)
		}
		if _, _, err := s.AddEmail(ctx, ada.P, "not an address"); models.KindOf(err) != models.KindInvalid {
			t.Fatalf("bad address: %v, want invalid", err)
		}
	})
}

// TestStolenTokenCannotMoveTheAccount (issue 11 item 1): with only a bearer of a
// session older than the reauthentication window, or one logged in through an
// address that is not the preferred one, no address can be added, preferred or
// removed; the preferred address is told of every change, with the client's IP.
func TestStolenTokenCannotMoveTheAccount(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx, s := e.Ctx, e.Emails
		ada := e.SignUp(t, "ada")
		work, codeID, err := s.AddEmail(ctx, ada.P, "ada.work@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyEmail(ctx, ada.P, ada.P.Client, codeID, e.Mail.CodeFor(t, "ada.work@example.com", 5*time.Second)); err != nil {
			t.Fatal(err)
		}
		added := e.Mail.WaitFor(t, ada.Email, 5*time.Second)
		if !strings.Contains(added.Text, "ada.work@example.com was added") || !strings.Contains(added.Text, ada.P.Client.IP) {
			t.Fatalf("notice of the added address: %q", added.Text)
		}
		stale := func(err error) bool { return models.KindOf(err) == models.KindForbidden }

		e.Clock.Advance(6 * time.Minute) // the stolen token's session logged in long ago
		if _, _, err := s.AddEmail(ctx, ada.P, "evil@example.net"); !stale(err) {
			t.Errorf("add with a stale session: %v, want forbidden", err)
		}
		if err := s.PreferEmail(ctx, ada.P, work); !stale(err) {
			t.Errorf("prefer with a stale session: %v, want forbidden", err)
		}
		if err := s.RemoveEmail(ctx, ada.P, work); !stale(err) {
			t.Errorf("remove with a stale session: %v, want forbidden", err)
		}
		viaWork := e.LogIn(t, "ada.work@example.com") // fresh, but not through the preferred address
		if err := s.PreferEmail(ctx, viaWork.P, work); !stale(err) {
			t.Errorf("prefer through a secondary address: %v, want forbidden", err)
		}
		fresh := e.LogIn(t, ada.Email)
		if err := s.PreferEmail(ctx, fresh.P, work); err != nil {
			t.Fatalf("prefer right after logging in through the preferred address: %v", err)
		}
		moved := e.Mail.WaitFor(t, ada.Email, 5*time.Second)
		if !strings.Contains(moved.Text, "ada.work@example.com became your account's preferred address") {
			t.Fatalf("notice to the old preferred address: %q", moved.Text)
		}
	})
}

package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// TestUnverifiedAccountsExpire: only self-registered accounts that never verified an
// address, created before the cut, are listed and deleted (with their effects); a
// verified one and a partner's invitation stay.
func TestUnverifiedAccountsExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		old, fresh, done := accountAt(t, s, "oldreg", now.Add(-48*time.Hour)), accountAt(t, s, "newreg", now), accountAt(t, s, "donereg", now.Add(-48*time.Hour))
		if err := s.SetEmailVerified(ctx, done.user.ID, done.email.ID, now); err != nil {
			t.Fatal(err)
		}
		invited := accountAt(t, s, "invitedreg", now.Add(-48*time.Hour))
		if err := s.ExecRaw(ctx, "UPDATE users SET invited_by = ? WHERE id = ?", done.user.ID, invited.user.ID); err != nil {
			t.Fatal(err)
		}
		cut := now.Add(-24 * time.Hour)
		ids, err := s.UnverifiedAccounts(ctx, cut, 10)
		if err != nil || len(ids) != 1 || ids[0] != old.user.ID {
			t.Fatalf("UnverifiedAccounts = %v, %v; want only %s", ids, err, old.user.ID)
		}
		var fx models.Effects
		fx.Changed(models.ChangedUser, old.user.ID)
		for _, f := range []fixture{fresh, done, invited} {
			if err := s.DeleteUnverifiedAccount(ctx, f.user.ID, cut, now, fx); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s: %v, want not found", f.user.Alias, err)
			}
		}
		if err := s.DeleteUnverifiedAccount(ctx, old.user.ID, cut, now, fx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByID(ctx, old.user.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("expired account still there: %v", err)
		}
		if changes := feedChanges(t, s, now.Add(-time.Minute)); len(changes) != 1 {
			t.Fatalf("change feed: %+v, want the one deletion", changes)
		}
		if taken, _ := s.AliasTaken(ctx, "oldreg"); taken {
			t.Error("the expired account's alias is still taken")
		}
	})
}

// TestFirstVerificationNamesTheAccount: activating a login registered with a name and
// alias renames a never-verified account, not a verified one; an alias taken meanwhile
// is ErrAliasTaken and changes nothing.
func TestFirstVerificationNamesTheAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		activate := func(f fixture, alias string) error {
			sess := models.Session{ID: uuid.NewString(), UserID: f.user.ID, EmailID: f.email.ID, Kind: models.SessionWeb,
				CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now, RegisterAlias: alias, RegisterFullName: "Named " + alias}
			code := codeFor(f, models.PurposeSession, sess.ID, now)
			if err := s.CreatePendingSession(ctx, &sess, &code); err != nil {
				t.Fatal(err)
			}
			return s.ActivateSession(ctx, models.Activation{CodeID: code.ID, SessionID: sess.ID, UserID: f.user.ID,
				EmailID: f.email.ID, RefreshHash: []byte("h" + sess.ID), ExpiresAt: now.Add(time.Hour), Now: now}, models.Effects{})
		}
		accountAt(t, s, "taken", now)
		squat := accountAt(t, s, "squatter", now)
		if err := activate(squat, "taken"); !errors.Is(err, models.ErrAliasTaken) {
			t.Fatalf("a taken alias: %v, want ErrAliasTaken", err)
		}
		if u, _ := s.UserByID(ctx, squat.user.ID); u.Alias != "squatter" {
			t.Fatalf("a failed activation renamed the account to %q", u.Alias)
		}
		if err := activate(squat, "owner"); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, squat.user.ID); u.Alias != "owner" || u.FullName != "Named owner" {
			t.Fatalf("after the first verification: %q %q", u.Alias, u.FullName)
		}
		if err := activate(squat, "later"); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, squat.user.ID); u.Alias != "owner" {
			t.Fatalf("a later login renamed a verified account to %q", u.Alias)
		}
	})
}

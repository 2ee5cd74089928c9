package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// TestEffectsAreWrittenTogether: every kind of effect a use case decides (events,
// revocation-feed entries, change-feed entries, audit rows) is written, and on
// Postgres all of them in one statement inside the transaction, with the
// notification.
func TestEffectsAreWrittenTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := feedAccount(t, s)
		var fx models.Effects
		fx.Emit(models.EventSessionRevoked, f.user.ID, map[string]string{"sessionID": "s1"}).
			Emit(models.EventUserEnabled, f.user.ID, nil).
			Revoke(models.RevokedSession, "s1", t0.Add(time.Hour)).
			Changed(models.ChangedSession, "s1").Changed(models.ChangedUser, f.user.ID)
		fx.Audit = append(fx.Audit, models.AuditEvent{ID: uuid.NewString(), At: t0, Action: models.AuditLogin,
			ActorID: f.user.ID, TargetID: f.user.ID, Detail: "effects test"})
		count := &statements{}
		n := count.during(func() {
			if err := s.WithQueryHook(count).Record(ctx, fx, t0); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%s: %d statements", s.Dialect(), n)
		if s.Dialect() == store.Postgres && n > 3 {
			t.Errorf("six effects took %d statements on Postgres, want BEGIN, one, COMMIT", n)
		}
		if routed, err := s.RouteEvents(ctx, []models.EventRoute{{Name: "all"}}, t0, t0.Add(time.Minute), 100); err != nil || routed != 2 {
			t.Errorf("events: %d %v, want 2", routed, err)
		}
		if revs, err := s.Revocations(ctx, t0.Add(-time.Minute), t0, 100); err != nil || len(revs) != 1 || revs[0].Subject != "s1" {
			t.Errorf("revocations: %+v %v", revs, err)
		}
		if changes, err := s.Changes(ctx, t0.Add(-time.Minute), "", 100); err != nil || len(changes) != 3 {
			t.Errorf("changes: %+v %v, want 3 (the revocation writes one too)", changes, err)
		}
		if audit, _, err := s.ListAudit(ctx, f.user.ID, 10, 0); err != nil || len(audit) != 1 || audit[0].Detail != "effects test" {
			t.Errorf("audit: %+v %v", audit, err)
		}
	})
}

// TestActivationIsOneWriteOnPostgres: activating a login with its effects (an event, a
// change entry and its notification) is the user's lock and one statement in the
// transaction on Postgres, and the whole activation lands.
func TestActivationIsOneWriteOnPostgres(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		sess, code := pendingSession(t, s, f, 10*time.Minute)
		var fx models.Effects
		fx.Emit(models.EventSessionCreated, f.user.ID, map[string]string{"sessionID": sess.ID}).Changed(models.ChangedSession, sess.ID)
		count := &statements{}
		n := count.during(func() {
			err := s.WithQueryHook(count).ActivateSession(ctx, models.Activation{
				CodeID: code.ID, SessionID: sess.ID, UserID: f.user.ID, EmailID: f.email.ID,
				RefreshHash: []byte("r"), ExpiresAt: t0.Add(time.Hour), Now: t0.Add(time.Minute)}, fx)
			if err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%s: %d statements", s.Dialect(), n)
		if s.Dialect() == store.Postgres && n > 4 {
			t.Errorf("an activation took %d statements on Postgres, want BEGIN, the lock, one, COMMIT", n)
		}
		if got, err := s.SessionByID(ctx, sess.ID); err != nil || got.VerifiedAt == nil {
			t.Errorf("the session after activation: %+v %v", got, err)
		}
		owners, err := s.EmailsByAddress(ctx, "ada@example.com")
		if err != nil || len(owners) != 1 || !owners[0].Email.Verified || !owners[0].Email.Preferred {
			t.Errorf("the address after activation: %+v %v", owners, err)
		}
		if changes, err := s.Changes(ctx, t0, "", 10); err != nil || len(changes) != 1 || changes[0].Subject != sess.ID {
			t.Errorf("change entries: %+v %v", changes, err)
		}
	})
}

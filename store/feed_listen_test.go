package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// TestListenNotifiesOnlyCommittedChanges: on Postgres a listener hears a committed
// Record with a change-feed entry, and nothing for a rolled-back one or a commit
// without changes; on SQLite Listen returns at once without calling notify.
func TestListenNotifiesOnlyCommittedChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		notes := make(chan struct{}, 16)
		notify := func() { notes <- struct{}{} }

		if s.Dialect() == store.SQLite {
			done := make(chan struct{})
			go func() { s.Listen(ctx, notify); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Listen on SQLite did not return at once")
			}
			if len(notes) != 0 {
				t.Errorf("Listen on SQLite called notify %d times, want 0", len(notes))
			}
			return
		}

		lctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { s.Listen(lctx, notify); close(done) }()
		defer func() {
			stop()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("Listen did not return after its context ended")
			}
		}()
		wait := func(what string, d time.Duration) bool {
			t.Helper()
			select {
			case <-notes:
				return true
			case <-time.After(d):
				return false
			case <-ctx.Done():
				t.Fatalf("%s: %v", what, ctx.Err())
				return false
			}
		}
		// Listen calls notify once it is listening (for what it may have missed).
		if !wait("listening", 10*time.Second) {
			t.Fatal("Listen never called notify after connecting")
		}

		var fx models.Effects
		fx.Changed(models.ChangedUser, "user-1")
		rollback := errors.New("rollback")
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			if err := tx.Record(ctx, fx, t0); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("RunInTx: got %v, want the rollback error", err)
		}
		// A commit with a revocation but no change-feed entry sends nothing either.
		feedRecord(t, s, models.Effects{Revocations: []models.Revocation{
			{Kind: models.RevokedToken, Subject: "jti-1", ExpiresAt: t0.Add(time.Hour)}}}, t0)
		// Notifications arrive in commit order: had either of those sent one, it would
		// come before this commit's.
		feedRecord(t, s, fx, t0)
		if !wait("after commit", 10*time.Second) {
			t.Fatal("no notification after a committed change")
		}
		if wait("extra", 500*time.Millisecond) {
			t.Error("more than one notification: a rolled-back or change-less write notified")
		}
		if got := feedSubjects(feedChanges(t, s, t0)); len(got) != 1 {
			t.Errorf("change feed: got %q, want the one committed entry", got)
		}
	})
}

package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// TestRevocationCommittedLateIsRead (issue 11 item 8): an entry whose transaction
// commits long after its timestamp (a row lock held for 8 s), and after a later entry
// was read, is still returned from the cursor that reader got. (SQLite has one
// connection: no read runs while a write is open, so there the late entry commits
// between the two reads, 8 s after its timestamp.)
func TestRevocationCommittedLateIsRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if s.Dialect() != store.Postgres {
			lateOnOneWriter(t, s)
			return
		}
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		head, err := s.RevocationsHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		inserted, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
				if err := tx.Record(ctx, revoke("late", now.Add(-8*time.Second)), now.Add(-8*time.Second)); err != nil {
					return err
				}
				close(inserted)
				<-release
				return nil
			})
		}()
		<-inserted
		if err := s.Record(ctx, revoke("early", now), now); err != nil {
			t.Fatal(err)
		}
		rows, cursor, _, err := s.RevocationsAfter(ctx, head, now, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Subject == "late" {
				t.Fatal("an uncommitted entry was read")
			}
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		rows, _, _, err = s.RevocationsAfter(ctx, cursor, now, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rows {
			found = found || r.Subject == "late"
		}
		if !found {
			t.Fatalf("the late entry is not read from the cursor %d: %+v", cursor, rows)
		}
	})
}

func revoke(subject string, at time.Time) models.Effects {
	var fx models.Effects
	fx.Revoke(models.RevokedSession, subject, at.Add(time.Hour))
	return fx
}

func lateOnOneWriter(t *testing.T, s *store.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := s.Record(ctx, revoke("early", now), now); err != nil {
		t.Fatal(err)
	}
	_, cursor, _, err := s.RevocationsAfter(ctx, 0, now, 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, revoke("late", now.Add(-8*time.Second)), now.Add(-8*time.Second)); err != nil {
		t.Fatal(err)
	}
	rows, _, _, err := s.RevocationsAfter(ctx, cursor, now, 100)
	if err != nil || len(rows) != 1 || rows[0].Subject != "late" {
		t.Fatalf("from the cursor: %+v, %v; want just the late entry", rows, err)
	}
}

package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// TestCountHitIsShared: concurrent hits on one window are all counted (as from
// several instances), windows are apart, and ended windows are pruned.
func TestCountHitIsShared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w1, w2 := t0.Truncate(time.Minute), t0.Truncate(time.Minute).Add(time.Minute)
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.CountHit(ctx, "b", w1, w2); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n, err := s.CountHit(ctx, "b", w1, w2); err != nil || n != 21 {
			t.Fatalf("after 20 concurrent hits: %d %v", n, err)
		}
		if n, err := s.CountHit(ctx, "b", w2, w2.Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("next window: %d %v", n, err)
		}
		if n, err := s.CountHit(ctx, "other", w1, w2); err != nil || n != 1 {
			t.Fatalf("other bucket: %d %v", n, err)
		}
		if n, err := s.PruneRateCounters(ctx, w2.Add(time.Second)); err != nil || n != 2 {
			t.Fatalf("pruned %d %v", n, err)
		}
	})
}

func TestCodeFailureRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		for i := 1; i <= 3; i++ {
			if n, err := s.RecordCodeFailure(ctx, f.user.ID); err != nil || n != i {
				t.Fatalf("run %d: %d %v", i, n, err)
			}
		}
		if err := s.BlockCodes(ctx, f.user.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		u, err := s.UserByID(ctx, f.user.ID)
		if err != nil || u.CodeFailures != 3 || u.CodesBlockedUntil == nil || !u.CodesBlockedUntil.Equal(t0.Add(time.Hour)) {
			t.Fatalf("user %+v %v", u, err)
		}
		if err := s.ResetCodeFailures(ctx, f.user.ID); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, f.user.ID); u.CodeFailures != 0 || u.CodesBlockedUntil != nil {
			t.Fatalf("after reset %+v", u)
		}
	})
}

// TestCheckIntegrityFindsHalfWrites: a sound database passes; a user left without an
// address (what a half-applied registration would leave) is reported.
func TestCheckIntegrityFindsHalfWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		if p, err := s.CheckIntegrity(ctx); err != nil || len(p) != 0 {
			t.Fatalf("sound database: %v %v", p, err)
		}
		if err := s.DeleteEmail(ctx, f.user.ID, f.email.ID); err != nil {
			t.Fatal(err)
		}
		p, err := s.CheckIntegrity(ctx)
		if err != nil || len(p) != 1 || p[0] != "1 users without an email address" {
			t.Fatalf("got %v %v", p, err)
		}
	})
}

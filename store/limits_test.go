package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/models"
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
				if _, err := s.CountHits(ctx, []models.RateHit{{Bucket: "b", WindowStart: w1, ExpiresAt: w2, Max: 100}}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		one := func(bucket string, start, end time.Time) int {
			t.Helper()
			n, err := s.CountHits(ctx, []models.RateHit{{Bucket: bucket, WindowStart: start, ExpiresAt: end, Max: 100}})
			if err != nil || len(n) != 1 {
				t.Fatalf("count %s: %v %v", bucket, n, err)
			}
			return n[0]
		}
		if n := one("b", w1, w2); n != 21 {
			t.Fatalf("after 20 concurrent hits: %d", n)
		}
		if n := one("b", w2, w2.Add(time.Minute)); n != 1 {
			t.Fatalf("next window: %d", n)
		}
		if n := one("other", w1, w2); n != 1 {
			t.Fatalf("other bucket: %d", n)
		}
		if n, err := s.PruneRateCounters(ctx, w2.Add(time.Second)); err != nil || n != 2 {
			t.Fatalf("pruned %d %v", n, err)
		}
	})
}

// TestCountHitsStopAtTheFirstRefusal: hits are counted in order, a hit over its
// limit still counts on its own counter, and none after it is counted, so a refused
// request does not use up the next limit; concurrent chains never count past the
// refusal either.
func TestCountHitsStopAtTheFirstRefusal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := t0.Truncate(time.Hour)
		chain := []models.RateHit{
			{Bucket: "a", WindowStart: start, ExpiresAt: start.Add(time.Hour), Max: 2},
			{Bucket: "b", WindowStart: start, ExpiresAt: start.Add(time.Hour), Max: 3},
			{Bucket: "c", WindowStart: start.Add(-time.Hour), ExpiresAt: start.Add(time.Hour), Max: 10},
		}
		for i, want := range [][]int{{1, 1, 1}, {2, 2, 2}, {3}, {4}} {
			got, err := s.CountHits(ctx, chain)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("chain %d: %v %v, want %v", i+1, got, err, want)
			}
		}
		// b alone, then the chain with a lifted: b refuses at 4, c is not counted.
		if got, err := s.CountHits(ctx, chain[1:2]); err != nil || !slices.Equal(got, []int{3}) {
			t.Fatalf("b alone: %v %v", got, err)
		}
		chain[0].Max = 100
		if got, err := s.CountHits(ctx, chain); err != nil || !slices.Equal(got, []int{5, 4}) {
			t.Fatalf("b refuses: %v %v", got, err)
		}
		if got, err := s.CountHits(ctx, chain[2:]); err != nil || !slices.Equal(got, []int{3}) {
			t.Fatalf("c was counted past a refusal: %v %v", got, err)
		}
		if got, err := s.CountHits(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("no hits: %v %v", got, err)
		}

		// Concurrent chains on fresh counters: every chain counts on d, and e counts
		// exactly the chains d allowed.
		fresh := []models.RateHit{
			{Bucket: "d", WindowStart: start, ExpiresAt: start.Add(time.Hour), Max: 5},
			{Bucket: "e", WindowStart: start, ExpiresAt: start.Add(time.Hour), Max: 100},
		}
		var wg sync.WaitGroup
		for range 12 {
			wg.Go(func() {
				if _, err := s.CountHits(ctx, fresh); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got, err := s.CountHits(ctx, fresh)
		if err != nil || !slices.Equal(got, []int{13}) {
			t.Fatalf("after 12 concurrent chains: %v %v, want d at 13 and e not counted", got, err)
		}
		fresh[0].Max = 100
		if got, err := s.CountHits(ctx, fresh); err != nil || !slices.Equal(got, []int{14, 6}) {
			t.Fatalf("e counted %v %v, want the 5 chains d allowed plus this one", got, err)
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

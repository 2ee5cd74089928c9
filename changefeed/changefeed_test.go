package changefeed_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/changefeed"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// applied collects what a follower applies, by subject.
type applied struct {
	mu    sync.Mutex
	count map[string]int
}

func (a *applied) apply(_ context.Context, changes []models.Change) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range changes {
		a.count[c.Subject]++
	}
}

func record(t *testing.T, s *store.Store, at time.Time, subjects ...string) {
	t.Helper()
	var fx models.Effects
	for _, sub := range subjects {
		fx.Changed(models.ChangedSession, sub)
	}
	if err := s.Record(context.Background(), fx, at); err != nil {
		t.Fatal(err)
	}
}

// TestFollowerAppliesEachChangeOnce: entries written before the follower's start
// (within the overlap), after it, and late (a timestamp behind what was already read,
// as a transaction that commits after a later one) are each applied exactly once, and
// re-reading the overlap applies nothing again; more than a page is read in one Sync.
func TestFollowerAppliesEachChangeOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		got := &applied{count: map[string]int{}}
		record(t, s, t0.Add(-time.Minute), "ancient") // before the overlap: not this follower's business
		record(t, s, t0.Add(-2*time.Second), "just-before")
		f := changefeed.New(s, t0, got.apply, changefeed.Options{})
		record(t, s, t0.Add(time.Second), "a", "b")
		for range 2 {
			if err := f.Sync(ctx); err != nil {
				t.Fatal(err)
			}
		}
		record(t, s, t0.Add(500*time.Millisecond), "late") // behind the cursor, within the overlap
		many := make([]string, 1500)
		for i := range many {
			many[i] = "bulk"
		}
		record(t, s, t0.Add(2*time.Second), many...)
		if err := f.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"just-before": 1, "a": 1, "b": 1, "late": 1, "bulk": 1500}
		for sub, n := range want {
			if got.count[sub] != n {
				t.Errorf("%s applied %d times, want %d", sub, got.count[sub], n)
			}
		}
		if got.count["ancient"] != 0 {
			t.Errorf("an entry from before the overlap was applied")
		}
	})
}

// TestCatchUpReadsOnlyWhatIsNew: a catch-up (what a commit's notification triggers)
// applies entries after the newest one read, not a late one behind it, which the next
// Sync applies; nothing is applied twice.
func TestCatchUpReadsOnlyWhatIsNew(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		got := &applied{count: map[string]int{}}
		f := changefeed.New(s, t0, got.apply, changefeed.Options{})
		record(t, s, t0.Add(2*time.Second), "first")
		if err := f.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		record(t, s, t0.Add(time.Second), "late")
		record(t, s, t0.Add(3*time.Second), "next")
		if err := f.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if got.count["next"] != 1 || got.count["late"] != 0 || got.count["first"] != 1 {
			t.Fatalf("after the catch-up: %v, want next applied, late not yet, first once", got.count)
		}
		if err := f.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if got.count["late"] != 1 || got.count["next"] != 1 || got.count["first"] != 1 {
			t.Fatalf("after the next sync: %v, want each applied once", got.count)
		}
	})
}

// TestFollowerWakesOnNotify: on Postgres a commit by another connection reaches Run at
// once through LISTEN/NOTIFY, long before its next poll.
func TestFollowerWakesOnNotify(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		if b.Name != store.Postgres {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			s := storetest.Open(t, b.DSN)
			got := &applied{count: map[string]int{}}
			f := changefeed.New(s, time.Now(), got.apply, changefeed.Options{})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { f.Run(ctx, time.Hour); close(done) }()
			defer func() { cancel(); <-done }()
			time.Sleep(200 * time.Millisecond) // the listener connects (it syncs once when it has)
			start := time.Now()
			record(t, s, time.Now(), "pushed")
			for {
				got.mu.Lock()
				n := got.count["pushed"]
				got.mu.Unlock()
				if n == 1 {
					break
				}
				if time.Since(start) > 5*time.Second {
					t.Fatal("no notification within 5 s (the poll is an hour)")
				}
				time.Sleep(5 * time.Millisecond)
			}
			t.Logf("applied %s after the commit", time.Since(start).Round(time.Millisecond))
		})
	}
}

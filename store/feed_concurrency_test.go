package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// feedWorkers is how many goroutines race in these tests.
const feedWorkers = 4

// feedRace runs fn in feedWorkers goroutines released at once (race), and returns
// their errors.
func feedRace(fn func(worker int) error) []error { return race(feedWorkers, fn) }

// feedNoErrors fails the test for each worker's error.
func feedNoErrors(t *testing.T, errs []error) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", i, err)
		}
	}
}

// feedCountdown keeps claiming workers going, empty rounds included, until every
// item is claimed or a round budget runs out (so a lost race does not end a worker
// early, and a claim that loses items cannot loop forever).
type feedCountdown struct {
	n      atomic.Int64
	rounds atomic.Int64
}

func (c *feedCountdown) more() bool { return c.n.Load() > 0 && c.rounds.Add(1) <= 2000 }

func (c *feedCountdown) done(k int) { c.n.Add(-int64(k)) }

// feedClaimedOnce checks that claims (one list per worker) hold each of want IDs once.
func feedClaimedOnce(t *testing.T, claims [][]string, want int) {
	t.Helper()
	by := map[string]int{}
	total := 0
	per := make([]int, len(claims))
	for w, ids := range claims {
		per[w] = len(ids)
		for _, id := range ids {
			if prev, dup := by[id]; dup {
				t.Errorf("%s claimed by worker %d and worker %d", id, prev, w)
			}
			by[id] = w
			total++
		}
	}
	t.Logf("claims per worker: %v", per)
	if len(by) != want || total != want {
		t.Errorf("claimed %d (%d distinct), want each of %d once", total, len(by), want)
	}
}

// TestConcurrentClaimDeliveriesNeverShareADelivery: workers claiming in small batches
// until nothing is left claim every delivery exactly once between them.
func TestConcurrentClaimDeliveriesNeverShareADelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 24
		for i := range n {
			feedEvent(t, s, models.EventUserCreated, fmt.Sprintf("user-%02d", i), t0.Add(time.Duration(i)*time.Millisecond))
		}
		now := t0.Add(time.Minute)
		if routed, err := s.RouteEvents(ctx, []models.EventRoute{{Name: "hook"}}, t0, now, 100); err != nil || routed != n {
			t.Fatalf("RouteEvents: got %d, %v; want %d", routed, err, n)
		}
		claims := make([][]string, feedWorkers)
		var left feedCountdown
		left.n.Store(n)
		feedNoErrors(t, feedRace(func(w int) error {
			for left.more() {
				got, err := s.ClaimDeliveries(ctx, now, time.Hour, 3)
				if err != nil {
					return err
				}
				for _, d := range got {
					claims[w] = append(claims[w], d.EventID+"/"+d.Endpoint)
				}
				left.done(len(got))
			}
			return nil
		}))
		feedClaimedOnce(t, claims, n)
	})
}

// TestConcurrentRouteEventsRouteEachEventOnce: workers routing the same events at
// once route each exactly once between them, with one delivery per event and route.
func TestConcurrentRouteEventsRouteEachEventOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 30
		for i := range n {
			feedEvent(t, s, models.EventUserCreated, fmt.Sprintf("user-%02d", i), t0.Add(time.Duration(i)*time.Millisecond))
		}
		routes := []models.EventRoute{{Name: "a"}, {Name: "b"}}
		now := t0.Add(time.Minute)
		routed := make([]int, feedWorkers)
		var left feedCountdown
		left.n.Store(n)
		feedNoErrors(t, feedRace(func(w int) error {
			for left.more() {
				k, err := s.RouteEvents(ctx, routes, t0, now, 4)
				if err != nil {
					return err
				}
				routed[w] += k
				left.done(k)
			}
			return nil
		}))
		t.Logf("routed per worker: %v", routed)
		total := 0
		for _, r := range routed {
			total += r
		}
		if total != n {
			t.Errorf("routed %v, %d in all; want %d", routed, total, n)
		}
		if again, err := s.RouteEvents(ctx, routes, t0, now, 100); err != nil || again != 0 {
			t.Errorf("RouteEvents afterwards: got %d, %v; want 0", again, err)
		}
		got, err := s.ClaimDeliveries(ctx, now, time.Minute, 1000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, d := range got {
			seen[d.EventID+"/"+d.Endpoint] = true
		}
		if len(got) != 2*n || len(seen) != 2*n {
			t.Errorf("deliveries: %d (%d distinct), want %d: one per event and route", len(got), len(seen), 2*n)
		}
	})
}

// TestConcurrentClaimScreeningsNeverShareAnAttempt: workers claiming in small batches
// until nothing is left claim every due attempt exactly once between them.
func TestConcurrentClaimScreeningsNeverShareAnAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 12
		for i := range n {
			feedScreening(t, s, feedAccount(t, s), t0.Add(time.Duration(i)*time.Millisecond))
		}
		now := t0.Add(time.Minute)
		claims := make([][]string, feedWorkers)
		var left feedCountdown
		left.n.Store(n)
		feedNoErrors(t, feedRace(func(w int) error {
			for left.more() {
				got, err := s.ClaimScreenings(ctx, now, time.Hour, 2)
				if err != nil {
					return err
				}
				for _, v := range got {
					claims[w] = append(claims[w], v.ID)
				}
				left.done(len(got))
			}
			return nil
		}))
		feedClaimedOnce(t, claims, n)
	})
}

// TestConcurrentUpdateSigningKeysKeepOneNextKey: workers that each add a next key
// only when there is none end with exactly one, as the lock makes each see the
// others' result.
func TestConcurrentUpdateSigningKeysKeepOneNextKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		feedNoErrors(t, feedRace(func(w int) error {
			return s.UpdateSigningKeys(ctx, func(current []models.SigningKey) (models.KeyChanges, error) {
				ch := models.KeyChanges{Now: t0}
				for _, k := range current {
					if k.State == models.KeyNext {
						return ch, nil
					}
				}
				ch.Insert = []models.SigningKey{feedSigningKey(uuid.NewString(), models.KeyNext, t0)}
				ch.Effects.Changed(models.ChangedSigningKeys, fmt.Sprintf("worker-%d", w))
				return ch, nil
			})
		}))
		keys, err := s.ListSigningKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || keys[0].State != models.KeyNext {
			t.Errorf("keys: got %+v, want exactly one next key", keys)
		}
		if got := feedSubjects(feedChanges(t, s, t0)); len(got) != 1 {
			t.Errorf("effects: got %q, want the one inserting worker's", got)
		}
	})
}

// TestConcurrentAddVerificationHasOneWinner: of workers starting an attempt for one
// user at once, one wins and the others see its open attempt (ErrConflict).
func TestConcurrentAddVerificationHasOneWinner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := feedAccount(t, s)
		errs := feedRace(func(int) error {
			v := models.IdentityVerification{ID: uuid.NewString(), UserID: f.user.ID, StripeSessionID: "vs_" + uuid.NewString(),
				Status: models.VerificationRequiresInput, Counted: true, CreatedAt: t0, UpdatedAt: t0}
			return s.AddVerification(ctx, &v, 10, t0.Add(-time.Hour))
		})
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, models.ErrConflict):
				t.Errorf("AddVerification: got %v, want nil or ErrConflict", err)
			}
		}
		if got := len(feedVerifications(t, s, f.user.ID)); wins != 1 || got != 1 {
			t.Errorf("wins = %d and %d attempts stored, want 1 and 1", wins, got)
		}
	})
}

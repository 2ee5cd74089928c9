package keys_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/authd/authd/keys"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func published(t *testing.T, m *keys.Manager) map[string]bool {
	t.Helper()
	body, _ := m.JWKS()
	set, err := jwk.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		out[k.KeyID()] = true
	}
	return out
}

func signer(t *testing.T, m *keys.Manager) string {
	t.Helper()
	k, err := m.SigningKey()
	if err != nil {
		t.Fatal(err)
	}
	return k.KeyID()
}

// scheduled is a manager on st with a test clock: 5 min JWKS max-age, 15 min tokens
// (so a 20 min publish delay), a daily rotation.
func scheduled(t *testing.T, st *store.Store) (*keys.Manager, *clock, keys.Options) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	o := keys.Options{Now: clk.Now, JWKSMaxAge: 5 * time.Minute, TokenLifetime: 15 * time.Minute, RotationPeriod: 24 * time.Hour}
	m, err := keys.NewManager(context.Background(), st, secrets(t, 5), o)
	if err != nil {
		t.Fatal(err)
	}
	return m, clk, o
}

func TestRotationLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		m, clk, o := scheduled(t, st)
		first := signer(t, m)

		// Step 1 publishes a next key that does not sign yet.
		res, err := m.Rotate(ctx, false)
		if err != nil || res.Published == "" || res.Activated != "" || !res.SignsFrom.Equal(clk.Now().Add(20*time.Minute)) {
			t.Fatalf("publish: %+v %v", res, err)
		}
		if signer(t, m) != first || !published(t, m)[res.Published] {
			t.Fatal("the next key must be published and must not sign")
		}
		next := res.Published
		// Too early to promote: nothing changes.
		clk.Add(19 * time.Minute)
		if res, _ := m.Rotate(ctx, false); res.Activated != "" {
			t.Fatalf("promoted before the publish delay: %+v", res)
		}
		// Step 2 promotes it and retires the old key, which stays published.
		clk.Add(time.Minute)
		res, err = m.Rotate(ctx, false)
		if err != nil || res.Activated != next || res.Retired != first {
			t.Fatalf("promote: %+v %v", res, err)
		}
		if signer(t, m) != next || !published(t, m)[first] {
			t.Fatal("new key signs; old key must stay published")
		}
		// Another instance sees the same after a reload.
		other, err := keys.NewManager(ctx, st, secrets(t, 5), o)
		if err != nil || signer(t, other) != next {
			t.Fatalf("second instance: %v", err)
		}
		// The retired key leaves once its tokens have expired.
		clk.Add(15*time.Minute - time.Second)
		if err := m.Reload(ctx); err != nil || !published(t, m)[first] {
			t.Fatalf("retired key left too early (%v)", err)
		}
		clk.Add(time.Second)
		if err := m.Reload(ctx); err != nil || published(t, m)[first] {
			t.Fatalf("retired key still published after its tokens expired (%v)", err)
		}
		if _, ok := m.VerificationKey(first); ok {
			t.Error("retired key still verifies")
		}
	})
}

func TestImmediateRotationAndSchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
		o := keys.Options{Now: clk.Now, RotationPeriod: 24 * time.Hour}
		m, err := keys.NewManager(ctx, st, secrets(t, 6), o)
		if err != nil {
			t.Fatal(err)
		}
		first := signer(t, m)
		res, err := m.Rotate(ctx, true)
		if err != nil || res.Activated == "" || res.Retired != first || signer(t, m) != res.Activated {
			t.Fatalf("immediate: %+v %v", res, err)
		}
		// The schedule does nothing before the period, then publishes, then promotes.
		if err := m.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		rows, _ := st.ListSigningKeys(ctx)
		if len(rows) != 2 {
			t.Fatalf("tick before the period changed keys: %d rows", len(rows))
		}
		clk.Add(24 * time.Hour)
		if err := m.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Hour)
		if err := m.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if signer(t, m) == res.Activated {
			t.Error("the schedule did not rotate")
		}
	})
}

func TestConcurrentRotationsPublishOneKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		managers := make([]*keys.Manager, 4)
		for i := range managers {
			m, err := keys.NewManager(ctx, st, secrets(t, 7), keys.Options{})
			if err != nil {
				t.Fatal(err)
			}
			managers[i] = m
		}
		var wg sync.WaitGroup
		for _, m := range managers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := m.Rotate(ctx, false); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		rows, _ := st.ListSigningKeys(ctx)
		counts := map[string]int{}
		for _, r := range rows {
			counts[r.State]++
		}
		if counts[models.KeyActive] != 1 || counts[models.KeyNext] != 1 {
			t.Fatalf("after 4 concurrent rotations: %v", counts)
		}
	})
}

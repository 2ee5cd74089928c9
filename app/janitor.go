package app

import (
	"context"
	"time"
)

// janitorEvery is how often spent and expired codes are swept; codeRetention keeps
// them a day past expiry so a late "why was my code refused" can still be traced.
// keyUseEvery is how often key-pair last-use times gathered in memory are stored.
const (
	janitorEvery  = 15 * time.Minute
	codeRetention = 24 * time.Hour
	keyUseEvery   = 30 * time.Second
	// keyTickEvery: how often signing keys are reloaded (to see other instances'
	// rotations, well within the publish delay) and the rotation schedule is checked.
	keyTickEvery = time.Minute
)

// startJanitor runs the periodic chores until stop is called: storing key-pair use,
// reloading signing keys (the change feed reloads them at once after a change; this
// also runs the rotation schedule), and sweeping what has outlived its use. Every instance runs it: each chore is idempotent.
func (a *App) startJanitor(now func() time.Time) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(janitorEvery)
		defer t.Stop()
		use := time.NewTicker(keyUseEvery)
		defer use.Stop()
		tick := time.NewTicker(keyTickEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				a.flushKeyUse()
				return
			case <-use.C:
				a.flushKeyUse()
			case <-tick.C:
				if err := a.Keys.Tick(ctx); err != nil {
					a.log.Error("signing keys", "err", err)
				}
			case <-t.C:
				a.sweep(ctx, now())
			}
		}
	}()
	return func() { cancel(); <-done }
}

// stripeEventRetention: Stripe resends an event for up to three days; its ID is kept
// longer so a late resend is still recognised as a repeat.
const stripeEventRetention = 30 * 24 * time.Hour

// sweep deletes what has outlived its use. Each step is idempotent.
func (a *App) sweep(ctx context.Context, now time.Time) {
	steps := []struct {
		what string
		run  func() (int64, error)
	}{
		{"expired codes", func() (int64, error) { return a.Store.DeleteExpiredCodes(ctx, now.Add(-codeRetention)) }},
		// A closed session's spent tokens are kept a day, so a thief's late replay is
		// still recognised (and audited) rather than just refused.
		{"spent refresh tokens", func() (int64, error) {
			return a.Store.PruneUsedRefreshTokens(ctx, now, now.Add(-codeRetention))
		}},
		{"expired login cancellations", func() (int64, error) { return a.Store.PruneCancelledLogins(ctx, now) }},
		{"expired authorization requests", func() (int64, error) { return a.Store.PruneAuthRequests(ctx, now) }},
		{"registrations never verified", func() (int64, error) { return a.Directory.ExpireRegistrations(ctx) }},
		{"revocation feed", func() (int64, error) { return a.Store.PruneRevocations(ctx, now) }},
		{"change feed", func() (int64, error) { return a.Store.PruneChanges(ctx, now) }},
		{"ended rate-limit windows", func() (int64, error) { return a.Store.PruneRateCounters(ctx, now) }},
		{"processed Stripe event IDs", func() (int64, error) {
			return a.Store.PruneStripeEvents(ctx, now.Add(-stripeEventRetention))
		}},
	}
	for _, s := range steps {
		if n, err := s.run(); err != nil {
			a.log.Warn("sweep "+s.what, "err", err)
		} else if n > 0 {
			a.log.Info("swept "+s.what, "deleted", n)
		}
	}
}

func (a *App) flushKeyUse() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.KeyPairs.FlushKeyPairUse(ctx); err != nil {
		a.log.Warn("store key-pair last use", "err", err)
	}
}

package app

import (
	"context"
	"time"
)

// janitorEvery is how often spent and expired codes are swept; codeRetention keeps
// them a day past expiry so a late "why was my code refused" can still be traced.
const (
	janitorEvery  = 15 * time.Minute
	codeRetention = 24 * time.Hour
)

// startJanitor deletes long-expired verification codes until stop is called. Every
// instance may run it: the DELETE is idempotent.
func (a *App) startJanitor(now func() time.Time) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(janitorEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				n, err := a.Store.DeleteExpiredCodes(ctx, now().Add(-codeRetention))
				if err != nil {
					a.log.Warn("sweep expired codes", "err", err)
				} else if n > 0 {
					a.log.Info("swept expired codes", "deleted", n)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// Package changefeed carries cache invalidations between authd instances. A use case
// that changes something any instance may hold in memory (a session row, a user's
// roles or flags, a key pair, the signing keys, a revoked token ID) writes a
// models.Change in its own transaction and evicts its own caches after the commit;
// every other instance's Follower reads the change table each second, and at once
// when Postgres announces a commit with NOTIFY, and hands the new entries to Apply.
//
// It owns the reading (cursor, overlap, de-duplication); what an entry means to a
// cache belongs to the packages that own the caches. It imports only models.
package changefeed

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/authd/authd/models"
)

// Store is what the follower reads.
type Store interface {
	// Changes pages through entries in (created_at, id) order after the key given.
	Changes(ctx context.Context, since time.Time, afterID string, limit int) ([]models.Change, error)
	// Listen calls notify after each commit of change entries by any connection until
	// ctx ends; it returns at once where the database cannot notify (SQLite).
	Listen(ctx context.Context, notify func())
}

// Overlap is re-read on every poll: an entry whose transaction committed up to this
// long after its timestamp is still seen. Entries are applied once each.
const Overlap = 5 * time.Second

// page is the most entries one read returns; a full page is followed by another.
const page = 1000

// Options tune a Follower.
type Options struct {
	Logger *slog.Logger
}

// Follower applies other instances' changes to this instance's caches.
type Follower struct {
	store Store
	apply func(ctx context.Context, changes []models.Change)
	o     Options

	mu     sync.Mutex
	cursor time.Time
	seen   map[string]time.Time // IDs applied within the overlap, by creation time
}

// New builds a follower that starts reading at from (the moment this instance began
// loading its caches, so nothing written since is missed).
func New(st Store, from time.Time, apply func(ctx context.Context, changes []models.Change), o Options) *Follower {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Follower{store: st, apply: apply, o: o, cursor: from.UTC(), seen: map[string]time.Time{}}
}

// Sync reads every entry written since the last read, re-reading the last Overlap
// before it, and applies the new ones.
func (f *Follower) Sync(ctx context.Context) error { return f.read(ctx, Overlap) }

// CatchUp reads only the entries from the newest one read on: what a commit just
// announced. It does not re-read the overlap: on Postgres every commit with change
// entries announces itself, and re-reading the last Overlap's entries at each one cost
// a row per entry written in the last five seconds, for every commit (at a few hundred
// logins a second, most of a core). An entry committed behind the newest one read
// (its transaction took its timestamp before another's that committed first) waits for
// the next Sync, at most one poll interval.
func (f *Follower) CatchUp(ctx context.Context) error { return f.read(ctx, 0) }

func (f *Follower) read(ctx context.Context, overlap time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	since, afterID := f.cursor.Add(-overlap), ""
	for {
		entries, err := f.store.Changes(ctx, since, afterID, page)
		if err != nil {
			return err
		}
		fresh := entries[:0:0]
		for _, e := range entries {
			if _, done := f.seen[e.ID]; !done {
				f.seen[e.ID] = e.CreatedAt
				fresh = append(fresh, e)
			}
			if e.CreatedAt.After(f.cursor) {
				f.cursor = e.CreatedAt
			}
		}
		if len(fresh) > 0 {
			f.apply(ctx, fresh)
		}
		if len(entries) < page {
			break
		}
		last := entries[len(entries)-1]
		since, afterID = last.CreatedAt, last.ID
	}
	for id, at := range f.seen {
		if at.Before(f.cursor.Add(-2 * Overlap)) {
			delete(f.seen, id)
		}
	}
	return nil
}

// Run syncs every interval and catches up whenever the database announces a commit,
// until ctx ends (and its listener with it). Read errors are logged and retried at the next tick.
func (f *Follower) Run(ctx context.Context, every time.Duration) {
	kick := make(chan struct{}, 1)
	var listening sync.WaitGroup
	defer listening.Wait()
	listening.Go(func() {
		f.store.Listen(ctx, func() {
			select {
			case kick <- struct{}{}:
			default:
			}
		})
	})
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		read := f.Sync
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
			read = f.CatchUp
		}
		if err := read(ctx); err != nil && ctx.Err() == nil {
			f.o.Logger.Warn("read the change feed", "err", err)
		}
	}
}

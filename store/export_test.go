package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// NewRotation is one RefreshCurrent call's arguments, for RotateTogether.
func NewRotation(sessionID string, gen int64, old, next []byte, now time.Time, defIdle time.Duration) *rotation {
	return &rotation{sessionID: sessionID, gen: gen, old: old, next: next, now: now, defIdle: defIdle}
}

// RotateTogether runs rotations as RefreshCurrent does when they all arrive while
// another group runs: as one group on Postgres, one after the other on SQLite. It
// must not run beside RefreshCurrent calls.
func (s *Store) RotateTogether(ctx context.Context, rs ...*rotation) ([]*models.Session, []error) {
	sessions, errs := make([]*models.Session, len(rs)), make([]error, len(rs))
	if s.dialect != Postgres {
		for i, r := range rs {
			sessions[i], errs[i] = s.RefreshCurrent(ctx, r.sessionID, r.gen, r.old, r.next, r.now, r.defIdle)
		}
		return sessions, errs
	}
	g := s.rotations
	g.mu.Lock()
	for _, r := range rs {
		r.done = make(chan rotated, 1)
	}
	g.waiting, g.running = append(g.waiting, rs...), true
	g.mu.Unlock()
	g.runGroup(ctx, s)
	for i, r := range rs {
		res := <-r.done
		sessions[i], errs[i] = res.sess, res.err
	}
	return sessions, errs
}

// RotationRetries counts the groups retried one rotation at a time after a deadlock.
func (s *Store) RotationRetries() int {
	s.rotations.mu.Lock()
	defer s.rotations.mu.Unlock()
	return s.rotations.retried
}

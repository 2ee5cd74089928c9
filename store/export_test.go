package store

import (
	"context"
	"strings"
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

// InsertBoth inserts row as bun writes it and reads the row back, deletes it, inserts
// it again as the hot path writes it (insert) and reads it back: each read is every
// column of the row as text, for comparing what the two wrote.
func (s *Store) InsertBoth(ctx context.Context, row any, table, id string) (byBun, byHot map[string]string, err error) {
	if _, err = s.db.NewInsert().Model(row).Exec(ctx); err != nil {
		return nil, nil, err
	}
	if byBun, err = s.rawRow(ctx, table, id); err != nil {
		return nil, nil, err
	}
	if _, err = s.db.ExecContext(ctx, "DELETE FROM "+table+" WHERE id = ?", id); err != nil {
		return nil, nil, err
	}
	if err = s.insertRow(ctx, row); err != nil {
		return nil, nil, err
	}
	byHot, err = s.rawRow(ctx, table, id)
	return byBun, byHot, err
}

// rawRow reads every column of a row as the database holds it, as text: quote() on
// SQLite (its literal, so a text time, a blob and a number stay apart), ::text on
// Postgres (whose columns are typed).
func (s *Store) rawRow(ctx context.Context, table, id string) (map[string]string, error) {
	probe, err := s.root.DB.QueryContext(ctx, "SELECT * FROM "+table+" LIMIT 0")
	if err != nil {
		return nil, err
	}
	cols, err := probe.Columns()
	probe.Close()
	if err != nil {
		return nil, err
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = "quote(" + c + ")"
		if s.dialect == Postgres {
			exprs[i] = "COALESCE(" + c + "::text, 'NULL')"
		}
	}
	q := "SELECT " + strings.Join(exprs, ", ") + " FROM " + table + " WHERE id = ?"
	if s.dialect == Postgres {
		q = strings.Replace(q, "?", "$1", 1)
	}
	vals := make([]string, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := s.root.DB.QueryRowContext(ctx, q, id).Scan(dest...); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(cols))
	for i, c := range cols {
		out[c] = vals[i]
	}
	return out, nil
}

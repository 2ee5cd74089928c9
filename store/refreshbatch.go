package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/authd/authd/models"
)

// Refresh rotations on Postgres are grouped: the rotations that arrive while one
// group's statement runs go together in the next one, a single conditional UPDATE
// over all of them (one round trip, one plan, one durable commit). On this kind of
// box Postgres's own per-statement and per-commit work was the ceiling of the
// refresh path (see docs/PERFORMANCE.md); a group of n costs little more than one.
// Nothing waits to fill a group: a lone rotation runs at once, alone, so a group
// forms only from requests that would otherwise have queued for the database. Every
// rotation is answered only after the commit that made it, and each row keeps its
// own conditions (generation, hash, activity), so durability and reuse detection
// are those of the single statement.
//
// There is no goroutine of its own: the first caller to find no group running leads
// one; when it is done it hands the lead to the oldest rotation still waiting.

// maxRotationGroup bounds one statement's rows.
const maxRotationGroup = 64

// rotation is one RefreshCurrent call waiting in a group.
type rotation struct {
	sessionID string
	gen       int64
	old, next []byte
	now       time.Time
	defIdle   time.Duration

	done chan rotated // receives this rotation's result, or lead
}

// rotated is a rotation's outcome; lead (instead) makes its receiver run the next group.
type rotated struct {
	sess *models.Session
	err  error
	lead bool
}

// rotationGroups queues the rotations of one pool.
type rotationGroups struct {
	mu      sync.Mutex
	waiting []*rotation
	running bool // a leader is running a group; waiting is empty otherwise
	retried int  // groups retried one rotation at a time after a deadlock (tests read it)
}

// rotate runs r in the next group and returns its result.
func (g *rotationGroups) rotate(ctx context.Context, s *Store, r *rotation) (*models.Session, error) {
	r.done = make(chan rotated, 1)
	g.mu.Lock()
	g.waiting = append(g.waiting, r)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	for {
		if lead {
			g.runGroup(ctx, s)
		}
		res := <-r.done
		if !res.lead {
			return res.sess, res.err
		}
		lead = true
	}
}

// runGroup takes the waiting rotations (the leader's own first), runs them as one
// statement, answers each, and hands the lead on. Should it panic, every rotation of
// the group is still answered (with an error) and the lead still passes, so no
// request waits forever for a group that will not come.
func (g *rotationGroups) runGroup(ctx context.Context, s *Store) {
	group := g.take()
	defer g.handOff()
	answered := false
	defer func() {
		if !answered {
			for _, r := range group {
				select { // a rotation answered before the panic keeps its answer
				case r.done <- rotated{err: errors.New("refresh rotation failed")}:
				default:
				}
			}
		}
	}()
	results, err := g.run(ctx, s, group)
	for i, r := range group {
		if err != nil {
			r.done <- rotated{err: translate(err)}
		} else {
			r.done <- results[i]
		}
	}
	answered = true
}

// take removes the next group from the waiting rotations: in arrival order, at most
// maxRotationGroup, each session once (a session present twice waits for the next
// group, so of two rotations of one token the second sees the first's result, as
// when they ran one after the other), sorted by session so that groups on other
// instances lock their rows in the same order.
func (g *rotationGroups) take() []*rotation {
	g.mu.Lock()
	defer g.mu.Unlock()
	group := make([]*rotation, 0, min(len(g.waiting), maxRotationGroup))
	seen := make(map[string]bool, cap(group))
	rest := g.waiting[:0]
	for _, r := range g.waiting {
		if len(group) < maxRotationGroup && !seen[r.sessionID] {
			seen[r.sessionID] = true
			group = append(group, r)
		} else {
			rest = append(rest, r)
		}
	}
	g.waiting = rest
	slices.SortFunc(group, func(a, b *rotation) int { return strings.Compare(a.sessionID, b.sessionID) })
	return group
}

// run runs a group's statement; one that deadlocks with another writer of several
// sessions is retried a rotation at a time (each alone cannot deadlock).
func (g *rotationGroups) run(ctx context.Context, s *Store, group []*rotation) ([]rotated, error) {
	// The group is many callers' work: one caller leaving must not cancel it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	results, err := s.rotateGroup(ctx, group)
	if !isConflict(err) || len(group) == 1 {
		return results, err
	}
	g.mu.Lock()
	g.retried++
	g.mu.Unlock()
	results = make([]rotated, len(group))
	for i, r := range group {
		results[i].sess, results[i].err = s.rotateGroup1(ctx, r)
	}
	return results, nil
}

// handOff passes the lead to the oldest waiting rotation, or ends the run.
func (g *rotationGroups) handOff() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.waiting) > 0 {
		g.waiting[0].done <- rotated{lead: true}
	} else {
		g.running = false
	}
}

// rotateGroup1 runs one rotation as a group of one.
func (s *Store) rotateGroup1(ctx context.Context, r *rotation) (*models.Session, error) {
	res, err := s.rotateGroup(ctx, []*rotation{r})
	if err != nil {
		return nil, translate(err)
	}
	return res[0].sess, res[0].err
}

// isConflict reports a deadlock or serialization failure, which a retry resolves.
func isConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// rotateGroupSQL is RefreshCurrent's statement for a group: the rotations come as
// arrays (one statement text for every group size, so pgx prepares it once per
// connection and Postgres plans it once) and each row carries its own conditions.
// Rows that do not qualify are absent from RETURNING.
var rotateGroupSQL = `UPDATE sessions AS s SET refresh_hash = v.next, refresh_gen = s.refresh_gen + 1,
	refresh_rotated_at = v.now, last_seen_at = v.now
	FROM unnest($1::int[], $2::text[], $3::bigint[], $4::bytea[], $5::bytea[], $6::timestamptz[], $7::bigint[])
		AS v(idx, id, gen, old, next, now, def_idle)
	WHERE s.id = v.id AND s.refresh_gen = v.gen AND s.refresh_hash = v.old
	AND s.revoked_at IS NULL AND s.verified_at IS NOT NULL AND s.expires_at > v.now
	AND s.last_seen_at > v.now - make_interval(secs => (CASE WHEN s.idle_seconds > 0 THEN s.idle_seconds ELSE v.def_idle END)::double precision)
	RETURNING v.idx, ` + sessionColumnsOf("s")

// rotateGroup runs a group's statement on the pool's pgx connection itself (see
// refreshCurrentPostgres) and returns each rotation's result in order: its session
// as it now is, or models.ErrNotFound when it did not qualify. Its error is the
// driver's, for runGroup to judge and translate.
func (s *Store) rotateGroup(ctx context.Context, group []*rotation) ([]rotated, error) {
	n := len(group)
	idx, ids, gens := make([]int32, n), make([]string, n), make([]int64, n)
	olds, nexts, nows, idles := make([][]byte, n), make([][]byte, n), make([]time.Time, n), make([]int64, n)
	for i, r := range group {
		idx[i], ids[i], gens[i], olds[i], nexts[i], nows[i] = int32(i), r.sessionID, r.gen, r.old, r.next, r.now
		idles[i] = int64(r.defIdle / time.Second)
	}
	results := make([]rotated, n)
	for i := range results {
		results[i].err = models.ErrNotFound
	}
	conn, err := s.root.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres connection is a %T", dc)
		}
		rows, err := c.Conn().Query(ctx, rotateGroupSQL, pgx.QueryExecModeCacheStatement, idx, ids, gens, olds, nexts, nows, idles)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i int32
			sess := new(models.Session)
			if err := scanSession(rows, sess, &i); err != nil {
				return err
			}
			results[i] = rotated{sess: sess}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err // untranslated: runGroup tells a conflict, which it retries
	}
	return results, nil
}

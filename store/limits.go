package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/authd/authd/models"
)

// CountHits counts one hit on each of hits' windows, in order, and stops after the
// first that is over its Max: a refused hit counts on the counter that refused it and
// on none after it, so a refused request cannot use up the next limit. It returns the
// windows' counts so far, one per hit counted. Every instance counts against the same
// rows. On Postgres it is one statement whatever the number of hits: each upsert reads
// the count the one before it returned and runs only when that one allowed it.
func (s *Store) CountHits(ctx context.Context, hits []models.RateHit) ([]int, error) {
	if s.dialect == Postgres {
		return s.countHitsChained(ctx, hits)
	}
	out := make([]int, 0, len(hits))
	for _, h := range hits {
		var n int
		rows, err := s.queryHot(ctx, countHitSQLite, h.Bucket, s.timeArg(h.WindowStart), s.timeArg(h.ExpiresAt))
		if err = scanOne(rows, err, &n); err != nil {
			return nil, err
		}
		if out = append(out, n); n > h.Max {
			break
		}
	}
	return out, nil
}

// countHitSQLite counts one hit, prepared once (see queryHot).
const countHitSQLite = `INSERT INTO rate_counters (bucket, window_start, hits, expires_at) VALUES (?, ?, 1, ?)
	ON CONFLICT (bucket, window_start) DO UPDATE SET hits = hits + 1 RETURNING hits`

func (s *Store) countHitsChained(ctx context.Context, hits []models.RateHit) ([]int, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	var q strings.Builder
	args := make([]any, 0, 4*len(hits))
	results := make([]string, len(hits))
	for i, h := range hits {
		if i == 0 {
			q.WriteString("WITH ")
		} else {
			q.WriteString(",\n")
		}
		fmt.Fprintf(&q, "h%d AS (INSERT INTO rate_counters AS c (bucket, window_start, hits, expires_at) ", i)
		if i == 0 {
			q.WriteString("VALUES (?, ?, 1, ?)")
			args = append(args, h.Bucket, h.WindowStart, h.ExpiresAt)
		} else {
			fmt.Fprintf(&q, "SELECT CAST(? AS TEXT), CAST(? AS TIMESTAMPTZ), 1, CAST(? AS TIMESTAMPTZ) FROM h%d WHERE h%d.hits <= ?", i-1, i-1)
			args = append(args, h.Bucket, h.WindowStart, h.ExpiresAt, hits[i-1].Max)
		}
		q.WriteString(" ON CONFLICT (bucket, window_start) DO UPDATE SET hits = c.hits + 1 RETURNING hits)")
		results[i] = fmt.Sprintf("(SELECT hits FROM h%d)", i)
	}
	q.WriteString("\nSELECT " + strings.Join(results, ", "))
	counts := make([]sql.NullInt64, len(hits))
	dest := make([]any, len(hits))
	for i := range counts {
		dest[i] = &counts[i]
	}
	rows, err := s.queryHot(ctx, q.String(), args...)
	if err := scanOne(rows, err, dest...); err != nil {
		return nil, err
	}
	out := make([]int, 0, len(hits))
	for _, c := range counts {
		if !c.Valid {
			break
		}
		out = append(out, int(c.Int64))
	}
	return out, nil
}

// PruneRateCounters deletes windows that have ended.
func (s *Store) PruneRateCounters(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*models.RateCounter)(nil)).Where("expires_at < ?", now).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// RecordCodeFailure adds one to a user's run of wrong codes and returns the run.
func (s *Store) RecordCodeFailure(ctx context.Context, userID string) (int, error) {
	var n int
	_, err := s.db.NewUpdate().Model((*models.User)(nil)).Set("code_failures = code_failures + 1").
		Where("id = ?", userID).Returning("code_failures").Exec(ctx, &n)
	return n, translate(err)
}

// BlockCodes refuses every code of a user until the given time.
func (s *Store) BlockCodes(ctx context.Context, userID string, until time.Time) error {
	_, err := s.db.NewUpdate().Model((*models.User)(nil)).Set("codes_blocked_until = ?", until).
		Where("id = ?", userID).Exec(ctx)
	return translate(err)
}

// ResetCodeFailures ends a user's run of wrong codes (a right one came).
func (s *Store) ResetCodeFailures(ctx context.Context, userID string) error {
	_, err := s.db.NewUpdate().Model((*models.User)(nil)).Set("code_failures = 0").Set("codes_blocked_until = NULL").
		Where("id = ? AND (code_failures > 0 OR codes_blocked_until IS NOT NULL)", userID).Exec(ctx)
	return translate(err)
}

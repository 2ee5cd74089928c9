package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/authd/authd/models"
	"github.com/uptrace/bun"
)

// Revocations returns the live entries created at or after since, oldest first, at
// most limit of them.
func (s *Store) Revocations(ctx context.Context, since, now time.Time, limit int) ([]models.Revocation, error) {
	var out []models.Revocation
	err := s.db.NewSelect().Model(&out).Where("created_at >= ? AND expires_at > ?", since, now).
		Order("created_at ASC", "id ASC").Limit(int64(limit)).Scan(ctx)
	return out, translate(err)
}

// PruneRevocations deletes entries whose tokens have all expired.
func (s *Store) PruneRevocations(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*models.Revocation)(nil)).Where("expires_at <= ?", now).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// TokenRevoked reports whether a token ID is on the feed.
func (s *Store) TokenRevoked(ctx context.Context, jti string) (bool, error) {
	n, err := s.db.NewSelect().Model((*models.Revocation)(nil)).Where("kind = ? AND subject = ?", models.RevokedToken, jti).Count(ctx)
	return n > 0, translate(err)
}

// RevokedTokenIDs returns the token IDs (jti) of every live token revocation.
func (s *Store) RevokedTokenIDs(ctx context.Context, now time.Time) ([]string, error) {
	var out []string
	err := s.db.NewSelect().Model((*models.Revocation)(nil)).Column("subject").
		Where("kind = ? AND expires_at > ?", models.RevokedToken, now).Scan(ctx, &out)
	return out, translate(err)
}

// RevocationsAfter returns live feed entries from position pos on, in commit order, at
// most limit, and the position to read from next. Positions are opaque to callers and
// never skip an entry whose transaction commits late: on SQLite (one writer at a time)
// an entry's position is a counter bumped under the write lock, and reading goes on
// after the last one seen; on Postgres it is its transaction's ID, and reading goes on
// from the snapshot's xmin (every transaction below it has ended), so entries at or
// above it may come again (clients dedupe by ID). A full page says so (more).
func (s *Store) RevocationsAfter(ctx context.Context, pos int64, now time.Time, limit int) (rows []models.Revocation, next int64, more bool, err error) {
	if s.dialect != Postgres {
		err = s.db.NewSelect().Model(&rows).ColumnExpr("?TableAlias.*").Where("seq > ? AND expires_at > ?", pos, now).
			Order("seq ASC").Limit(int64(limit)).Scan(ctx)
		next = pos
		if len(rows) > 0 {
			next = rows[len(rows)-1].Seq
		}
		return rows, next, len(rows) == limit, translate(err)
	}
	err = s.root.RunInTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, func(ctx context.Context, tx bun.Tx) error {
		var xmin int64
		if err := tx.NewRaw("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint").Scan(ctx, &xmin); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&rows).ColumnExpr("?TableAlias.*").Where("seq >= ? AND expires_at > ?", pos, now).
			Order("seq ASC", "id ASC").Limit(int64(limit)).Scan(ctx); err != nil {
			return err
		}
		next, more = max(pos, xmin), len(rows) == limit
		if last := len(rows) - 1; more && rows[last].Seq < xmin {
			next = rows[last].Seq // ended transactions only: page on from there
		}
		return nil
	})
	return rows, next, more, translate(err)
}

// RevocationsHead is the position a reader starting now reads from next (see
// RevocationsAfter): it reads nothing committed before, and nothing committed later
// is behind it.
func (s *Store) RevocationsHead(ctx context.Context) (int64, error) {
	var pos int64
	q := "SELECT COALESCE(MAX(seq), 0) FROM revocations"
	if s.dialect == Postgres {
		q = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
	}
	err := s.db.NewRaw(q).Scan(ctx, &pos)
	return pos, translate(err)
}

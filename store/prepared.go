package store

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// queryHot runs a hot-path statement written with ? placeholders. On SQLite, outside
// a transaction, it runs as a statement prepared once (stmtCache): parsing and
// planning the text was the larger part of a short statement's cost when bun wrote
// the values into a new text each call, and SQLite does it holding its one
// connection. Inside a transaction (the one connection is the transaction's, so a
// statement prepared on the pool would wait for it) and on Postgres, bun writes the
// arguments into the text as it does for every statement.
func (s *Store) queryHot(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if _, inTx := s.db.(bun.Tx); s.dialect == SQLite && !inTx {
		stmt, err := s.stmts.prepare(ctx, s.root.DB, query)
		if err != nil {
			return nil, translate(err)
		}
		return stmt.QueryContext(ctx, args...)
	}
	return s.db.QueryContext(ctx, query, args...)
}

// scanOne reads the one row a query returned into dest; no row is models.ErrNotFound.
func scanOne(rows *sql.Rows, err error, dest ...any) error {
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return translate(err)
		}
		return translate(sql.ErrNoRows)
	}
	if err := rows.Scan(dest...); err != nil {
		return translate(err)
	}
	return translate(rows.Close())
}

// stmtCache holds statements prepared on the pool, by their text, for the hot paths
// on SQLite (see queryHot). A *sql.Stmt prepares itself again on a connection that
// has not seen it, so the pool's connections may come and go. It is shared by every
// Store of one Open and closed with it.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = make(map[string]*sql.Stmt)
	}
	c.m[query] = st
	return st, nil
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for q, st := range c.m {
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.m, q)
	}
	return first
}

// sqliteTime is t as bun's SQLite dialect writes a time.Time (schema.BaseDialect's
// AppendTime, without the quotes): UTC, microseconds, a numeric zone.
func sqliteTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999-07:00") }

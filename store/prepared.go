package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/authd/authd/models"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// queryHot runs a hot-path statement written with ? placeholders, its values sent
// apart from its text, so that the database parses and plans the text once instead of
// on every call. bun writes every value into the text, so no two of its statements
// look alike and each is parsed and planned afresh: on a code login that was a fifth
// of SQLite's work and about half of Postgres's.
//
//   - SQLite: prepared once on the pool (stmtCache). Inside a transaction the one
//     connection is the transaction's, so a statement is run there (tx.StmtContext)
//     once prepared, and unprepared until then: preparing it on the pool would wait
//     for the connection the transaction holds.
//   - Postgres: pgx prepares it once per connection (QueryExecModeCacheStatement)
//     with its placeholders numbered ($1, $2, ...), in a transaction or not.
//
// Times go as s.timeArg makes them, so they compare with what bun wrote.
func (s *Store) queryHot(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s.hook != nil {
		ev := &bun.QueryEvent{DB: s.root, Query: query, StartTime: time.Now()}
		ctx = s.hook.BeforeQuery(ctx, ev)
		defer s.hook.AfterQuery(ctx, ev)
	}
	tx, inTx := s.db.(bun.Tx)
	if s.dialect == Postgres {
		query = s.stmts.numbered(query)
		args = append([]any{pgx.QueryExecModeCacheStatement}, args...)
		if inTx {
			return tx.Tx.QueryContext(ctx, query, args...)
		}
		return s.root.DB.QueryContext(ctx, query, args...)
	}
	if inTx {
		if st := s.stmts.prepared(query); st != nil {
			return tx.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
		}
		return tx.Tx.QueryContext(ctx, query, args...)
	}
	stmt, err := s.stmts.prepare(ctx, s.root.DB, query)
	if err != nil {
		return nil, translate(err)
	}
	return stmt.QueryContext(ctx, args...)
}

// scanHot runs a queryHot statement and scans every row it returns into dest (a
// slice of models or of values) as bun scans its own queries' rows.
func (s *Store) scanHot(ctx context.Context, dest any, query string, args ...any) error {
	rows, err := s.queryHot(ctx, query, args...)
	if err != nil {
		return translate(err)
	}
	return translate(s.root.ScanRows(ctx, rows, dest))
}

// scanHotOne runs a queryHot statement and scans its first row into the model dest;
// no row is models.ErrNotFound.
func (s *Store) scanHotOne(ctx context.Context, dest any, query string, args ...any) error {
	rows, err := s.queryHot(ctx, query, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return translate(err)
		}
		return models.ErrNotFound
	}
	if err := s.root.ScanRow(ctx, rows, dest); err != nil {
		return translate(err)
	}
	return translate(rows.Close())
}

// hotText is a queryHot text that bun builds (its column lists follow the models),
// with bun.Safe("?") standing where each value goes; built once per name for the
// pool's dialect.
func (s *Store) hotText(name string, build func(db *bun.DB) fmt.Stringer) string {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if q, ok := s.stmts.texts[name]; ok {
		return q
	}
	if s.stmts.texts == nil {
		s.stmts.texts = make(map[string]string)
	}
	q := build(s.root).String()
	s.stmts.texts[name] = q
	return q
}

// timeArg is t as queryHot's statements take it: the text bun writes on SQLite
// (times are compared as text there), the time itself on Postgres.
func (s *Store) timeArg(t time.Time) any {
	if s.dialect == SQLite {
		return sqliteTime(t)
	}
	return t
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
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	numbers map[string]string // Postgres: a text with ? placeholders -> with $1, $2, ...
	texts   map[string]string // hotText's, by name
}

// prepared is the statement already prepared for query, or nil.
func (c *stmtCache) prepared(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// numbered is query with its ? placeholders numbered as Postgres wants them ($1,
// $2, ...), worked out once per text. queryHot's texts are authd's own and hold no
// ? other than placeholders (none in a string literal or an operator).
func (c *stmtCache) numbered(query string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if q, ok := c.numbers[query]; ok {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	if c.numbers == nil {
		c.numbers = make(map[string]string)
	}
	c.numbers[query] = b.String()
	return b.String()
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

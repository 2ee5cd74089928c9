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
//     once prepared. A statement first met in a transaction runs unprepared there
//     (preparing it on the pool would wait for the connection the transaction
//     holds) and is prepared when the transaction ends (RunInTx).
//   - Postgres: pgx prepares it once per connection (QueryExecModeCacheStatement)
//     with its placeholders numbered ($1, $2, ...), in a transaction or not. A
//     statement whose cached plan a later migration invalidates fails once on each
//     connection that holds it (pgx drops a statement that failed and prepares it
//     again), as the refresh path's prepared statement always has.
//
// Times go as s.timeArg makes them, so they compare with what bun wrote.
func (s *Store) queryHot(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, done := s.hooked(ctx, query)
	defer done()
	t, args, err := s.hot(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return t.queryContext(ctx, args)
}

// execHot is queryHot for a statement whose rows, if any, nobody reads; it returns
// how many rows the statement changed.
func (s *Store) execHot(ctx context.Context, q *hotSQL) (int64, error) {
	query := q.text.String()
	ctx, done := s.hooked(ctx, query)
	defer done()
	t, args, err := s.hot(ctx, query, q.args)
	if err != nil {
		return 0, err
	}
	res, err := t.execContext(ctx, args)
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}

// hotTarget is where a hot statement goes: a prepared statement, or a connection
// (the pool or the transaction) with the text.
type hotTarget struct {
	stmt  *sql.Stmt
	conn  sqlConn
	query string
}

func (t hotTarget) queryContext(ctx context.Context, args []any) (*sql.Rows, error) {
	if t.stmt != nil {
		return t.stmt.QueryContext(ctx, args...)
	}
	return t.conn.QueryContext(ctx, t.query, args...)
}

func (t hotTarget) execContext(ctx context.Context, args []any) (sql.Result, error) {
	if t.stmt != nil {
		return t.stmt.ExecContext(ctx, args...)
	}
	return t.conn.ExecContext(ctx, t.query, args...)
}

// sqlConn is what *sql.DB and *sql.Tx share.
type sqlConn interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// hot picks the target of a hot statement and the arguments it takes there (see
// queryHot).
func (s *Store) hot(ctx context.Context, query string, args []any) (hotTarget, []any, error) {
	tx, inTx := s.db.(bun.Tx)
	var conn sqlConn = s.root.DB
	if inTx {
		conn = tx.Tx
	}
	if s.dialect == Postgres {
		return hotTarget{conn: conn, query: s.stmts.numbered(query)}, append([]any{pgx.QueryExecModeCacheStatement}, args...), nil
	}
	if inTx {
		if st := s.stmts.prepared(query); st != nil {
			return hotTarget{stmt: tx.Tx.StmtContext(ctx, st)}, args, nil
		}
		s.stmts.miss(query)
		return hotTarget{conn: conn, query: query}, args, nil
	}
	st, err := s.stmts.prepare(ctx, s.root.DB, query)
	if err != nil {
		return hotTarget{}, nil, translate(err)
	}
	return hotTarget{stmt: st}, args, nil
}

// hooked tells WithQueryHook's hook of a hot statement (bun does not see it).
func (s *Store) hooked(ctx context.Context, query string) (context.Context, func()) {
	if s.hook == nil {
		return ctx, func() {}
	}
	ev := &bun.QueryEvent{DB: s.root, Query: query, StartTime: time.Now()}
	ctx = s.hook.BeforeQuery(ctx, ev)
	return ctx, func() { s.hook.AfterQuery(ctx, ev) }
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
	return scanFirst(rows, err, func(r *sql.Rows) error { return s.root.ScanRow(ctx, r, dest) })
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
	return scanFirst(rows, err, func(r *sql.Rows) error { return r.Scan(dest...) })
}

// scanFirst reads the first row a query returned with scan; no row is
// models.ErrNotFound.
func scanFirst(rows *sql.Rows, err error, scan func(*sql.Rows) error) error {
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
	if err := scan(rows); err != nil {
		return translate(err)
	}
	return translate(rows.Close())
}

// stmtCache holds what queryHot works out once per text: on SQLite the statements
// prepared on the pool (a *sql.Stmt prepares itself again on a connection that has not
// seen it, so the pool's connections may come and go), on Postgres the texts with
// numbered placeholders; and hotText's texts. It is shared by every Store of one Open
// and closed with it.
type stmtCache struct {
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	numbers map[string]string // Postgres: a text with ? placeholders -> with $1, $2, ...
	texts   map[string]string // hotText's, by name
	missed  map[string]bool   // SQLite: met in a transaction before being prepared
}

// miss notes a statement met in a transaction before it was prepared.
func (c *stmtCache) miss(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.missed == nil {
		c.missed = make(map[string]bool)
	}
	c.missed[query] = true
}

// prepareMissed prepares the statements miss noted, outside any transaction. One
// that fails to prepare stays unprepared: it ran, so it is valid, and preparing is an
// optimisation only.
func (c *stmtCache) prepareMissed(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	missed := c.missed
	c.missed = nil
	c.mu.Unlock()
	for q := range missed {
		_, _ = c.prepare(ctx, db, q)
	}
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

// prepare returns query's statement, preparing it on the pool the first time. The
// cache's lock is not held while preparing: that waits for a connection, which a
// transaction may hold while it looks a statement up here.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	if st := c.prepared(query); st != nil {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if first, ok := c.m[query]; ok { // prepared meanwhile by another caller
		_ = st.Close()
		return first, nil
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

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
)

// Dialect names, matching the migrations directories.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Store runs authd's queries. A Store made by RunInTx is bound to that transaction.
type Store struct {
	db      bun.IDB
	root    *bun.DB
	dialect string
	dsn     string // for connections outside the pool (Listen)
	channel string // Postgres NOTIFY channel of this schema's change feed
	opts    Options
	stmts   *stmtCache    // shared by every Store on this pool
	hook    bun.QueryHook // WithQueryHook's, told of queryHot's statements too

	rotations *rotationGroups // Postgres refresh rotations, shared by every Store on this pool
}

// Options tunes the connection pool.
type Options struct {
	// MaxOpenConns for Postgres (default 20). SQLite always uses one connection: it
	// has a single writer, and one connection makes SQLITE_BUSY impossible in-process.
	MaxOpenConns int
}

// Open connects to the database named by dsn: "sqlite:PATH" (the file and its folder
// are created) or "postgres://..." / "postgresql://...".
func Open(ctx context.Context, dsn string, o Options) (*Store, error) {
	var (
		sqldb   *sql.DB
		db      *bun.DB
		dialect string
		err     error
	)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		dialect = SQLite
		sqldb, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
		if err != nil {
			return nil, err
		}
		db = bun.NewDB(sqldb, sqliteDialect{sqlitedialect.New()})
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dialect = Postgres
		pc, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// bun writes every value into the SQL text, so no two statements look alike and
		// pgx's default (prepare and cache each statement) would pay a Parse/Describe
		// round trip per query and churn its cache. Exec mode sends each statement in a
		// single round trip instead.
		pc.DefaultQueryExecMode = pgx.QueryExecModeExec
		sqldb = stdlib.OpenDB(*pc)
		n := o.MaxOpenConns
		if n <= 0 {
			n = 20
		}
		sqldb.SetMaxOpenConns(n)
		sqldb.SetMaxIdleConns(n)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = bun.NewDB(sqldb, postgresDialect{pgdialect.New()})
	default:
		return nil, errors.New(`database DSN must start with "sqlite:" or "postgres://"`)
	}
	if err := sqldb.PingContext(ctx); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("connect to %s: %w", dialect, err)
	}
	st := &Store{db: db, root: db, dialect: dialect, dsn: dsn, opts: o, stmts: &stmtCache{}, rotations: &rotationGroups{}}
	if dialect == Postgres {
		var schema string
		if err := sqldb.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			_ = sqldb.Close()
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		st.channel = changesChannel + schema
	}
	return st, nil
}

func openSQLite(path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("sqlite DSN needs a file path")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	sqldb.SetConnMaxIdleTime(0)
	return sqldb, nil
}

// Dialect reports SQLite or Postgres.
func (s *Store) Dialect() string { return s.dialect }

// Close closes the connection pool.
func (s *Store) Close() error {
	_ = s.stmts.close() // closing the pool frees them anyway
	return s.root.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.root.PingContext(ctx) }

// RunInTx runs fn in one transaction; fn gets a Store bound to it. Called on a Store
// that is already in a transaction, it joins that transaction.
func (s *Store) RunInTx(ctx context.Context, fn func(ctx context.Context, tx *Store) error) error {
	if _, inTx := s.db.(bun.Tx); inTx {
		return fn(ctx, s)
	}
	err := s.root.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		bound := *s
		bound.db = tx
		return fn(ctx, &bound)
	})
	if s.dialect == SQLite {
		s.stmts.prepareMissed(ctx, s.root.DB)
	}
	return translate(err)
}

// WithQueryHook returns a Store on the same pool whose statements also pass through h
// (tests count statements with it).
func (s *Store) WithQueryHook(h bun.QueryHook) *Store {
	db := s.root.WithQueryHook(h)
	hooked := *s
	hooked.db, hooked.root, hooked.hook = db, db, h
	return &hooked
}

// ExecRaw runs one statement with bun's ? placeholders. It is for tests that need a
// state no use case writes (rows as an older authd left them); use cases never call it.
func (s *Store) ExecRaw(ctx context.Context, query string, args ...any) error {
	_, err := s.db.ExecContext(ctx, query, args...)
	return translate(err)
}

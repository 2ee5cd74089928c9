// Package storetest gives tests a fresh, migrated database on every backend authd
// supports: a new SQLite file always, and a new Postgres schema when
// AUTHD_TEST_POSTGRES_DSN is set. A set but unreachable DSN fails the test rather than
// skipping it, so CI cannot silently lose the Postgres run.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for creating schemas

	"github.com/authd/authd/store"
)

// PostgresEnv names the variable holding the Postgres DSN tests may use.
const PostgresEnv = "AUTHD_TEST_POSTGRES_DSN"

// Backend is one database a test runs against.
type Backend struct {
	Name string // "sqlite" or "postgres"
	DSN  string
}

// Backends returns a fresh SQLite DSN and, when configured, a fresh Postgres schema
// DSN; both are removed when the test ends.
func Backends(t testing.TB) []Backend {
	t.Helper()
	out := []Backend{{Name: store.SQLite, DSN: "sqlite:" + filepath.Join(t.TempDir(), "authd.db")}}
	if base := os.Getenv(PostgresEnv); base != "" {
		out = append(out, Backend{Name: store.Postgres, DSN: postgresSchema(t, base)})
	}
	return out
}

// Each runs fn as a subtest on every backend with a fresh, migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, Open(t, b.DSN))
		})
	}
}

// Open opens and migrates the database at dsn, closing it when the test ends.
func Open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{MaxOpenConns: 10})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// postgresSchema creates a schema with a random name and returns base with its
// search_path pointing there; the schema is dropped when the test ends.
func postgresSchema(t testing.TB, base string) string {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "authd_test_" + hex.EncodeToString(b[:])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("%s is set but Postgres refused: %v", PostgresEnv, err)
	}
	t.Cleanup(func() { _, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

package store

import (
	"encoding/hex"
	"strings"

	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
)

// bun writes every value into a statement's text, and its dialects write a string
// holding a NUL byte as a marker that is not SQL, so such a value broke the whole
// statement on both databases (a 500) where a statement that sends its values apart
// (queryHot) behaves as the database does with that value. These two dialects close
// that gap at its one source, whatever the caller forgot to check: SQLite stores the
// NUL, as it does for a bound value, and Postgres, which can hold no NUL in text,
// refuses the statement with the SQLSTATE it gives a bound one (22021), which
// translate turns into models.ErrUnstorable.

// sqliteDialect writes a string with a NUL as its bytes cast to text.
type sqliteDialect struct{ *sqlitedialect.Dialect }

func (d sqliteDialect) AppendString(b []byte, s string) []byte {
	if strings.IndexByte(s, 0) < 0 {
		return d.Dialect.AppendString(b, s)
	}
	b = append(b, "CAST(x'"...)
	b = hex.AppendEncode(b, []byte(s))
	return append(b, "' AS TEXT)"...)
}

// postgresDialect writes a string with a NUL as an escape string literal holding a
// NUL, which Postgres refuses while reading the statement, in any context (22021).
type postgresDialect struct{ *pgdialect.Dialect }

func (d postgresDialect) AppendString(b []byte, s string) []byte {
	if strings.IndexByte(s, 0) < 0 {
		return d.Dialect.AppendString(b, s)
	}
	return append(b, `E'\000'`...)
}

package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/authd/authd/models"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite result codes (sqlite3.h): constraint violations, and a text or blob over
// SQLite's length limit.
const (
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
	sqliteTooBig               = 18
)

// Postgres SQLSTATEs of a value the database cannot hold, whatever the statement:
// longer than its column, a byte sequence UTF-8 refuses (a NUL among them), a
// character the encoding lacks, an index entry over the size limit. bun writes
// strings into the text, replacing bytes that are not UTF-8 and writing a NUL as a
// literal Postgres refuses with 22021 (dialects.go); the rest come from the
// statements that send their values apart (queryHot).
const (
	pgStringTooLong   = "22001"
	pgNotInRepertoire = "22021"
	pgUntranslatable  = "22P05"
	pgLimitExceeded   = "54000"
)

// translate maps driver errors to the models sentinels, keeping the driver error as
// the cause for the log. It is the one place that knows driver error shapes.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrConflict):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return models.ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return fmt.Errorf("%w: %s", models.ErrConflict, pgErr.ConstraintName)
		case pgStringTooLong, pgNotInRepertoire, pgUntranslatable, pgLimitExceeded:
			return fmt.Errorf("%w: %w", models.ErrUnstorable, err)
		}
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return fmt.Errorf("%w: %v", models.ErrConflict, err)
		case sqliteTooBig:
			return fmt.Errorf("%w: %w", models.ErrUnstorable, err)
		}
	}
	if unreachable(err) {
		return fmt.Errorf("%w: %w", models.ErrUnavailable, err)
	}
	return err
}

// unreachable reports a database that cannot be reached: refused or dropped
// connections, or a closed pool. A pool reconnects by itself once it is back.
func unreachable(err error) bool {
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, sql.ErrConnDone):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "database is closed") || strings.Contains(msg, "conn closed") ||
		strings.Contains(msg, "failed to connect")
}

// affected returns models.ErrNotFound when a write touched no row.
func affected(res sql.Result, err error) error {
	if err != nil {
		return translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return models.ErrNotFound
	}
	return nil
}

// Package migrations embeds authd's schema migrations, one directory per SQL dialect
// (sqlite, postgres) with the same version names, so both databases always hold the
// same schema. Package store runs them; this package only carries the files.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// Dialects lists the dialect directories.
var dialects = []string{"sqlite", "postgres"}

// Dialects returns the supported dialect names.
func Dialects() []string { return append([]string(nil), dialects...) }

// FS returns the migration files of one dialect ("sqlite" or "postgres").
func FS(dialect string) (fs.FS, error) { return fs.Sub(files, dialect) }

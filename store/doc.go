// Package store is authd's only door to SQL: it opens SQLite or Postgres by DSN, runs
// the embedded migrations, and offers one method per storage operation the use cases
// need. Every method that takes several statements runs them in one transaction, and
// single-use secrets are spent with one atomic UPDATE so concurrent callers cannot both
// win. Driver errors are translated to models.ErrNotFound and models.ErrConflict in
// errors.go; nothing else here decides what an error means to a client.
package store

package store

import (
	"context"
	"fmt"

	"github.com/authd/authd/migrations"
	"github.com/uptrace/bun/migrate"
)

// MigrationStatus is one migration and whether it has been applied.
type MigrationStatus struct {
	Name    string
	Applied bool
}

// migrationLockKey is the Postgres advisory lock that keeps two starting instances
// from migrating at once.
const migrationLockKey = 0x61757468640001 // "authd" + 1

func (s *Store) migrator() (*migrate.Migrator, error) {
	fsys, err := migrations.FS(s.dialect)
	if err != nil {
		return nil, err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(fsys); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	// bun's default records a migration as applied before running it; a failed
	// migration must stay unapplied so the next start retries it.
	return migrate.NewMigrator(s.root, ms, migrate.WithMarkAppliedOnSuccess(true)), nil
}

// Migrate applies every pending migration and returns the names it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	m, err := s.migrator()
	if err != nil {
		return nil, err
	}
	var applied []string
	err = s.withMigrationLock(ctx, func() error {
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("init migrations: %w", err)
		}
		group, err := m.Migrate(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, mg := range group.Migrations {
			applied = append(applied, mg.Name)
		}
		return nil
	})
	return applied, err
}

// MigrationStatuses lists every known migration and whether it is applied.
func (s *Store) MigrationStatuses(ctx context.Context) ([]MigrationStatus, error) {
	m, err := s.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("init migrations: %w", err)
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, 0, len(ms))
	for _, mg := range ms {
		out = append(out, MigrationStatus{Name: mg.Name, Applied: mg.IsApplied()})
	}
	return out, nil
}

// withMigrationLock holds a Postgres advisory lock around fn. SQLite needs none: its
// single writer and immediate transactions already serialise the migration.
func (s *Store) withMigrationLock(ctx context.Context, fn func() error) error {
	if s.dialect != Postgres {
		return fn()
	}
	conn, err := s.root.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLockKey)
	}()
	return fn()
}

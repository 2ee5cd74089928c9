package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/authd/authd/app"
	"github.com/authd/authd/store"
)

func (c *cli) migrateCmd() *cobra.Command {
	m := &cobra.Command{Use: "migrate", Short: "Inspect or apply database migrations"}
	m.AddCommand(&cobra.Command{
		Use: "up", Short: "Apply every pending migration", Args: cobra.NoArgs,
		RunE: c.withStore(func(ctx context.Context, st *store.Store) error {
			applied, err := st.Migrate(ctx)
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				_, err = fmt.Fprintln(c.stdout, "database is up to date")
				return err
			}
			for _, name := range applied {
				fmt.Fprintln(c.stdout, "applied", name)
			}
			return nil
		}),
	})
	m.AddCommand(&cobra.Command{
		Use: "status", Short: "List migrations and whether each is applied", Args: cobra.NoArgs,
		RunE: c.withStore(func(ctx context.Context, st *store.Store) error {
			list, err := st.MigrationStatuses(ctx)
			if err != nil {
				return err
			}
			for _, m := range list {
				state := "pending"
				if m.Applied {
					state = "applied"
				}
				fmt.Fprintf(c.stdout, "%-8s %s\n", state, m.Name)
			}
			return nil
		}),
	})
	return m
}

// withStore runs fn on the configured database, closing it afterwards.
func (c *cli) withStore(fn func(ctx context.Context, st *store.Store) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		cfg, _, err := c.load()
		if err != nil {
			return err
		}
		st, err := store.Open(cmd.Context(), cfg.Database.DSN, store.Options{MaxOpenConns: 2})
		if err != nil {
			return err
		}
		defer st.Close()
		return fn(cmd.Context(), st)
	}
}

// withServices runs fn on the services the server runs (app.NewServices) over the
// configured database, closing them afterwards: every command that changes users,
// roles, keys or sessions goes through the same use cases as the admin API.
func (c *cli) withServices(fn func(ctx context.Context, s *app.Services) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		cfg, log, err := c.load()
		if err != nil {
			return err
		}
		s, err := app.NewServices(cmd.Context(), cfg, app.Options{Logger: log, MaxOpenConns: 2})
		if err != nil {
			return err
		}
		defer s.Close(context.WithoutCancel(cmd.Context()))
		return fn(cmd.Context(), s)
	}
}

package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/authd/authd/store"
)

func (c *cli) migrateCmd() *cobra.Command {
	m := &cobra.Command{Use: "migrate", Short: "Inspect or apply database migrations"}
	m.AddCommand(&cobra.Command{
		Use:   "up",
		Short: "Apply every pending migration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.openStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			applied, err := st.Migrate(cmd.Context())
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
		},
	})
	m.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "List migrations and whether each is applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.openStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.MigrationStatuses(cmd.Context())
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
		},
	})
	return m
}

func (c *cli) openStore(cmd *cobra.Command) (*store.Store, error) {
	cfg, _, err := c.load()
	if err != nil {
		return nil, err
	}
	return store.Open(cmd.Context(), cfg.Database.DSN, store.Options{MaxOpenConns: 2})
}

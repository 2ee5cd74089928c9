package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/authd/authd/app"
	"github.com/authd/authd/authn"
	"github.com/authd/authd/directory"
	"github.com/authd/authd/models"
)

// operator is the audit actor of CLI actions.
var operator = authn.Actor{ID: models.ActorOperator, Client: authn.Client{UserAgent: "authd-cli"}}

// userCmd is the operator's door to accounts, working on the configured database
// while servers run: each command is the admin API's use case (events, revocation
// feed, audit), and running servers drop what it changed from their caches within
// a second (the change feed). It is how the first admin is made:
//
//	authd user role add --email ada@example.com --role admin
func (c *cli) userCmd() *cobra.Command {
	u := &cobra.Command{Use: "user", Short: "Manage accounts: roles, listing, disabling"}
	var email, role string
	withDirectory := func(fn func(ctx context.Context, d *directory.Service) error) func(*cobra.Command, []string) error {
		return c.withServices(func(ctx context.Context, s *app.Services) error { return fn(ctx, s.Directory) })
	}
	byEmail := func(ctx context.Context, d *directory.Service) (*models.Identity, error) {
		return d.FindByEmail(ctx, email)
	}

	roleCmd := &cobra.Command{Use: "role", Short: "Grant or revoke roles"}
	add := &cobra.Command{Use: "add", Short: "Grant a role", Args: cobra.NoArgs,
		RunE: withDirectory(func(ctx context.Context, d *directory.Service) error {
			id, err := byEmail(ctx, d)
			if err != nil {
				return err
			}
			if err := d.GrantRole(ctx, operator, id.User.ID, role); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.stdout, "granted %s to %s (%s)\n", role, id.User.Alias, id.User.ID)
			return err
		})}
	remove := &cobra.Command{Use: "remove", Short: "Revoke a role", Args: cobra.NoArgs,
		RunE: withDirectory(func(ctx context.Context, d *directory.Service) error {
			id, err := byEmail(ctx, d)
			if err != nil {
				return err
			}
			if err := d.RevokeRole(ctx, operator, id.User.ID, role); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.stdout, "revoked %s from %s (%s)\n", role, id.User.Alias, id.User.ID)
			return err
		})}
	for _, cmd := range []*cobra.Command{add, remove} {
		cmd.Flags().StringVar(&email, "email", "", "an address of the account (required)")
		cmd.Flags().StringVar(&role, "role", "", "role name, e.g. admin (required)")
		_ = cmd.MarkFlagRequired("email")
		_ = cmd.MarkFlagRequired("role")
	}
	roleCmd.AddCommand(add, remove)

	setEnabled := func(enabled bool, verb string) *cobra.Command {
		cmd := &cobra.Command{Use: verb, Short: verb + " an account", Args: cobra.NoArgs,
			RunE: withDirectory(func(ctx context.Context, d *directory.Service) error {
				id, err := byEmail(ctx, d)
				if err != nil {
					return err
				}
				if err := d.SetEnabled(ctx, operator, id.User.ID, enabled); err != nil {
					return err
				}
				_, err = fmt.Fprintf(c.stdout, "%sd %s (%s)\n", verb, id.User.Alias, id.User.ID)
				return err
			})}
		cmd.Flags().StringVar(&email, "email", "", "an address of the account (required)")
		_ = cmd.MarkFlagRequired("email")
		return cmd
	}

	var listRole string
	list := &cobra.Command{Use: "list", Short: "List accounts", Args: cobra.NoArgs,
		RunE: withDirectory(func(ctx context.Context, d *directory.Service) error {
			w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tALIAS\tROLES\tENABLED")
			for page := 1; ; page++ {
				users, total, err := d.List(ctx, models.UserFilter{Role: listRole}, 100, page)
				if err != nil {
					return err
				}
				for _, u := range users {
					fmt.Fprintf(w, "%s\t%s\t%s\t%v\n", u.User.ID, u.User.Alias, strings.Join(u.Roles, ","), u.User.Enabled)
				}
				if page*100 >= total {
					return w.Flush()
				}
			}
		})}
	list.Flags().StringVar(&listRole, "role", "", "only accounts holding this role")

	u.AddCommand(roleCmd, list, setEnabled(true, "enable"), setEnabled(false, "disable"))
	return u
}

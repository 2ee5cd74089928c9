package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/authd/authd/app"
	"github.com/authd/authd/keys"
	"github.com/authd/authd/models"
)

func (c *cli) keysCmd() *cobra.Command {
	k := &cobra.Command{Use: "keys", Short: "Inspect, rotate and revoke token-signing keys"}
	withKeys := func(fn func(ctx context.Context, m *keys.Manager) error) func(*cobra.Command, []string) error {
		return c.withServices(func(ctx context.Context, s *app.Services) error { return fn(ctx, s.Keys) })
	}
	var now bool
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Publish a next key, or promote the published one once it is due; --now makes a new key sign at once",
		Args:  cobra.NoArgs,
		RunE: withKeys(func(ctx context.Context, m *keys.Manager) error {
			res, err := m.Rotate(ctx, now)
			if err != nil {
				return err
			}
			for _, r := range append([]keys.RotationResult{res}, res.Others...) {
				switch {
				case r.Activated != "":
					fmt.Fprintf(c.stdout, "%s: key %s signs now; %s retired (published until its tokens expire)\n", r.Algorithm, r.Activated, r.Retired)
				case r.Published != "":
					fmt.Fprintf(c.stdout, "%s: published next key %s; run rotate again after %s to make it sign\n", r.Algorithm, r.Published, r.SignsFrom.Format(time.RFC3339))
				default:
					fmt.Fprintf(c.stdout, "%s: a next key is published; it can sign from %s\n", r.Algorithm, r.SignsFrom.Format(time.RFC3339))
				}
			}
			return nil
		}),
	}
	rotate.Flags().BoolVar(&now, "now", false, "sign with a new key immediately; the old key stays published until its tokens expire (for a compromised key, use revoke)")
	revoke := &cobra.Command{
		Use:   "revoke KID",
		Short: "Withdraw a compromised key at once: out of the JWKS and refused everywhere; another key signs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withServices(func(ctx context.Context, s *app.Services) error {
				res, err := s.Directory.RevokeSigningKey(ctx, operator, args[0])
				if err != nil {
					return err
				}
				if res.WasState == models.KeyRevoked {
					_, err = fmt.Fprintf(c.stdout, "key %s was already revoked\n", res.Revoked)
					return err
				}
				fmt.Fprintf(c.stdout, "key %s revoked (was %s); running servers drop it within a second\n", res.Revoked, res.WasState)
				if res.Activated != "" {
					fmt.Fprintf(c.stdout, "key %s signs now; sessions get tokens under it at their next refresh or extend\n", res.Activated)
				}
				return nil
			})(cmd, args)
		},
	}
	list := &cobra.Command{
		Use: "list", Short: "List signing keys and their states", Args: cobra.NoArgs,
		RunE: withKeys(func(ctx context.Context, m *keys.Manager) error {
			rows, err := m.List(ctx)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "KID\tALG\tSTATE\tCREATED\tPUBLISHED UNTIL")
			for _, r := range rows {
				until := "-"
				if r.Until != nil {
					until = r.Until.Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Algorithm, r.State, r.CreatedAt.Format(time.RFC3339), until)
			}
			return w.Flush()
		}),
	}
	k.AddCommand(rotate, revoke, list)
	return k
}

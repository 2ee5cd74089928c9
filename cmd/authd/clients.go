package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/authd/authd/app"
	"github.com/authd/authd/clients"
	"github.com/authd/authd/models"
)

// clientsCmd is the operator's door to registered apps (OpenID Connect relying
// parties): the same use cases as /admin/clients, audited as the operator. A secret is
// printed once, when it is drawn:
//
//	authd clients create --name oauth2-proxy --type web --redirect-uri https://proxy.example.com/oauth2/callback
func (c *cli) clientsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "clients", Short: "Manage registered apps (OpenID Connect clients)"}
	run := func(fn func(ctx context.Context, cs *clients.Service, args []string) error) func(*cobra.Command, []string) error {
		return func(cc *cobra.Command, args []string) error {
			return c.withServices(func(ctx context.Context, s *app.Services) error { return fn(ctx, s.Clients, args) })(cc, args)
		}
	}

	created := &specFlags{}
	create := &cobra.Command{Use: "create", Short: "Register an app; a web app's secret is printed once", Args: cobra.NoArgs,
		RunE: run(func(ctx context.Context, cs *clients.Service, _ []string) error {
			reg, err := cs.Create(ctx, operator, created.spec(clients.Spec{}))
			if err != nil {
				return err
			}
			return printRegistered(c.stdout, reg)
		})}
	created.register(create.Flags(), true)

	updated := &specFlags{}
	update := &cobra.Command{Use: "update CLIENT_ID", Short: "Change a registered app: the flags given replace those fields",
		Args: cobra.ExactArgs(1),
		RunE: run(func(ctx context.Context, cs *clients.Service, args []string) error {
			cur, err := cs.Get(ctx, args[0])
			if err != nil {
				return err
			}
			cl, err := cs.Update(ctx, operator, args[0], updated.spec(clients.SpecOf(cur)))
			if err != nil {
				return err
			}
			return printClient(c.stdout, cl)
		})}
	updated.register(update.Flags(), false)

	var grace time.Duration
	rotate := &cobra.Command{Use: "rotate-secret CLIENT_ID", Short: "Give a web app a new secret; the old one works for --grace more",
		Args: cobra.ExactArgs(1),
		RunE: run(func(ctx context.Context, cs *clients.Service, args []string) error {
			reg, err := cs.RotateSecret(ctx, operator, args[0], grace)
			if err != nil {
				return err
			}
			return printRegistered(c.stdout, reg)
		})}
	rotate.Flags().DurationVar(&grace, "grace", 0, "how long the old secret stays valid (default oauth.client_secret_grace, 24h)")

	list := &cobra.Command{Use: "list", Short: "List registered apps", Args: cobra.NoArgs,
		RunE: run(func(ctx context.Context, cs *clients.Service, _ []string) error {
			w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "CLIENT ID\tNAME\tTYPE\tREDIRECT URIS")
			for page := 1; ; page++ {
				rows, total, err := cs.List(ctx, 100, page)
				if err != nil {
					return err
				}
				for _, cl := range rows {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", cl.ID, cl.Name, cl.Type, strings.Join(cl.RedirectURIs, " "))
				}
				if page*100 >= total {
					return w.Flush()
				}
			}
		})}
	show := &cobra.Command{Use: "show CLIENT_ID", Short: "Show a registered app", Args: cobra.ExactArgs(1),
		RunE: run(func(ctx context.Context, cs *clients.Service, args []string) error {
			cl, err := cs.Get(ctx, args[0])
			if err != nil {
				return err
			}
			return printClient(c.stdout, cl)
		})}
	del := &cobra.Command{Use: "delete CLIENT_ID", Short: "Delete a registered app", Args: cobra.ExactArgs(1),
		RunE: run(func(ctx context.Context, cs *clients.Service, args []string) error {
			if err := cs.Delete(ctx, operator, args[0]); err != nil {
				return err
			}
			_, err := fmt.Fprintf(c.stdout, "deleted %s\n", args[0])
			return err
		})}
	cmd.AddCommand(create, list, show, update, rotate, del)
	return cmd
}

// specFlags are a registration's fields as flags.
type specFlags struct {
	fs                                    *pflag.FlagSet
	all                                   bool // create: every flag counts, given or not
	name, logo, typ, backchannel, alg     string
	redirects, postLogout, scopes, grants []string
	firstParty                            bool
	accessTTL, refreshTTL                 time.Duration
}

func (f *specFlags) register(fs *pflag.FlagSet, creating bool) {
	f.fs, f.all = fs, creating
	fs.StringVar(&f.name, "name", "", "the app's name, shown on the login and consent pages")
	fs.StringVar(&f.typ, "type", "", "web (keeps a secret), spa or native (public, PKCE)")
	fs.StringArrayVar(&f.redirects, "redirect-uri", nil, "a redirect URI, matched exactly (repeat for more)")
	fs.StringArrayVar(&f.postLogout, "post-logout-uri", nil, "a post-logout redirect URI (repeat for more)")
	fs.StringVar(&f.backchannel, "backchannel-logout-uri", "", "where logout tokens are sent (OIDC Back-Channel Logout)")
	fs.StringVar(&f.logo, "logo-url", "", "an https URL of the app's logo")
	fs.StringArrayVar(&f.scopes, "scope", nil, "a scope the app may ask for (repeat; default openid profile email offline_access)")
	fs.StringArrayVar(&f.grants, "grant-type", nil, "authorization_code, refresh_token (repeat; default both)")
	fs.BoolVar(&f.firstParty, "first-party", false, "skip the consent page (your own apps)")
	fs.StringVar(&f.alg, "id-token-alg", "", "RS256 (default), ES256 or EdDSA")
	fs.DurationVar(&f.accessTTL, "access-ttl", 0, "access token lifetime (default and most: tokens.access_ttl)")
	fs.DurationVar(&f.refreshTTL, "refresh-ttl", 0, "refresh lifetime (default: the session's; most: sessions.absolute_lifetime)")
	if creating {
		for _, name := range []string{"name", "type", "redirect-uri"} {
			_ = cobra.MarkFlagRequired(fs, name)
		}
	}
}

// spec is base with the flags given on the command line (every flag when creating).
func (f *specFlags) spec(base clients.Spec) clients.Spec {
	set := func(name string) bool { return f.all || f.fs.Changed(name) }
	for name, apply := range map[string]func(){
		"name": func() { base.Name = f.name }, "type": func() { base.Type = f.typ },
		"redirect-uri": func() { base.RedirectURIs = f.redirects }, "post-logout-uri": func() { base.PostLogoutRedirectURIs = f.postLogout },
		"backchannel-logout-uri": func() { base.BackchannelLogoutURI = f.backchannel }, "logo-url": func() { base.LogoURL = f.logo },
		"scope": func() { base.Scopes = f.scopes }, "grant-type": func() { base.GrantTypes = f.grants },
		"first-party": func() { base.FirstParty = f.firstParty }, "id-token-alg": func() { base.IDTokenAlg = f.alg },
		"access-ttl": func() { base.AccessTTL = f.accessTTL }, "refresh-ttl": func() { base.RefreshTTL = f.refreshTTL },
	} {
		if set(name) {
			apply()
		}
	}
	return base
}

// printRegistered shows a client and the secret just drawn, the only time it is shown.
func printRegistered(w io.Writer, reg *clients.Registered) error {
	if err := printClient(w, reg.Client); err != nil {
		return err
	}
	if reg.Secret == "" {
		_, err := fmt.Fprintln(w, "public app: no secret (it uses PKCE)")
		return err
	}
	_, err := fmt.Fprintf(w, "client secret:  %s\n(shown this once; authd keeps only a keyed hash of it)\n", reg.Secret)
	return err
}

// printClient shows a client's fields, one per line.
func printClient(w io.Writer, cl *models.Client) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, kv := range [][2]string{
		{"client id", cl.ID}, {"name", cl.Name}, {"type", cl.Type},
		{"redirect uris", strings.Join(cl.RedirectURIs, " ")}, {"post-logout uris", strings.Join(cl.PostLogoutRedirectURIs, " ")},
		{"back-channel logout", cl.BackchannelLogoutURI}, {"scopes", strings.Join(cl.Scopes, " ")},
		{"grant types", strings.Join(cl.GrantTypes, " ")}, {"first party", fmt.Sprint(cl.FirstParty)},
		{"id token alg", cl.IDTokenAlg}, {"access ttl (s)", fmt.Sprint(cl.AccessTTLSeconds)}, {"refresh ttl (s)", fmt.Sprint(cl.RefreshTTLSeconds)},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", kv[0], kv[1])
	}
	if cl.PrevSecretUntil != nil {
		fmt.Fprintf(tw, "previous secret until:\t%s\n", cl.PrevSecretUntil.Format(time.RFC3339))
	}
	return tw.Flush()
}

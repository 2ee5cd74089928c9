package main

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/authd/authd/app"
)

func (c *cli) serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP server until SIGINT or SIGTERM",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := c.load()
			if err != nil {
				return err
			}
			log.Info("starting authd", "version", version, "config", cfg)
			a, err := app.New(cmd.Context(), cfg, app.Options{Logger: log})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", cfg.Server.Addr)
			if err != nil {
				_ = a.Close(cmd.Context())
				return err
			}
			if addr, own := a.MetricsListener(); own {
				mln, err := net.Listen("tcp", addr)
				if err != nil {
					_ = ln.Close()
					_ = a.Close(cmd.Context())
					return fmt.Errorf("metrics.addr: %w", err)
				}
				log.Info("metrics listening", "addr", mln.Addr().String())
				go func() {
					if err := a.ServeMetrics(cmd.Context(), mln); err != nil {
						log.Error("metrics listener stopped", "err", err)
					}
				}()
			}
			log.Info("listening", "addr", ln.Addr().String(), "issuer", cfg.Server.PublicURL)
			return a.Serve(cmd.Context(), ln)
		},
	}
}

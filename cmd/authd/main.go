// Command authd is the authd server and its operator tools: serve, migrate, version.
// It parses flags and configuration and hands them to package app; it holds no logic.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/authd/authd/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot(os.Stdout, os.Stderr).ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "authd:", err)
		os.Exit(1)
	}
}

// cli carries what every subcommand shares.
type cli struct {
	configFile string
	stdout     io.Writer
	stderr     io.Writer
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	c := &cli{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "authd",
		Short:         "Self-hosted authentication service and token issuer",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&c.configFile, "config", "", "YAML configuration file (default: $AUTHD_CONFIG)")
	root.AddCommand(c.serveCmd(), c.migrateCmd(), c.userCmd(), c.keysCmd(), c.clientsCmd(), c.versionCmd())
	return root
}

func (c *cli) load() (*config.Config, *slog.Logger, error) {
	cfg, err := config.Load(c.configFile)
	if err != nil {
		return nil, nil, err
	}
	return cfg, newLogger(c.stderr, cfg.Log), nil
}

func newLogger(w io.Writer, lc config.LogConfig) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(lc.Level))
	opts := &slog.HandlerOptions{Level: level}
	if lc.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(c.stdout, "authd", version)
			return err
		},
	}
}

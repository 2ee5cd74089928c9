// Command authd-bench drives a real authd (the cmd/authd binary, started as a child
// process on SQLite or Postgres) through its hot paths and login, and reports
// throughput, p50/p99 latency, errors and the server's RSS, each as a ratio to a bare
// net/http handler measured in the same run on the same machine. Modes:
//
//	full   every scenario at peak, then at half of its peak (default)
//	smoke  the same, briefly; fails on any error (CI runs it)
//	soak   a mixed load for -soak (10m), sampling RSS; fails on errors or growth
//	seed   Postgres only: hot paths on an empty database, then after seeding
//	       -seed-users users and twice as many sessions; fails beyond 2x latency
//
// Run it from the repository root: go run ./cmd/authd-bench -mode full
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

type options struct {
	mode, dsn, bin     string
	workers            int
	duration, soakTime time.Duration
	seedUsers          int
	quiet              bool
	only               string
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "full", "full, smoke, soak or seed")
	flag.StringVar(&o.dsn, "dsn", "", "database for the server: empty is a fresh SQLite file; postgres://... for Postgres")
	flag.StringVar(&o.bin, "bin", "", "authd binary to run (default: go build ./cmd/authd)")
	flag.IntVar(&o.workers, "workers", 16, "concurrent clients")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "how long each scenario runs at peak (and again at half peak)")
	flag.DurationVar(&o.soakTime, "soak", 10*time.Minute, "soak mode: how long")
	flag.IntVar(&o.seedUsers, "seed-users", 1_000_000, "seed mode: users to add (sessions: twice as many)")
	flag.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	flag.StringVar(&o.only, "only", "", "full and smoke modes: run only the scenarios whose name contains this text (the bare handler always runs), e.g. -only refresh")
	flag.Parse()
	if o.mode == "smoke" && !flagSet("duration") {
		o.duration = time.Second
	}
	var err error
	switch o.mode {
	case "full", "smoke":
		err = runFull(o)
	case "soak":
		err = runSoak(o)
	case "seed":
		err = runSeed(o)
	default:
		err = fmt.Errorf("unknown mode %q", o.mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "authd-bench:", err)
		os.Exit(1)
	}
}

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

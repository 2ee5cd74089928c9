package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// bare starts the reference: a net/http handler that answers a small JSON body, in
// this process, measured by the same load generator.
func bare() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// environment starts the server under test and the reference, and prepares the
// fixture.
type environment struct {
	srv     *server
	bareURL string
	stop    func()
	fx      *fixture
	bareOp  op
}

func newEnvironment(o options) (*environment, error) {
	dir, err := os.MkdirTemp("", "authd-bench-")
	if err != nil {
		return nil, err
	}
	dsn := o.dsn
	if dsn == "" {
		dsn = "sqlite:" + dir + "/authd.db"
	}
	srv, err := startServer(o.bin, dsn, dir)
	if err != nil {
		return nil, err
	}
	bareURL, stopBare, err := bare()
	if err != nil {
		srv.stop()
		return nil, err
	}
	c := newClient(srv.base, o.workers)
	fx, err := setup(c, srv.codes, o.workers)
	if err == nil {
		err = fx.oidcSetup(context.Background(), srv, o.workers)
	}
	if err != nil {
		srv.stop()
		stopBare()
		return nil, fmt.Errorf("setup: %w\n%s", err, srv.logs.String())
	}
	bc := newClient(bareURL, o.workers)
	return &environment{srv: srv, bareURL: bareURL, fx: fx,
		stop:   func() { srv.stop(); stopBare(); _ = os.RemoveAll(dir) },
		bareOp: func(ctx context.Context, w int) error { return bc.do(ctx, "GET", "/", "", 200, nil) }}, nil
}

// measure runs a scenario at peak and then paced at half of that peak.
func measure(o options, name string, do op, ref float64, srv *server, bar *progress) (peak, half result) {
	peak = closedLoop(name, o.workers, o.duration, do, bar)
	peak.serverRSSMB = srv.rssMB()
	if ref > 0 {
		peak.comparedToRef = peak.rate / ref
	}
	if peak.rate > 0 {
		half = paced(name+" @ half peak", o.workers, peak.rate/2, o.duration, do, bar)
	}
	return peak, half
}

func runFull(o options) error {
	env, err := newEnvironment(o)
	if err != nil {
		return err
	}
	defer env.stop()
	bar := &progress{quiet: o.quiet}
	ref, refHalf := measure(o, "bare net/http handler", env.bareOp, 0, env.srv, bar)
	ref.comparedToRef = 1
	rows := [][2]result{{ref, refHalf}}
	for _, s := range env.fx.scenarios() {
		if o.only != "" && !strings.Contains(strings.ToLower(s.name), strings.ToLower(o.only)) {
			continue
		}
		p, h := measure(o, s.name, s.do, ref.rate, env.srv, bar)
		rows = append(rows, [2]result{p, h})
	}
	report(o, rows)
	return verdict(o, rows)
}

func report(o options, rows [][2]result) {
	fmt.Printf("authd-bench mode=%s workers=%d duration=%s database=%s\n", o.mode, o.workers, o.duration, dbName(o.dsn))
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\treq/s\tvs bare\tp50\tp99\tp99 @ half peak\terrors\tserver RSS MB\t")
	for _, r := range rows {
		p, h := r[0], r[1]
		fmt.Fprintf(tw, "%s\t%.0f\t%.1f%%\t%s\t%s\t%s\t%d\t%.0f\t\n", p.name, p.rate, p.comparedToRef*100,
			round(p.p50), round(p.p99), round(h.p99), p.errors+h.errors, p.serverRSSMB)
	}
	_ = tw.Flush()
	for _, r := range rows {
		for _, x := range r {
			if x.firstErr != nil {
				fmt.Printf("first error in %s: %v\n", x.name, x.firstErr)
			}
		}
	}
}

func round(d time.Duration) string {
	switch {
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.0fµs", float64(d)/1e3)
	}
}

func dbName(dsn string) string {
	if strings.HasPrefix(dsn, "postgres") {
		return "postgres"
	}
	return "sqlite"
}

// targets are issue 6's throughput floors, as fractions of the bare handler.
var targets = map[string]float64{"GET /session (JWT)": 0.35, "GET /keypair": 0.35, "JWKS": 0.50, "client_credentials token": 0.10}

// verdict fails on any error; in full mode also on a missed target or a p99 at half
// peak of 10 ms or more (the hot paths only: login waits out its response floor).
func verdict(o options, rows [][2]result) error {
	var bad []string
	for _, r := range rows {
		p, h := r[0], r[1]
		if p.errors+h.errors > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d errors", p.name, p.errors+h.errors))
		}
		if o.mode != "full" {
			continue
		}
		if want, ok := targets[p.name]; ok && p.comparedToRef < want {
			bad = append(bad, fmt.Sprintf("%s: %.1f%% of the bare handler, target %.0f%%", p.name, p.comparedToRef*100, want*100))
		}
		if _, hot := targets[p.name]; hot && h.p99 >= 10*time.Millisecond {
			bad = append(bad, fmt.Sprintf("%s: p99 at half peak %s, target under 10ms", p.name, round(h.p99)))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	fmt.Println("verdict: PASS")
	return nil
}

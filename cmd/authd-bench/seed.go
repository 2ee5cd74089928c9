package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// runSeed measures the hot paths on the (empty) Postgres database, fills it with
// o.seedUsers users (each with an address, roles and groups) and twice as many
// sessions, measures again, and fails when a hot path's median latency more than
// doubles.
func runSeed(o options) error {
	if !strings.HasPrefix(o.dsn, "postgres") {
		return fmt.Errorf("seed mode needs -dsn postgres://... (an empty database)")
	}
	env, err := newEnvironment(o)
	if err != nil {
		return err
	}
	defer env.stop()
	hot := map[string]bool{"GET /session (JWT)": true, "GET /keypair": true, "GET /check (JWT)": true}
	bar := &progress{quiet: o.quiet}
	run := func() map[string]result {
		out := map[string]result{}
		for _, s := range env.fx.scenarios() {
			if hot[s.name] {
				out[s.name] = closedLoop(s.name, o.workers, o.duration, s.do, bar)
			}
		}
		return out
	}
	empty := run()
	start := time.Now()
	if err := seed(o.dsn, o.seedUsers); err != nil {
		return err
	}
	fmt.Printf("seeded %d users and %d sessions in %s\n", o.seedUsers, 2*o.seedUsers, time.Since(start).Round(time.Second))
	seeded := run()
	fmt.Printf("authd-bench mode=seed workers=%d duration=%s database=postgres\n", o.workers, o.duration)
	var bad []string
	for name, e := range empty {
		s := seeded[name]
		fmt.Printf("%-22s empty: %6.0f req/s p50 %-9s p99 %-9s | seeded: %6.0f req/s p50 %-9s p99 %-9s | p50 x%.2f\n",
			name, e.rate, round(e.p50), round(e.p99), s.rate, round(s.p50), round(s.p99), float64(s.p50)/float64(e.p50))
		if s.errors+e.errors > 0 {
			bad = append(bad, fmt.Sprintf("%s: errors", name))
		}
		if s.p50 > 2*e.p50 {
			bad = append(bad, fmt.Sprintf("%s: median latency %s seeded vs %s empty", name, round(s.p50), round(e.p50)))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	fmt.Println("verdict: PASS (seeded within 2x of empty)")
	return nil
}

// seed bulk-inserts users with an address, the user role and the public group, and
// two web sessions each, then refreshes the planner's statistics.
func seed(dsn string, n int) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	stmts := []string{
		`INSERT INTO users (id, alias, full_name, enabled, verified, created_at, updated_at)
		 SELECT 'seed-u-' || g, 'seed' || g, 'Seed User', true, false, now(), now() FROM generate_series(1, $1) g`,
		`INSERT INTO emails (id, user_id, address, verified, preferred, created_at, verified_at)
		 SELECT 'seed-e-' || g, 'seed-u-' || g, 'seed' || g || '@example.com', true, true, now(), now() FROM generate_series(1, $1) g`,
		`INSERT INTO user_roles (user_id, role, created_at) SELECT 'seed-u-' || g, 'user', now() FROM generate_series(1, $1) g`,
		`INSERT INTO user_groups (user_id, group_name, created_at) SELECT 'seed-u-' || g, 'public', now() FROM generate_series(1, $1) g`,
		`INSERT INTO sessions (id, user_id, email_id, kind, ip, user_agent, created_at, expires_at, last_seen_at, verified_at, idle_seconds)
		 SELECT 'seed-s-' || g, 'seed-u-' || (1 + g % $1), 'seed-e-' || (1 + g % $1), 'web', '192.0.2.1', 'seed',
		        now(), now() + interval '30 days', now(), now(), 604800 FROM generate_series(1, 2 * $1) g`,
		`ANALYZE`,
	}
	for _, q := range stmts {
		var err error
		if strings.Contains(q, "$1") {
			_, err = db.ExecContext(ctx, q, n)
		} else {
			_, err = db.ExecContext(ctx, q)
		}
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return nil
}

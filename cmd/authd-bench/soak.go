package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// runSoak drives a mix of the hot paths and refreshes for o.soakTime, sampling the
// server's RSS every tenth of the run; it fails on any error or on memory that keeps
// growing (the last sample above 1.2 times the one at a fifth of the run, plus 16 MB).
func runSoak(o options) error {
	env, err := newEnvironment(o)
	if err != nil {
		return err
	}
	defer env.stop()
	all := env.fx.scenarios()
	var mix []scenario
	for _, s := range all {
		if s.name != "login (code by mail)" {
			mix = append(mix, s)
		}
	}
	var n atomic.Int64
	mixed := func(ctx context.Context, w int) error {
		return mix[(w+int(n.Add(1)))%len(mix)].do(ctx, w)
	}
	type sample struct {
		at  time.Duration
		rss float64
	}
	var samples []sample
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(o.soakTime / 10)
		defer t.Stop()
		start := time.Now()
		samples = append(samples, sample{0, env.srv.rssMB()})
		for {
			select {
			case <-done:
				return
			case <-t.C:
				samples = append(samples, sample{time.Since(start).Round(time.Second), env.srv.rssMB()})
			}
		}
	}()
	res := closedLoop("soak (mixed hot paths)", o.workers, o.soakTime, mixed, &progress{quiet: o.quiet})
	close(done)
	time.Sleep(10 * time.Millisecond)
	fmt.Printf("authd-bench mode=soak workers=%d duration=%s database=%s\n", o.workers, o.soakTime, dbName(o.dsn))
	fmt.Printf("requests %d (%.0f/s), p50 %s, p99 %s, errors %d\n", res.requests, res.rate, round(res.p50), round(res.p99), res.errors)
	for _, s := range samples {
		fmt.Printf("  t=%-8s server RSS %.1f MB\n", s.at, s.rss)
	}
	if res.errors > 0 {
		return fmt.Errorf("soak: %d errors; first: %v", res.errors, res.firstErr)
	}
	if len(samples) >= 3 {
		early, last := samples[2].rss, samples[len(samples)-1].rss
		if last > early*1.2+16 {
			return fmt.Errorf("soak: RSS grew from %.1f MB to %.1f MB", early, last)
		}
	}
	fmt.Println("verdict: PASS (zero errors, flat memory)")
	return nil
}

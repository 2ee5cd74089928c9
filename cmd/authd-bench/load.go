package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// op performs one request for worker w and reports whether its answer was the
// expected one.
type op func(ctx context.Context, w int) error

// result is one measured run.
type result struct {
	name          string
	requests      int
	errors        int
	firstErr      error
	elapsed       time.Duration
	p50, p99      time.Duration
	rate          float64 // requests per second
	targetRate    float64 // paced runs: the rate asked for
	serverRSSMB   float64
	comparedToRef float64 // rate / the bare handler's rate
}

// tally is one worker's record: its latencies and failures.
type tally struct {
	lat      []time.Duration
	errors   int
	firstErr error
}

// note records a request that was due at t0 and ended now with err.
func (t *tally) note(t0 time.Time, err error) {
	t.lat = append(t.lat, time.Since(t0))
	if err != nil {
		t.errors++
		if t.firstErr == nil {
			t.firstErr = err
		}
	}
}

// recorder gathers the workers' tallies.
type recorder struct {
	mu sync.Mutex
	tally
}

func (r *recorder) add(t *tally) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lat = append(r.lat, t.lat...)
	r.errors += t.errors
	if r.firstErr == nil {
		r.firstErr = t.firstErr
	}
}

func (r *recorder) result(name string, elapsed time.Duration) result {
	slices.Sort(r.lat)
	res := result{name: name, requests: len(r.lat), errors: r.errors, firstErr: r.firstErr, elapsed: elapsed}
	if n := len(r.lat); n > 0 {
		res.p50, res.p99 = r.lat[n/2], r.lat[min(n-1, n*99/100)]
		res.rate = float64(n) / elapsed.Seconds()
	}
	return res
}

// closedLoop runs workers back to back for d: the peak throughput.
func closedLoop(name string, workers int, d time.Duration, do op, bar *progress) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	rec := &recorder{}
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := &tally{lat: make([]time.Duration, 0, 1<<14)}
			for ctx.Err() == nil {
				t0 := time.Now()
				// Never cut a request short: a refresh whose answer is lost would
				// leave the worker holding a spent token.
				t.note(t0, do(context.Background(), w))
			}
			rec.add(t)
		}()
	}
	bar.run(name, d, ctx.Done())
	wg.Wait()
	return rec.result(name, time.Since(start))
}

// paced sends rate requests a second for d from a pool of workers, timing each from
// when it was due (so a stalled server shows in the latency, not as fewer requests).
func paced(name string, workers int, rate float64, d time.Duration, do op, bar *progress) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	due := make(chan time.Time, workers*4)
	rec := &recorder{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := &tally{}
			for t0 := range due {
				t.note(t0, do(context.Background(), w))
			}
			rec.add(t)
		}()
	}
	start := time.Now()
	go func() {
		defer close(due)
		interval := time.Duration(float64(time.Second) / rate)
		for next := start; ctx.Err() == nil; next = next.Add(interval) {
			if wait := time.Until(next); wait > 0 {
				time.Sleep(wait)
			}
			select {
			case due <- next:
			case <-ctx.Done():
			}
		}
	}()
	bar.run(name, d, ctx.Done())
	wg.Wait()
	res := rec.result(name, time.Since(start))
	res.targetRate = rate
	return res
}

// progress draws a bar on stderr while a run lasts.
type progress struct{ quiet bool }

func (p *progress) run(name string, d time.Duration, done <-chan struct{}) {
	if p.quiet {
		<-done
		return
	}
	start := time.Now()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		frac := min(time.Since(start).Seconds()/d.Seconds(), 1)
		n := int(frac * 30)
		fmt.Fprintf(os.Stderr, "\r%-28s [%s%s] %3.0f%%", name, strings.Repeat("#", n), strings.Repeat(" ", 30-n), frac*100)
		select {
		case <-done:
			fmt.Fprintf(os.Stderr, "\r%s\r", strings.Repeat(" ", 70))
			return
		case <-t.C:
		}
	}
}

package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/authd/authd/models"
)

// LimitStore keeps the counters every instance shares, so limits hold across a fleet.
type LimitStore interface {
	CountHit(ctx context.Context, bucket string, windowStart, expires time.Time) (int, error)
	RecordCodeFailure(ctx context.Context, userID string) (int, error)
	BlockCodes(ctx context.Context, userID string, until time.Time) error
	ResetCodeFailures(ctx context.Context, userID string) error
}

// Limits bound abuse; zero fields take the defaults in brackets.
type Limits struct {
	SendsPerAddress15m  int // codes emailed to one address per 15 minutes [5]
	SendsPerAddressDay  int // and per day [20]
	SendsPerIP5m        int // codes requested from one client IP per 5 minutes [30]
	FailedCodesPerIP    int // wrong or unknown codes from one IP per 15 minutes [30]
	FailedKeyPairsPerIP int // failed key-pair checks from one IP per 15 minutes [30]
	// ResponseFloor is the least time POST /session and POST /user take, so that an
	// address with an account (a code is stored and queued) and one without (nothing
	// is) answer alike. Zero is none; configuration's default is 25ms.
	ResponseFloor time.Duration
}

func (l *Limits) fill() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.SendsPerAddress15m, 5)
	def(&l.SendsPerAddressDay, 20)
	def(&l.SendsPerIP5m, 30)
	def(&l.FailedCodesPerIP, 30)
	def(&l.FailedKeyPairsPerIP, 30)
}

// Per-account runs of wrong codes (NIST SP 800-63B 5.2.2): after failureDelayAfter in
// a row every code is refused for a delay starting at firstDelay and doubling up to
// maxDelay; at lockAfter in a row, for lockFor. A right code ends the run. Refusals
// look exactly like a wrong code, so they reveal nothing, and do not lengthen the run.
const (
	failureDelayAfter = 10
	firstDelay        = time.Minute
	maxDelay          = time.Hour
	lockAfter         = 100
	lockFor           = 24 * time.Hour
)

func codeDelay(run int) time.Duration {
	switch {
	case run >= lockAfter:
		return lockFor
	case run >= failureDelayAfter:
		if shift := run - failureDelayAfter; shift < 7 {
			return min(firstDelay<<shift, maxDelay)
		}
		return maxDelay
	}
	return 0
}

// codesBlocked reports whether the user's codes are refused right now.
func codesBlocked(u *models.User, now time.Time) bool {
	return u.CodesBlockedUntil != nil && now.Before(*u.CodesBlockedUntil)
}

// codeFailed lengthens the user's run and blocks their codes when it calls for it.
// A storage error is logged: the answer is a refusal either way.
func (s *Service) codeFailed(ctx context.Context, userID string, now time.Time) {
	run, err := s.store.RecordCodeFailure(ctx, userID)
	if err == nil {
		if d := codeDelay(run); d > 0 {
			err = s.store.BlockCodes(ctx, userID, now.Add(d))
		}
	}
	if err != nil {
		s.o.Logger.ErrorContext(ctx, "record wrong code", "user_id", userID, "err", err)
	}
}

func (s *Service) codeSucceeded(ctx context.Context, userID string) {
	if err := s.store.ResetCodeFailures(ctx, userID); err != nil {
		s.o.Logger.ErrorContext(ctx, "reset wrong-code run", "user_id", userID, "err", err)
	}
}

func (s *Service) throttled(wait time.Duration) error {
	s.o.Observer.Code("throttled")
	return tooMany(wait)
}

func tooMany(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	return &models.Error{Kind: models.KindTooMany, Public: "too many requests; try again later", RetryAfter: max(secs, 1)}
}

// bucket names a counter by a keyed hash, so no address or IP is stored in clear.
func (s *Service) bucket(kind, value string) string {
	m := hmac.New(sha256.New, s.o.LimitPepper)
	m.Write([]byte(kind + "\x00" + value))
	return kind + ":" + hex.EncodeToString(m.Sum(nil)[:16])
}

// hit counts one hit on kind/value in the current window of length every, and
// refuses with 429 once more than max came in it.
func (s *Service) hit(ctx context.Context, kind, value string, every time.Duration, max int, now time.Time) (int, time.Time, error) {
	start := now.Truncate(every)
	end := start.Add(every)
	n, err := s.store.CountHit(ctx, s.bucket(kind, value), start, end)
	if err != nil {
		return 0, end, storeFault(err)
	}
	if n > max {
		return n, end, s.throttled(end.Sub(now))
	}
	return n, end, nil
}

// allowSend counts a code about to be emailed to address at the request of ip
// (address "": a code to the caller's own address, counted per IP only). It is called
// the same way whether or not the address has an account, so a 429 reveals nothing.
func (s *Service) allowSend(ctx context.Context, address, ip string) error {
	now, l := s.now(), s.o.Limits
	if _, _, err := s.hit(ctx, "send-ip", ip, 5*time.Minute, l.SendsPerIP5m, now); err != nil || address == "" {
		return err
	}
	if _, _, err := s.hit(ctx, "send-addr", address, 15*time.Minute, l.SendsPerAddress15m, now); err != nil {
		return err
	}
	_, _, err := s.hit(ctx, "send-addr-day", address, 24*time.Hour, l.SendsPerAddressDay, now)
	return err
}

// ipGuard refuses an IP that failed too often. Failures are counted in the shared
// store; the refusal is remembered in memory until the window ends, so the hot path
// (a key-pair check) costs no database read. Another instance learns of it at the
// next failure it sees from that IP: at most one more guess per instance is checked.
type ipGuard struct {
	kind string
	max  int
	mu   sync.Mutex
	till map[string]time.Time
}

const guardWindow = 15 * time.Minute

func newIPGuard(kind string, max int) *ipGuard {
	return &ipGuard{kind: kind, max: max, till: map[string]time.Time{}}
}

// check answers 429 while ip is refused.
func (g *ipGuard) check(ip string, now time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until, ok := g.till[ip]; ok {
		if now.Before(until) {
			return tooMany(until.Sub(now))
		}
		delete(g.till, ip)
	}
	return nil
}

// failed counts a failure from ip and refuses it from the max-th on.
func (s *Service) failed(ctx context.Context, g *ipGuard, ip string) {
	now := s.now()
	n, end, err := s.hit(ctx, g.kind, ip, guardWindow, g.max, now)
	if err != nil && models.KindOf(err) != models.KindTooMany {
		s.o.Logger.ErrorContext(ctx, "count failure", "kind", g.kind, "err", err)
		return
	}
	if n >= g.max {
		g.mu.Lock()
		if len(g.till) > 100_000 { // many IPs: forget the lapsed refusals
			for k, t := range g.till {
				if !now.Before(t) {
					delete(g.till, k)
				}
			}
		}
		g.till[ip] = end
		g.mu.Unlock()
	}
}

// padResponse sleeps until floor has passed since start (wall time: this is about
// what a client can measure), or until ctx ends.
func padResponse(ctx context.Context, start time.Time, floor time.Duration) {
	wait := floor - time.Since(start)
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

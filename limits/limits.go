// Package limits bounds abuse: codes emailed per address and per client IP, wrong codes
// and failed key-pair checks per IP, and per-account runs of wrong codes (NIST SP
// 800-63B 5.2.2). Counters live in the shared store, so limits hold across a fleet;
// refusals are answered as 429 with Retry-After, or, where a 429 would reveal an
// account, exactly like a wrong code.
package limits

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/authd/authd/models"
)

// Store keeps the counters every instance shares, so limits hold across a fleet.
type Store interface {
	CountHits(ctx context.Context, hits []models.RateHit) ([]int, error)
	RecordCodeFailure(ctx context.Context, userID string) (int, error)
	BlockCodes(ctx context.Context, userID string, until time.Time) error
	ResetCodeFailures(ctx context.Context, userID string) error
}

// Limits bound abuse; zero fields take the defaults in brackets.
type Limits struct {
	SendsPerAddress15m int // codes emailed to one address from one network per 15 minutes [5]
	SendsPerAddressDay int // and per day [20]
	// SendsPerAddressAll15m and Day cap one address over all networks together [30,
	// 100]; networks the account logged in from before are not held to them.
	SendsPerAddressAll15m int
	SendsPerAddressAllDay int
	SendsPerIP5m          int // codes requested from one client IP per 5 minutes [30]
	FailedCodesPerIP      int // wrong or unknown codes from one IP per 15 minutes [30]
	FailedKeyPairsPerIP   int // failed key-pair checks from one IP per 15 minutes [30]
	InvitesPerPartner     int // invitation mails one partner sends per UTC day [50]
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
	def(&l.SendsPerAddressAll15m, 30)
	def(&l.SendsPerAddressAllDay, 100)
	def(&l.SendsPerIP5m, 30)
	def(&l.FailedCodesPerIP, 30)
	def(&l.FailedKeyPairsPerIP, 30)
	def(&l.InvitesPerPartner, 50)
}

// Observer counts code events: sent, wrong (a wrong or unknown code), blocked (the
// account's codes are refused after a run of wrong ones), throttled (a 429 from a
// limit). metrics.Metrics implements it.
type Observer interface{ Code(event string) }

type noObserver struct{}

func (noObserver) Code(string) {}

// Options configure a Guard.
type Options struct {
	Limits Limits
	Pepper []byte // HMAC key naming the counters; required
	// IPv6Prefix is the prefix length that counts as one IPv6 client (default 64);
	// IPv4 clients count by address.
	IPv6Prefix int
	Now        func() time.Time
	Logger     *slog.Logger
	Observer   Observer // nil: nothing is counted
}

// Guard applies the limits.
type Guard struct {
	store Store
	o     Options
	// codeIPs and keyIPs refuse client IPs with too many failed codes or key pairs.
	codeIPs, keyIPs *ipGuard
}

// New builds a guard, filling unset limits with their defaults.
func New(st Store, o Options) *Guard {
	o.Limits.fill()
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Observer == nil {
		o.Observer = noObserver{}
	}
	return &Guard{store: st, o: o, codeIPs: newIPGuard("fail-code-ip", o.Limits.FailedCodesPerIP),
		keyIPs: newIPGuard("fail-key-ip", o.Limits.FailedKeyPairsPerIP)}
}

func (g *Guard) now() time.Time { return g.o.Now().UTC().Truncate(time.Microsecond) }

// Observer is where code events are counted.
func (g *Guard) Observer() Observer { return g.o.Observer }

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

// CodesBlocked reports whether the user's codes are refused right now.
func CodesBlocked(u *models.User, now time.Time) bool {
	return u.CodesBlockedUntil != nil && now.Before(*u.CodesBlockedUntil)
}

// CodeFailed lengthens the user's run and blocks their codes when it calls for it.
// A storage error is logged: the answer is a refusal either way.
func (g *Guard) CodeFailed(ctx context.Context, userID string, now time.Time) {
	run, err := g.store.RecordCodeFailure(ctx, userID)
	if err == nil {
		if d := codeDelay(run); d > 0 {
			err = g.store.BlockCodes(ctx, userID, now.Add(d))
		}
	}
	if err != nil {
		g.o.Logger.ErrorContext(ctx, "record wrong code", "user_id", userID, "err", err)
	}
}

// CodeSucceeded ends the user's run of wrong codes.
func (g *Guard) CodeSucceeded(ctx context.Context, userID string) {
	if err := g.store.ResetCodeFailures(ctx, userID); err != nil {
		g.o.Logger.ErrorContext(ctx, "reset wrong-code run", "user_id", userID, "err", err)
	}
}

func (g *Guard) throttled(wait time.Duration) error {
	g.o.Observer.Code("throttled")
	return tooMany(wait)
}

func tooMany(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	return &models.Error{Kind: models.KindTooMany, Public: "too many requests; try again later", RetryAfter: max(secs, 1)}
}

// bucket names a counter by a keyed hash, so no address or IP is stored in clear.
func (g *Guard) bucket(kind, value string) string {
	m := hmac.New(sha256.New, g.o.Pepper)
	m.Write([]byte(kind + "\x00" + value))
	return kind + ":" + hex.EncodeToString(m.Sum(nil)[:16])
}

// hit counts one hit on kind/value in the current window of length every, and
// refuses with 429 once more than max came in it.
func (g *Guard) hit(ctx context.Context, kind, value string, every time.Duration, max int, now time.Time) (int, time.Time, error) {
	h := g.rateHit(kind, value, every, max, now)
	counts, _, err := g.count(ctx, []models.RateHit{h}, now)
	if len(counts) == 0 { // a storage error
		return 0, h.ExpiresAt, err
	}
	return counts[0], h.ExpiresAt, err
}

// rateHit is a hit on kind/value in the current window of length every.
func (g *Guard) rateHit(kind, value string, every time.Duration, max int, now time.Time) models.RateHit {
	start := now.Truncate(every)
	return models.RateHit{Bucket: g.bucket(kind, value), WindowStart: start, ExpiresAt: start.Add(every), Max: max}
}

// count counts hits in order and stops at the first over its limit, which refuses
// with 429 (refused is its index; -1 when none refused). A refused hit counts on its
// own counter but on none after it.
func (g *Guard) count(ctx context.Context, hits []models.RateHit, now time.Time) (counts []int, refused int, err error) {
	counts, err = g.store.CountHits(ctx, hits)
	if err != nil {
		return nil, -1, models.Internal(err)
	}
	for i, n := range counts {
		if n > hits[i].Max {
			return counts, i, g.throttled(hits[i].ExpiresAt.Sub(now))
		}
	}
	return counts, -1, nil
}

// KnownIPs lists the client IPs an account logged in from recently (nil: none, as for
// an address without an account).
type KnownIPs func(ctx context.Context) ([]string, error)

// AllowSend counts a code about to be emailed to address at the request of ip
// (address "": a code to the caller's own address, counted per network only): per
// client network, per address and network, and per address over all networks. The
// last cap does not hold a network the account logged in from before (known), so
// flooding an address from elsewhere cannot keep its owner from a code. It is called
// the same way whether or not the address has an account, so a 429 reveals nothing.
func (g *Guard) AllowSend(ctx context.Context, address, ip string, known KnownIPs) error {
	now, l, network := g.now(), g.o.Limits, Network(ip, g.o.IPv6Prefix)
	hits := []models.RateHit{g.rateHit("send-ip", network, 5*time.Minute, l.SendsPerIP5m, now)}
	if address != "" {
		pair := address + "\x00" + network
		hits = append(hits,
			g.rateHit("send-addr-net", pair, 15*time.Minute, l.SendsPerAddress15m, now),
			g.rateHit("send-addr-net-day", pair, 24*time.Hour, l.SendsPerAddressDay, now),
			// The caps over all networks come last: a known network passes them.
			g.rateHit("send-addr", address, 15*time.Minute, l.SendsPerAddressAll15m, now),
			g.rateHit("send-addr-day", address, 24*time.Hour, l.SendsPerAddressAllDay, now))
	}
	_, refused, err := g.count(ctx, hits, now)
	if overAllNetworks := len(hits) - 2; address != "" && refused >= overAllNetworks && g.FromKnownNetwork(ctx, ip, known) {
		return nil
	}
	return err
}

// FromKnownNetwork reports whether ip is on a network one of known's IPs is on. A
// storage error counts as unknown: the caller then applies the stricter rule.
func (g *Guard) FromKnownNetwork(ctx context.Context, ip string, known KnownIPs) bool {
	if known == nil {
		return false
	}
	ips, err := known(ctx)
	if err != nil {
		g.o.Logger.ErrorContext(ctx, "read known networks", "err", err)
		return false
	}
	network := Network(ip, g.o.IPv6Prefix)
	for _, k := range ips {
		if Network(k, g.o.IPv6Prefix) == network {
			return true
		}
	}
	return false
}

// AllowInvite counts an invitation mail a partner is about to send; 429 past the day's
// limit, so a partner account cannot become a phishing channel.
func (g *Guard) AllowInvite(ctx context.Context, partnerID string) error {
	_, _, err := g.hit(ctx, "invite-partner", partnerID, 24*time.Hour, g.o.Limits.InvitesPerPartner, g.now())
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

// CheckCodeIP answers 429 while ip is refused after too many wrong codes.
func (g *Guard) CheckCodeIP(ip string) error {
	return g.codeIPs.check(Network(ip, g.o.IPv6Prefix), g.now())
}

// CodeIPFailed counts a wrong or unknown code from ip.
func (g *Guard) CodeIPFailed(ctx context.Context, ip string) {
	g.failed(ctx, g.codeIPs, Network(ip, g.o.IPv6Prefix))
}

// CheckKeyPairIP answers 429 while ip is refused after too many failed key-pair checks.
func (g *Guard) CheckKeyPairIP(ip string) error {
	return g.keyIPs.check(Network(ip, g.o.IPv6Prefix), g.now())
}

// KeyPairIPFailed counts a failed key-pair check from ip.
func (g *Guard) KeyPairIPFailed(ctx context.Context, ip string) {
	g.failed(ctx, g.keyIPs, Network(ip, g.o.IPv6Prefix))
}

// failed counts a failure from ip and refuses it from the max-th on.
func (g *Guard) failed(ctx context.Context, ig *ipGuard, ip string) {
	now := g.now()
	n, end, err := g.hit(ctx, ig.kind, ip, guardWindow, ig.max, now)
	if err != nil && models.KindOf(err) != models.KindTooMany {
		g.o.Logger.ErrorContext(ctx, "count failure", "kind", ig.kind, "err", err)
		return
	}
	if n >= ig.max {
		ig.mu.Lock()
		if len(ig.till) > 100_000 { // many IPs: forget the lapsed refusals
			for k, t := range ig.till {
				if !now.Before(t) {
					delete(ig.till, k)
				}
			}
		}
		ig.till[ip] = end
		ig.mu.Unlock()
	}
}

// PadLogin sleeps until the login response floor has passed since start (wall time:
// this is about what a client can measure), or until ctx ends.
func (g *Guard) PadLogin(ctx context.Context, start time.Time) {
	wait := g.o.Limits.ResponseFloor - time.Since(start)
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

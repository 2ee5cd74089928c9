package handlers

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/limits"
	"github.com/authd/authd/models"
)

// clientOf describes the caller. The client IP is the peer's address, unless the peer
// is a configured trusted proxy: then X-Forwarded-For is read from the right, skipping
// trusted proxies, and the first other address is the client. A client cannot pick
// its IP (and so its rate-limit buckets) by sending the header itself.
func (h *Handler) clientOf(r *http.Request) authn.Client { return ClientOf(h.o.TrustedProxies)(r) }

// ClientOf returns who sends a request (IP, believing X-Forwarded-For only from
// trusted proxies, and a cleaned user agent), for the hosted pages.
func ClientOf(trusted []netip.Prefix) func(r *http.Request) authn.Client {
	return func(r *http.Request) authn.Client {
		return authn.Client{IP: clientIP(r, trusted), UserAgent: cleanUserAgent(r.UserAgent())}
	}
}

func clientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return peer.String() // a garbled chain: trust nothing in it
			}
			if a = a.Unmap(); !isTrusted(a, trusted) {
				return a.String()
			}
		}
	}
	return peer.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ipLimiter bounds requests per client IP on the unauthenticated endpoints of this
// instance (a token bucket per IP). It guards capacity, not secrets: the limits that
// guard secrets (code sends, failed codes and key pairs) are counted in the database
// and shared by every instance.
type ipLimiter struct {
	perMinute int
	mu        sync.Mutex
	ips       map[string]*ipBucket
	swept     time.Time
}

type ipBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimiter(perMinute int) *ipLimiter {
	return &ipLimiter{perMinute: perMinute, ips: map[string]*ipBucket{}}
}

// allow takes one token for ip, or says how long until one is there.
func (l *ipLimiter) allow(ip string, now time.Time) error {
	if l == nil || l.perMinute <= 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.ips {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.ips, k)
			}
		}
		l.swept = now
	}
	b, ok := l.ips[ip]
	if !ok {
		burst := max(l.perMinute/4, 1)
		b = &ipBucket{lim: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), burst)}
		l.ips[ip] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		secs := int((d + time.Second - 1) / time.Second)
		return &models.Error{Kind: models.KindTooMany, Public: "too many requests; try again later", RetryAfter: secs}
	}
	return nil
}

// limited wraps an unauthenticated endpoint with the per-IP limit.
func (h *Handler) limited(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// Wall time, not the injected clock: this bounds real request rates.
		if err := h.ipRate.allow(limits.Network(clientIP(r, h.o.TrustedProxies), h.o.IPv6Prefix), time.Now()); err != nil {
			return err
		}
		return fn(w, r)
	}
}

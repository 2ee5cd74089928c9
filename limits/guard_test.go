package limits_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/limits"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

var _ limits.Store = (*store.Store)(nil)

func newGuard(st *store.Store, now func() time.Time) *limits.Guard {
	return limits.New(st, limits.Options{Pepper: []byte("limits-test-pepper-0123456789abcd"), Now: now,
		Limits: limits.Limits{SendsPerAddress15m: 3, SendsPerAddressAll15m: 5, SendsPerIP5m: 100, FailedCodesPerIP: 4, FailedKeyPairsPerIP: 2}})
}

func retryAfter(err error) int {
	var e *models.Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// TestSendsPerAddress (issue 11 item 5): an address gets at most 3 codes per 15
// minutes from one network (429 with Retry-After until the window ends) and 5 from all
// networks together, but a network its account logged in from before is held only to
// its own 3; the counters are the database's, so a second guard (another instance)
// agrees.
func TestSendsPerAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 12, 1, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		g, other := newGuard(st, clock), newGuard(st, clock)
		for i := range 3 {
			if err := g.AllowSend(ctx, "ada@example.com", "192.0.2.1", nil); err != nil {
				t.Fatalf("send %d: %v", i+1, err)
			}
		}
		err := other.AllowSend(ctx, "ada@example.com", "192.0.2.1", nil)
		if models.KindOf(err) != models.KindTooMany || retryAfter(err) != 14*60 {
			t.Fatalf("fourth send from one network: %v (retry after %d s), want 429 until the window ends", err, retryAfter(err))
		}
		for _, ip := range []string{"198.51.100.7", "198.51.100.8"} {
			if err := g.AllowSend(ctx, "ada@example.com", ip, nil); err != nil {
				t.Fatalf("another network %s: %v", ip, err)
			}
		}
		if err := g.AllowSend(ctx, "ada@example.com", "203.0.113.9", nil); models.KindOf(err) != models.KindTooMany {
			t.Fatalf("sixth send over all networks: %v, want 429", err)
		}
		known := func(context.Context) ([]string, error) { return []string{"2001:db8:5:6::1", "203.0.113.77"}, nil }
		if err := g.AllowSend(ctx, "ada@example.com", "2001:db8:5:6:aaaa::2", known); err != nil {
			t.Fatalf("from a network the account logged in from: %v, want a code", err)
		}
		if err := g.AllowSend(ctx, "ada@example.com", "2001:db8:5:7::1", known); models.KindOf(err) != models.KindTooMany {
			t.Fatalf("from an unknown network: %v, want 429", err)
		}
		if err := g.AllowSend(ctx, "bob@example.com", "192.0.2.1", nil); err != nil {
			t.Fatalf("another address: %v", err)
		}
		now = now.Add(15 * time.Minute)
		if err := g.AllowSend(ctx, "ada@example.com", "192.0.2.1", nil); err != nil {
			t.Fatalf("next window: %v", err)
		}
	})
}

// TestIPGuards: an IP with too many wrong codes (or failed key pairs) is refused
// from memory until the window ends; each kind counts apart, other IPs pass.
func TestIPGuards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		g := newGuard(st, func() time.Time { return now })
		const ip = "203.0.113.5"
		for range 4 {
			if err := g.CheckCodeIP(ip); err != nil {
				t.Fatalf("before the limit: %v", err)
			}
			g.CodeIPFailed(ctx, ip)
		}
		if err := g.CheckCodeIP(ip); models.KindOf(err) != models.KindTooMany {
			t.Fatalf("after 4 wrong codes: %v, want 429", err)
		}
		if err := g.CheckCodeIP("203.0.113.6"); err != nil {
			t.Fatalf("another IP: %v", err)
		}
		if err := g.CheckKeyPairIP(ip); err != nil {
			t.Fatalf("key pairs count apart: %v", err)
		}
		g.KeyPairIPFailed(ctx, ip)
		g.KeyPairIPFailed(ctx, ip)
		if err := g.CheckKeyPairIP(ip); models.KindOf(err) != models.KindTooMany {
			t.Fatalf("after 2 failed key pairs: %v, want 429", err)
		}
		now = now.Add(15 * time.Minute)
		if err := g.CheckCodeIP(ip); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func TestNetwork(t *testing.T) {
	tests := []struct {
		ip   string
		bits int
		want string
	}{
		{"192.0.2.7", 64, "192.0.2.7"},
		{"::ffff:192.0.2.7", 64, "192.0.2.7"},
		{"2001:db8:1:2:aaaa::1", 64, "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", 0, "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", 48, "2001:db8:1::/48"},
		{"2001:db8:1:2::1", 128, "2001:db8:1:2::1/128"},
		{"fe80::1%eth0", 64, "fe80::/64"},
		{"not-an-ip", 64, "not-an-ip"},
	}
	for _, tt := range tests {
		if got := limits.Network(tt.ip, tt.bits); got != tt.want {
			t.Errorf("Network(%q, %d) = %q, want %q", tt.ip, tt.bits, got, tt.want)
		}
	}
}

// TestIPv6ClientsCountByNetwork (issue 11 item 6): rotating addresses inside one /64
// is one client for every per-IP limit; another /64 is another client.
func TestIPv6ClientsCountByNetwork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		g := limits.New(st, limits.Options{Pepper: []byte("limits-test-pepper-0123456789abcd"), Now: func() time.Time { return now },
			Limits: limits.Limits{SendsPerIP5m: 3, FailedCodesPerIP: 3}})
		ip := func(i int) string { return fmt.Sprintf("2001:db8:aa:bb:%x::%x", i, i+1) }
		for i := range 3 {
			if err := g.AllowSend(ctx, "", ip(i), nil); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
			g.CodeIPFailed(ctx, ip(i))
		}
		if err := g.AllowSend(ctx, "", ip(9), nil); models.KindOf(err) != models.KindTooMany {
			t.Fatalf("fourth send from the same /64: %v, want 429", err)
		}
		if err := g.CheckCodeIP(ip(10)); models.KindOf(err) != models.KindTooMany {
			t.Fatalf("a code from the same /64 after 3 failures: %v, want 429", err)
		}
		if err := g.AllowSend(ctx, "", "2001:db8:aa:cc::1", nil); err != nil {
			t.Fatalf("another /64: %v", err)
		}
	})
}

package handlers

import (
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestClientIP(t *testing.T) {
	lb := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	cases := []struct {
		name, peer string
		xff        []string
		trusted    []netip.Prefix
		want       string
	}{
		{"no proxy configured: header ignored", "192.0.2.1:5000", []string{"203.0.113.7"}, nil, "192.0.2.1"},
		{"untrusted peer: header ignored", "192.0.2.1:5000", []string{"203.0.113.7"}, lb, "192.0.2.1"},
		{"trusted peer: rightmost untrusted hop", "10.1.2.3:5000", []string{"198.51.100.1, 203.0.113.7, 10.9.9.9"}, lb, "203.0.113.7"},
		{"several header lines", "10.1.2.3:5000", []string{"198.51.100.1", "203.0.113.7"}, lb, "203.0.113.7"},
		{"client-supplied left part is not believed", "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.7"}, lb, "203.0.113.7"},
		{"garbled hop: the peer", "10.1.2.3:5000", []string{"203.0.113.7, not-an-ip"}, lb, "10.1.2.3"},
		{"all hops trusted: the peer", "10.1.2.3:5000", []string{"10.4.4.4"}, lb, "10.1.2.3"},
		{"no header: the peer", "10.1.2.3:5000", nil, lb, "10.1.2.3"},
		{"IPv6 peer", "[2001:db8::1]:443", []string{"2001:db9::5"}, lb, "2001:db9::5"},
		{"IPv4-mapped", "[::ffff:192.0.2.1]:80", nil, lb, "192.0.2.1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientIP(r, c.trusted); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestIPLimiter(t *testing.T) {
	l := newIPLimiter(60) // one a second, bursts of 15
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for i := range 15 {
		if err := l.allow("a", now); err != nil {
			t.Fatalf("request %d refused: %v", i, err)
		}
	}
	if err := l.allow("a", now); err == nil {
		t.Fatal("burst exceeded")
	}
	if err := l.allow("b", now); err != nil {
		t.Fatal("another IP refused")
	}
	if err := l.allow("a", now.Add(time.Second)); err != nil {
		t.Fatal("refill refused")
	}
	if err := (*ipLimiter)(nil).allow("a", now); err != nil || newIPLimiter(0).allow("a", now) != nil {
		t.Fatal("an off limiter refused")
	}
}

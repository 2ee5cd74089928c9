package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestLoginTimingDoesNotRevealAccounts: POST /session and POST /user take the same
// time, within noise, for an address with an account and one without. Samples
// alternate so drift hits both sides alike; medians are compared.
func TestLoginTimingDoesNotRevealAccounts(t *testing.T) {
	for k, v := range map[string]string{"CODE_SENDS_PER_ADDRESS_15M": "100000", "CODE_SENDS_PER_ADDRESS_DAY": "100000",
		"CODE_SENDS_PER_IP_5M": "100000", "REQUESTS_PER_IP_MINUTE": "0"} {
		t.Setenv("AUTHD_LIMITS_"+k, v)
	}
	const samples = 61
	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("ada@example.com", "ada")
		timed := func(path string, body map[string]string) time.Duration {
			start := time.Now()
			wantStatus(t, e.req("POST", path, body), 200)
			return time.Since(start)
		}
		for _, path := range []string{"/session", "/user"} {
			var known, unknown []time.Duration
			for i := range samples {
				body := func(addr string) map[string]string {
					if path == "/session" {
						return map[string]string{"email": addr}
					}
					return map[string]string{"email": addr, "fullName": "Someone", "alias": fmt.Sprintf("someone-%d-%d", i, len(addr))}
				}
				known = append(known, timed(path, body("ada@example.com")))
				unknown = append(unknown, timed(path, body(fmt.Sprintf("n%d@example.com", i))))
			}
			mk, mu := median(known), median(unknown)
			t.Logf("POST %s: median %s with an account, %s without", path, mk, mu)
			// Noise: a tenth of the slower median (with at least 200µs). Without the
			// response floor the gap is 40-80% here (a stored code vs nothing).
			if d := (mk - mu).Abs(); d > max(mk, mu)/10 && d > 200*time.Microsecond {
				t.Errorf("POST %s: medians differ by %s (%s vs %s)", path, d, mk, mu)
			}
		}
	})
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

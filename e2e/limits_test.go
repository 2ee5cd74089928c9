package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func wantRetryAfter(t *testing.T, r response, lo, hi int) {
	t.Helper()
	wantStatus(t, r, 429)
	n, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || n < lo || n > hi {
		t.Fatalf("Retry-After %q, want %d..%d", r.Header.Get("Retry-After"), lo, hi)
	}
}

// TestCodeSendLimits: 5 codes per address per 15 minutes and 20 per day, answered
// the same for an address with an account and one without.
func TestCodeSendLimits(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("ada@example.com", "ada")
		day := e.clock.Now().Truncate(24 * time.Hour).Add(24 * time.Hour) // the signup's code counts for today
		e.clock.Set(day)
		for batch := range 4 {
			for _, addr := range []string{"ada@example.com", "nobody@example.com"} {
				for range 5 {
					wantStatus(t, e.req("POST", "/session", map[string]string{"email": addr}), 200)
				}
				r := e.req("POST", "/session", map[string]string{"email": addr})
				if batch < 3 {
					wantRetryAfter(t, r, 1, 15*60)
				} else { // the day's 20 are spent
					wantRetryAfter(t, r, 1, 24*60*60)
				}
			}
			e.clock.Advance(15 * time.Minute)
		}
		// Day windows are UTC days: the next one starts afresh.
		e.clock.Set(day.Add(24 * time.Hour))
		wantStatus(t, e.req("POST", "/session", map[string]string{"email": "ada@example.com"}), 200)
	})
}

// TestSendLimitPerIPAndForwardedFor: 30 code requests per client IP per 5 minutes; an
// X-Forwarded-For from a peer that is not a trusted proxy is ignored, so it cannot
// spread one client over many buckets.
func TestSendLimitPerIPAndForwardedFor(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		for i := range 30 {
			r := e.req("POST", "/session", map[string]string{"email": fmt.Sprintf("u%d@example.com", i)},
				"X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
			wantStatus(t, r, 200)
		}
		wantRetryAfter(t, e.req("POST", "/session", map[string]string{"email": "last@example.com"},
			"X-Forwarded-For", "198.51.100.200"), 1, 300)
	})
	t.Setenv("AUTHD_SERVER_TRUSTED_PROXIES", "127.0.0.1/32")
	eachBackend(t, func(t *testing.T, e *env) {
		for i := range 40 {
			r := e.req("POST", "/session", map[string]string{"email": fmt.Sprintf("u%d@example.com", i)},
				"X-Forwarded-For", fmt.Sprintf("203.0.113.9, 198.51.100.%d", i))
			wantStatus(t, r, 200)
		}
	})
}

// TestWrongCodeRuns: after 10 wrong codes in a row an account's codes are refused for
// a minute (exactly like a wrong code), at 100 for a day; a right code ends the run.
// The codes here come from a network the account never logged in from (the block does
// not hold its own networks: TestFloodCannotLockTheOwnerOut).
func TestWrongCodeRuns(t *testing.T) {
	t.Setenv("AUTHD_SERVER_TRUSTED_PROXIES", "127.0.0.1/32")
	eachBackend(t, func(t *testing.T, e *env) {
		id := e.userID(e.signup("ada@example.com", "ada").Bearer)
		wrong := func(codeID, code string) response {
			return e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": codeID, "code": code},
				"X-Forwarded-For", "203.0.113.50")
		}
		for range 2 {
			p, code := e.login("ada@example.com")
			for range 5 {
				wantStatus(t, wrong(p.VerificationCodeID, otherCode(code)), 401)
			}
		}
		p, code := e.login("ada@example.com")
		r := wrong(p.VerificationCodeID, code) // the right code, during the delay
		wantStatus(t, r, 401)
		if r.Header.Get("x-error") != "invalid or expired verification code" {
			t.Fatalf("a blocked code is told apart: %q", r.Header.Get("x-error"))
		}
		e.clock.Advance(61 * time.Second)
		wantStatus(t, wrong(p.VerificationCodeID, code), 200) // and the run ends
		if u, _ := e.app.Store.UserByID(context.Background(), id); u.CodeFailures != 0 || u.CodesBlockedUntil != nil {
			t.Fatalf("run not reset: %+v", u)
		}

		// 99 in a row (as if spread over days of waiting out delays), then one more.
		for range 99 {
			if _, err := e.app.Store.RecordCodeFailure(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(15 * time.Minute)
		p, code = e.login("ada@example.com")
		wantStatus(t, wrong(p.VerificationCodeID, otherCode(code)), 401)
		e.clock.Advance(2 * time.Hour)
		p, code = e.login("ada@example.com")
		wantStatus(t, wrong(p.VerificationCodeID, code), 401) // locked for a day
		e.clock.Advance(22 * time.Hour)
		p, code = e.login("ada@example.com")
		wantStatus(t, wrong(p.VerificationCodeID, code), 200)
	})
}

func otherCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

// TestFailureLimitsPerIP: 30 wrong or unknown codes, or 30 failed key-pair checks,
// from one IP in 15 minutes, and that IP gets 429 for them, right ones included.
func TestFailureLimitsPerIP(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		k := e.createKeyPair(ada.Bearer, "ada@example.com", 30)
		for range 30 {
			r := e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": uuid.NewString(), "code": "123456"})
			wantStatus(t, r, 401)
			wantStatus(t, e.req("GET", "/keypair", nil, "api-key", k.APIKey, "api-secret", k.APIKey), 401)
		}
		p, code := e.login("ada@example.com")
		wantRetryAfter(t, e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": code}), 1, 900)
		wantRetryAfter(t, e.req("GET", "/keypair", nil, keyHeaders(k)...), 1, 900)
		e.clock.Advance(15 * time.Minute)
		wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(k)...), 200)
		wantStatus(t, e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": code}), 401) // expired meanwhile
	})
}

// TestRequestLimitPerIP: unauthenticated endpoints are limited per client IP on each
// instance; the JWKS is not.
func TestRequestLimitPerIP(t *testing.T) {
	t.Setenv("AUTHD_LIMITS_REQUESTS_PER_IP_MINUTE", "20")
	eachBackend(t, func(t *testing.T, e *env) {
		for range 5 {
			wantStatus(t, e.req("GET", "/user/id/"+uuid.NewString(), nil), 404)
		}
		wantRetryAfter(t, e.req("GET", "/user/id/"+uuid.NewString(), nil), 1, 3)
		r := e.form("/oauth/token", url.Values{"grant_type": {"client_credentials"}})
		if r.Status != 429 || !strings.Contains(string(r.Body), `"error":"`) {
			t.Errorf("OAuth endpoint over the limit: %d %s", r.Status, r.Body)
		}
		for range 50 {
			wantStatus(t, e.req("GET", "/jwks", nil), 200)
		}
	})
}

// TestSendLimitSharedByInstances: two instances on one database count together.
func TestSendLimitSharedByInstances(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		other := start(t, e.cfg, e.smtp, e.clock)
		for i := range 5 {
			inst := e
			if i%2 == 1 {
				inst = other
			}
			wantStatus(t, inst.req("POST", "/session", map[string]string{"email": "nobody@example.com"}), 200)
		}
		wantStatus(t, other.req("POST", "/session", map[string]string{"email": "nobody@example.com"}), 429)
		wantStatus(t, e.req("POST", "/session", map[string]string{"email": "nobody@example.com"}), 429)
	})
}

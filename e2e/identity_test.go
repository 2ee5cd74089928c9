package e2e

import (
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startStripeMock runs stripe-mock (pinned in go.mod as a tool) on a free port for the
// test and returns its base URL.
func startStripeMock(t *testing.T) string {
	t.Helper()
	addr, httpsAddr := freeAddr(t), freeAddr(t)
	// `go tool` runs the built binary as a child: give them their own process group
	// and end the whole group, or the child outlives the test holding its pipes.
	cmd := exec.Command("go", "tool", "stripe-mock", "-http-addr", addr, "-https-addr", httpsAddr)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(3 * time.Minute) // the first run compiles it
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("stripe-mock did not start: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestIdentityNotConfigured(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		r := e.req("POST", "/verify", nil, bearer(v.Bearer)...)
		wantStatus(t, r, 503)
		if r.Header.Get("x-error") != "identity verification is not configured" || r.Header.Get("Retry-After") == "" {
			t.Errorf("503: %v", r.Header)
		}
		wantStatus(t, e.req("GET", "/verify/status", nil, bearer(v.Bearer)...), 503)
		p := stripePayload("evt_x", "identity.verification_session.verified", "vs_1", "verified", "")
		wantStatus(t, e.req("POST", "/verify/webhook", p, "Stripe-Signature", stripeSignature("whsec_x", e.clock.Now(), p)), 503)
	})
}

func TestIdentityStartWithStripeMock(t *testing.T) {
	base := startStripeMock(t)
	t.Setenv("AUTHD_STRIPE_SECRET_KEY", "sk_test_123")
	t.Setenv("AUTHD_STRIPE_API_BASE", base)
	t.Setenv("AUTHD_STRIPE_RETURN_URL", "https://app.example.com/verified")
	t.Setenv("AUTHD_IDENTITY_MAX_ATTEMPTS", "2")
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		var st struct {
			Status                string
			Attempts, MaxAttempts int
			Verified              bool
			Country, DateOfBirth  string
		}
		e.req("GET", "/verify/status", nil, bearer(v.Bearer)...).json(t, &st)
		if st.Status != "none" || st.Attempts != 0 || st.MaxAttempts != 2 || st.Verified || st.Country != "" || st.DateOfBirth != "" {
			t.Fatalf("before: %+v", st)
		}
		r := e.req("POST", "/verify", nil, bearer(v.Bearer)...)
		wantStatus(t, r, 200)
		var started struct{ URL, SessionId, ClientSecret, Status string }
		r.json(t, &started)
		// stripe-mock's fixture has no url or client_secret; Stripe itself sends both.
		if !strings.HasPrefix(started.SessionId, "vs_") || started.Status != "requires_input" {
			t.Fatalf("started: %+v", started)
		}
		// Asking again resumes the open session rather than spending an attempt.
		wantStatus(t, e.req("POST", "/verify", nil, bearer(v.Bearer)...), 200)
		e.req("GET", "/verify/status", nil, bearer(v.Bearer)...).json(t, &st)
		if st.Attempts != 1 || st.Status != "requires_input" {
			t.Errorf("after start: %+v", st)
		}
		// The session link expires; then a new attempt is spent, until none are left.
		e.clock.Advance(49 * time.Hour)
		v = e.verifyAfterLogin("ada@example.com")
		wantStatus(t, e.req("POST", "/verify", nil, bearer(v.Bearer)...), 200)
		e.clock.Advance(49 * time.Hour)
		v = e.verifyAfterLogin("ada@example.com")
		r = e.req("POST", "/verify", nil, bearer(v.Bearer)...)
		wantStatus(t, r, 409)
		if !strings.Contains(r.Header.Get("x-error"), "attempts") {
			t.Errorf("exhausted: %q", r.Header.Get("x-error"))
		}
		// A key pair may read the status but not start a verification.
		k := e.createKeyPair(v.Bearer, "ada@example.com", 30)
		wantStatus(t, e.req("GET", "/verify/status", nil, keyHeaders(k)...), 200)
		wantStatus(t, e.req("POST", "/verify", nil, keyHeaders(k)...), 403)
	})
}

package e2e

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/app"
	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/store/storetest"
)

// TestServeStopsGracefully runs the real server loop: after the stop signal (ctx)
// it refuses new connections, lets an in-flight request finish, flushes queued mail
// and returns.
func TestServeStopsGracefully(t *testing.T) {
	b := storetest.Backends(t)[0]
	cfg := newConfig(t, b.DSN)
	smtp := mailtest.NewServer(t)
	cfg.Mail.SMTP.Host, cfg.Mail.SMTP.Port = smtp.Host(), smtp.Port()
	a, err := app.New(context.Background(), cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()

	// Queue a code, then stop at once: the mail must still go out.
	smtp.SetFailing(true)
	resp, err := http.Post(url+"/api/auth/v2/user", "application/json",
		strings.NewReader(`{"email":"ada@example.com","fullName":"Ada","alias":"ada"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	stop()
	time.Sleep(100 * time.Millisecond)
	smtp.SetFailing(false) // the relay recovers during shutdown
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(cfg.Server.ShutdownTimeout + 5*time.Second):
		t.Fatal("Serve did not return")
	}
	if smtp.Count("ada@example.com") != 1 {
		t.Error("queued mail was not flushed on shutdown")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}

// TestDatabaseDown closes the database under a running server: readiness says 503,
// other requests get a generic 500, and nothing internal leaks.
func TestDatabaseDown(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		if err := e.app.Store.Close(); err != nil {
			t.Fatal(err)
		}
		r := e.req("GET", "/readyz", nil)
		wantStatus(t, r, 503)
		assertNoLeak(t, r)
		for _, r := range []response{
			e.req("POST", "/session", map[string]string{"email": "ada@example.com"}),
			e.req("GET", "/session", nil, bearer(v.Bearer)...),
			e.req("POST", "/user", map[string]string{"email": "bob@example.com", "fullName": "Bob", "alias": "bob"}),
		} {
			wantStatus(t, r, 503)
			assertNoLeak(t, r)
			if r.Header.Get("x-error") != "database unavailable; try again" || r.Header.Get("Retry-After") != "5" {
				t.Errorf("x-error = %q, Retry-After = %q", r.Header.Get("x-error"), r.Header.Get("Retry-After"))
			}
		}
		wantStatus(t, e.req("GET", "/healthz", nil), 200)
	})
}

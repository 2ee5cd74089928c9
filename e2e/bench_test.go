package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/store/storetest"
)

// Benchmarks of hot paths through the real router, in process (ServeHTTP on a
// recorder) so the numbers are the handler's cost, not the loopback's. Read them as
// ratios within one run: BareHandler is the floor of the HTTP plumbing, and
// issuer's BenchmarkRawECDSAVerify (run them together with
// `go test -run x -bench . ./issuer ./e2e`) is the floor of token verification.

// benchEnv runs on SQLite; benchmarks skip response validation (it would dominate).
func benchEnv(b *testing.B) *env {
	b.Helper()
	backend := storetest.Backends(b)[0]
	e := start(b, newConfig(b, backend.DSN), mailtest.NewServer(b), &clock{now: time.Now().UTC().Truncate(time.Second)})
	e.oapi = nil
	return e
}

func BenchmarkBareHandler(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	req := httptest.NewRequest("GET", "/api/auth/v2/session", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

func BenchmarkGetSession(b *testing.B) {
	e := benchEnv(b)
	v := e.signup("ada@example.com", "ada")
	req := httptest.NewRequest("GET", e.prefix+"/session", nil)
	req.Header.Set("Authorization", "Bearer "+v.Bearer)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.app.Handler.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkMintViaExtend(b *testing.B) {
	e := benchEnv(b)
	v := e.signup("ada@example.com", "ada")
	req := httptest.NewRequest("PUT", e.prefix+"/session/extend", nil)
	req.Header.Set("Authorization", "Bearer "+v.Bearer)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.app.Handler.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

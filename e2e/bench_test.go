package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/config"
	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/store/storetest"
)

// Benchmarks of hot paths through the real router, in process (ServeHTTP on a
// recorder) so the numbers are the handler's cost, not the loopback's. Read them as
// ratios within one run: BareHandler is the floor of the HTTP plumbing, and
// issuer's BenchmarkRawECDSAVerify (run them together with
// `go test -run x -bench . ./issuer ./e2e`) is the floor of token verification.

// benchEnv runs on SQLite, or on Postgres when AUTHD_BENCH_BACKEND=postgres (and the
// test Postgres is configured); benchmarks skip response validation (it would dominate).
func benchEnv(b *testing.B) *env { return benchEnvWith(b, nil) }

// benchBackendEnv names the backend the benchmarks run on.
const benchBackendEnv = "AUTHD_BENCH_BACKEND"

// benchEnvWith is benchEnv with edit applied to the configuration first.
func benchEnvWith(b *testing.B, edit func(*config.Config)) *env {
	b.Helper()
	backend := benchBackend(b, os.Getenv(benchBackendEnv))
	cfg := newConfig(b, backend.DSN)
	cfg.Limits.RequestsPerIPMinute = 1 << 30 // one client: the per-IP limit is not what is measured
	if edit != nil {
		edit(cfg)
	}
	e := start(b, cfg, mailtest.NewServer(b), apptest.NewClock(time.Now().UTC().Truncate(time.Second)))
	e.oapi = nil
	return e
}

// benchBackend is the test backend named want (SQLite when empty); a name that is not
// configured fails.
func benchBackend(b *testing.B, want string) storetest.Backend {
	backends := storetest.Backends(b)
	if want == "" {
		return backends[0]
	}
	for _, backend := range backends {
		if backend.Name == want {
			return backend
		}
	}
	b.Fatalf("%s=%s: no such test backend (is %s set?)", benchBackendEnv, want, storetest.PostgresEnv)
	return storetest.Backend{}
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

// benchBearer serves method path with a fresh user's access token, b.N times.
func benchBearer(b *testing.B, method, path string) {
	e := benchEnv(b)
	v := e.signup("ada@example.com", "ada")
	req := httptest.NewRequest(method, e.prefix+path, nil)
	req.Header.Set("Authorization", "Bearer "+v.Bearer)
	serveLoop(b, e, req, nil)
}

// serveLoop serves req through the router until the benchmark ends; each is run first
// when not nil.
func serveLoop(b *testing.B, e *env, req *http.Request, each func()) {
	b.ReportAllocs()
	for b.Loop() {
		if each != nil {
			each()
		}
		rec := httptest.NewRecorder()
		e.app.Handler.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkGetSession(b *testing.B)    { benchBearer(b, "GET", "/session") }
func BenchmarkMintViaExtend(b *testing.B) { benchBearer(b, "PUT", "/session/extend") }
func BenchmarkCheckBearer(b *testing.B)   { benchBearer(b, "GET", "/check") }

// keyPairEnv returns an env with a verified key pair; cacheTTL below a request's
// duration makes every check a cache miss (one indexed read).
func keyPairEnv(b *testing.B, cacheTTL time.Duration) (*env, newKeyPair) {
	b.Helper()
	backend := benchBackend(b, os.Getenv(benchBackendEnv))
	cfg := newConfig(b, backend.DSN)
	cfg.KeyPairs.CacheTTL = cacheTTL
	e := start(b, cfg, mailtest.NewServer(b), apptest.NewClock(time.Now().UTC().Truncate(time.Second)))
	e.oapi = nil
	v := e.signup("ada@example.com", "ada")
	return e, e.createKeyPair(v.Bearer, "ada@example.com", 30)
}

func benchKeyed(b *testing.B, path string, cacheTTL time.Duration) {
	e, k := keyPairEnv(b, cacheTTL)
	req := httptest.NewRequest("GET", e.prefix+path, nil)
	req.Header.Set("api-key", k.APIKey)
	req.Header.Set("api-secret", k.APISecret)
	var each func()
	if cacheTTL < time.Millisecond {
		each = func() { e.clock.Advance(time.Millisecond) } // the injected clock moves only by hand
	}
	serveLoop(b, e, req, each)
}

func BenchmarkGetKeyPairCacheHit(b *testing.B)  { benchKeyed(b, "/keypair", time.Hour) }
func BenchmarkGetKeyPairCacheMiss(b *testing.B) { benchKeyed(b, "/keypair", time.Nanosecond) }
func BenchmarkCheckKeyPairCacheHit(b *testing.B) {
	benchKeyed(b, "/check?roles=user", time.Hour)
}
func BenchmarkCheckKeyPairCacheMiss(b *testing.B) {
	benchKeyed(b, "/check?roles=user", time.Nanosecond)
}

// BenchmarkRefresh rotates one session's refresh token b.N times, each with the
// token the previous rotation returned; BenchmarkRefreshPostgres does the same on
// Postgres (AUTHD_TEST_POSTGRES_DSN; skipped without it).
func BenchmarkRefresh(b *testing.B) { benchRefresh(b, benchEnv(b)) }

func BenchmarkRefreshPostgres(b *testing.B) {
	backends := storetest.Backends(b)
	if len(backends) < 2 {
		b.Skip(storetest.PostgresEnv + " is not set")
	}
	cfg := newConfig(b, backends[1].DSN)
	cfg.Limits.RequestsPerIPMinute = 1 << 30
	e := start(b, cfg, mailtest.NewServer(b), apptest.NewClock(time.Now().UTC().Truncate(time.Second)))
	e.oapi = nil
	benchRefresh(b, e)
}

func benchRefresh(b *testing.B, e *env) {
	token := e.signup("ada@example.com", "ada").RefreshToken
	b.ReportAllocs()
	for b.Loop() {
		body, _ := json.Marshal(map[string]string{"refreshToken": token})
		req := httptest.NewRequest("POST", e.prefix+"/session/refresh", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.app.Handler.ServeHTTP(rec, req)
		var out refreshed
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		token = out.RefreshToken
	}
}

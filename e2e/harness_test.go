package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/api/apitest"
	"github.com/authd/authd/app"
	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/config"
	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/store/storetest"
)

// clock is the injected time source; tests move it by hand.
type clock = apptest.Clock

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one running authd with its SMTP peer.
type env struct {
	t      testing.TB
	cfg    *config.Config
	app    *app.App
	srv    *httptest.Server
	smtp   *mailtest.Server
	clock  *clock
	logs   *syncBuffer
	oapi   *apitest.Validator
	prefix string
	root   string // the bearer of root@example.com, an admin, once registerApp made one
}

// eachBackend runs fn on SQLite and, when configured, Postgres.
func eachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	eachBackendWith(t, nil, fn)
}

// eachBackendWith is eachBackend with edit applied to the configuration first.
func eachBackendWith(t *testing.T, edit func(*config.Config), fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			cfg := newConfig(t, b.DSN)
			if edit != nil {
				edit(cfg)
			}
			fn(t, start(t, cfg, mailtest.NewServer(t), apptest.NewClock(time.Now().UTC().Truncate(time.Second))))
		})
	}
}

func newConfig(t testing.TB, dsn string) *config.Config {
	t.Helper()
	t.Setenv("AUTHD_DATA_DIR", t.TempDir())
	t.Setenv("AUTHD_DATABASE_DSN", dsn)
	t.Setenv("AUTHD_KEYS_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	t.Setenv("AUTHD_MAIL_DRIVER", "smtp")
	t.Setenv("AUTHD_MAIL_SMTP_HOST", "127.0.0.1")
	t.Setenv("AUTHD_MAIL_SMTP_TLS", "none")
	cfg, err := config.Load("")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// start builds the production graph for cfg, pointed at smtp, behind a test server.
func start(t testing.TB, cfg *config.Config, smtp *mailtest.Server, clk *clock) *env {
	t.Helper()
	return startWith(t, cfg, smtp, clk, true)
}

// startWith is start with a choice: manual leaves event delivery and identity
// screening to the test (e.deliver, e.screen); otherwise they run in the background
// as in production.
func startWith(t testing.TB, cfg *config.Config, smtp *mailtest.Server, clk *clock, manual bool) *env {
	t.Helper()
	cfg.Mail.SMTP.Host = smtp.Host()
	cfg.Mail.SMTP.Port = smtp.Port()
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Listen first so the issuer can be the server's real URL (clients such as
	// go-oidc require discovery to match it); a restart keeps the first URL.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.PublicURL == "http://localhost:8080" {
		cfg.Server.PublicURL = "http://" + ln.Addr().String()
	}
	a, err := app.New(context.Background(), cfg, app.Options{Logger: log, Now: clk.Now, Manual: manual})
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	srv := httptest.NewUnstartedServer(a.Handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	e := &env{t: t, cfg: cfg, app: a, srv: srv, smtp: smtp, clock: clk, logs: logs,
		oapi: apitest.NewValidator(t), prefix: cfg.Server.APIPrefix}
	t.Cleanup(e.stop)
	return e
}

func (e *env) stop() {
	if e.srv == nil {
		return
	}
	e.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = e.app.Close(ctx)
	e.srv = nil
}

// restart stops this instance and starts another on the same database and keys.
func (e *env) restart() *env {
	e.t.Helper()
	e.stop()
	return start(e.t, e.cfg, e.smtp, e.clock)
}

// response is a finished request, already validated against the OpenAPI file.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// req sends a request; body may be nil, a string (sent raw) or a value (JSON).
// Headers come in pairs: name, value.
func (e *env) req(method, path string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	if !strings.HasPrefix(path, "/.well-known") && !strings.HasPrefix(path, "/healthz") && !strings.HasPrefix(path, "/readyz") && path != "/metrics" {
		path = e.prefix + path
	}
	r, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("User-Agent", "authd-e2e")
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.srv.Client().Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if e.oapi != nil {
		e.oapi.Check(e.t, r, resp.StatusCode, resp.Header, raw)
	}
	checkSecurityHeaders(e.t, method+" "+path, resp.Header)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// wantStatus checks the status and, for errors, API.md's error shape.
func wantStatus(t testing.TB, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; x-error=%q body=%s", r.Status, status, r.Header.Get("x-error"), r.Body)
	}
	if status == http.StatusOK || status == http.StatusAccepted {
		return
	}
	var body struct {
		Code    int    `json:"code"`
		Error   string `json:"error"`
		ErrorID string `json:"errorID"`
	}
	r.json(t, &body)
	if body.Code != status || body.Error == "" || body.Error != r.Header.Get("x-error") ||
		body.ErrorID != r.Header.Get("x-error-id") || len(body.ErrorID) != 36 {
		t.Fatalf("error shape: headers x-error=%q x-error-id=%q body=%s", r.Header.Get("x-error"), r.Header.Get("x-error-id"), r.Body)
	}
}

type pendingSession struct {
	Bearer             string `json:"bearer"`
	SessionID          string `json:"sessionID"`
	ExpireAt           int64  `json:"expireAt"`
	IP                 string `json:"ip"`
	UserAgent          string `json:"userAgent"`
	VerificationCodeID string `json:"verificationCodeID"`
}

type verified struct {
	Message         string `json:"message"`
	Bearer          string `json:"bearer"`
	ExpireAt        int64  `json:"expireAt"`
	RefreshToken    string `json:"refreshToken"`
	SessionExpireAt int64  `json:"sessionExpireAt"`
}

// register signs up address and returns the pending session and the emailed code.
func (e *env) register(address, alias string) (pendingSession, string) {
	e.t.Helper()
	r := e.req("POST", "/user", map[string]string{"email": address, "fullName": "Ada Lovelace", "alias": alias})
	wantStatus(e.t, r, 200)
	var p pendingSession
	r.json(e.t, &p)
	return p, e.smtp.CodeFor(e.t, strings.ToLower(strings.TrimSpace(address)), 10*time.Second)
}

// login registers (or logs in) and verifies, returning the tokens.
func (e *env) signup(address, alias string) verified {
	e.t.Helper()
	p, code := e.register(address, alias)
	return e.verify(p.VerificationCodeID, code)
}

func (e *env) verify(codeID, code string) verified {
	e.t.Helper()
	r := e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": codeID, "code": code})
	wantStatus(e.t, r, 200)
	var v verified
	r.json(e.t, &v)
	return v
}

func (e *env) login(address string) (pendingSession, string) {
	e.t.Helper()
	r := e.req("POST", "/session", map[string]string{"email": address})
	wantStatus(e.t, r, 200)
	var p pendingSession
	r.json(e.t, &p)
	return p, e.smtp.CodeFor(e.t, address, 10*time.Second)
}

// checkSecurityHeaders holds every response of every test to the headers THREATS.md
// asks for: no sniffing, no framing, no referrer, a deny-all CSP, and no caching
// except for the public, cacheable documents (JWKS, discovery, OpenAPI).
func checkSecurityHeaders(t testing.TB, what string, h http.Header) {
	t.Helper()
	want := map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s: %s = %q, want %q", what, k, h.Get(k), v)
		}
	}
	if cc := h.Get("Cache-Control"); cc != "no-store" && !strings.HasPrefix(cc, "public, max-age=") {
		t.Errorf("%s: Cache-Control = %q", what, cc)
	}
	if len(h.Get("X-Request-ID")) != 36 {
		t.Errorf("%s: no X-Request-ID", what)
	}
}

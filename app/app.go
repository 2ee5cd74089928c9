package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/authd/authd/api"
	"github.com/authd/authd/config"
	"github.com/authd/authd/handlers"
	"github.com/authd/authd/models"
)

// Options are the process-level dependencies tests replace.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time // nil: time.Now
	// Manual leaves event delivery and identity screening to the caller (App.Events,
	// App.Identity), so tests can drive them a step at a time. The change feed always
	// runs: caches depend on it.
	Manual bool
	// MaxOpenConns bounds the Postgres pool (0: the store's default); CLI commands
	// need few.
	MaxOpenConns int
}

// App is a running authd: the services behind its HTTP handler, and the background
// work that serving needs.
type App struct {
	*Services
	Handler http.Handler

	stopJanitor func()
	stopWorkers []func()
	manual      bool
}

// changeFeedEvery is how often the change feed is read (Postgres also wakes it at
// once with NOTIFY).
const changeFeedEvery = time.Second

// New builds the services (NewServices) and the HTTP handler, and starts the
// background work: the janitor, the change feed, event delivery, screening.
func New(ctx context.Context, cfg *config.Config, o Options) (*App, error) {
	svc, err := NewServices(ctx, cfg, o)
	if err != nil {
		return nil, err
	}
	a := &App{Services: svc, manual: o.Manual}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	a.Handler = handlers.New(handlers.Options{
		APIPrefix: cfg.Server.APIPrefix, PublicURL: cfg.Server.PublicURL,
		MaxBodyBytes: cfg.Server.MaxBodyBytes, OpenAPI: api.Spec(), Ready: a.ready, Logger: a.log, Now: now,
		AllowedOrigins: cfg.CORS.AllowedOrigins, CookieMode: cfg.Cookies.Enabled,
		TrustedProxies: trustedProxies(cfg.Server.TrustedProxies), RequestsPerIPMinute: cfg.Limits.RequestsPerIPMinute,
		IPv6Prefix: cfg.Limits.IPv6Prefix,
		Observer:   a.metrics, Metrics: publicMetrics(cfg, a.metrics.Handler()),
	}, a.UseCases(), a.Identity, a.Keys)
	a.stopJanitor = a.startJanitor(now)
	a.goWorker(func(ctx context.Context) { a.Changes.Run(ctx, changeFeedEvery) })
	// Always: apps' back-channel logout notices go through the same outbox as webhooks.
	if !a.manual {
		a.goWorker(func(ctx context.Context) { a.Events.Run(ctx, time.Second) })
	}
	if a.Identity.Configured() && !a.manual {
		a.goWorker(func(ctx context.Context) { a.Identity.RunScreening(ctx, screeningEvery) })
	}
	return a, nil
}

// screeningEvery is how often due identity screenings are looked for (a verified
// document kicks the loop at once; this catches retries and other instances' work).
const screeningEvery = 15 * time.Second

// trustedProxies parses the CIDRs config.Validate already checked.
func trustedProxies(cidrs []string) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(cidrs))
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(c); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

// goWorker runs fn in the background until Close.
func (a *App) goWorker(fn func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); fn(ctx) }()
	a.stopWorkers = append(a.stopWorkers, func() { cancel(); <-done })
}

// ready reports whether the database answers and a signing key is loaded.
func (a *App) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.Store.Ping(ctx); err != nil {
		return &models.Error{Kind: models.KindUnavailable, Public: "database unavailable", Cause: err, RetryAfter: 5}
	}
	if _, err := a.Keys.SigningKey(); err != nil {
		return models.Wrap(models.KindUnavailable, "signing key not loaded", err)
	}
	return nil
}

// Serve answers HTTP on ln until ctx ends, then stops accepting, lets in-flight
// requests finish within the shutdown timeout, flushes what mail it can and closes
// the database.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	s := a.cfg.Server
	srv := &http.Server{
		Handler: a.Handler, ReadHeaderTimeout: s.ReadHeaderTimeout, ReadTimeout: s.ReadTimeout,
		WriteTimeout: s.WriteTimeout, IdleTimeout: s.IdleTimeout, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		_ = a.Close(context.Background())
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "timeout", s.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if cerr := a.Close(sctx); err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// publicMetrics is the /metrics handler for the public listener, when configured there.
func publicMetrics(cfg *config.Config, h http.Handler) http.Handler {
	if cfg.Metrics.Addr == config.MetricsPublic {
		return h
	}
	return nil
}

// MetricsListener reports whether metrics.addr asks for a listener of its own, and
// its address.
func (a *App) MetricsListener() (string, bool) {
	addr := a.cfg.Metrics.Addr
	return addr, addr != config.MetricsPublic && addr != config.MetricsOff
}

// ServeMetrics answers GET /metrics (and nothing else) on ln until ctx ends.
func (a *App) ServeMetrics(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops the background work, flushes the mail queue until ctx ends and closes
// the database.
func (a *App) Close(ctx context.Context) error {
	if a.stopJanitor != nil {
		a.stopJanitor()
		a.stopJanitor = nil
	}
	for _, stop := range a.stopWorkers {
		stop()
	}
	a.stopWorkers = nil
	return a.Services.Close(ctx)
}

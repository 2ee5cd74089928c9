package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/authd/authd/account"
	"github.com/authd/authd/api"
	"github.com/authd/authd/config"
	"github.com/authd/authd/events"
	"github.com/authd/authd/handlers"
	"github.com/authd/authd/identity"
	"github.com/authd/authd/identity/namescan"
	"github.com/authd/authd/identity/stripeapi"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/keys"
	"github.com/authd/authd/mail"
	"github.com/authd/authd/metrics"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
)

// Options are the process-level dependencies tests replace.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time // nil: time.Now
	// Manual leaves event delivery and identity screening to the caller (App.Events,
	// App.Identity), so tests can drive them a step at a time.
	Manual bool
}

// App is a running authd: its HTTP handler and what must be closed on the way out.
type App struct {
	Handler http.Handler
	Store   *store.Store
	Keys    *keys.Manager
	Events  *events.Dispatcher
	// Identity runs identity verification; tests drive its screening by hand.
	Identity *identity.Service

	cfg         *config.Config
	accounts    *account.Service
	mail        *mail.Queue
	stopJanitor func()
	stopWorkers []func()
	metrics     *metrics.Metrics
	manual      bool
	log         *slog.Logger
}

// eventEndpoints turns the configured webhook endpoints into the dispatcher's
// endpoints and the store's routes; a bad secret stops the start naming its endpoint.
func eventEndpoints(cfg *config.Config) ([]events.Endpoint, []models.EventRoute, error) {
	var eps []events.Endpoint
	var routes []models.EventRoute
	for _, e := range cfg.AllEventEndpoints() {
		key, err := events.ParseSecret(e.Secret)
		if err != nil {
			return nil, nil, fmt.Errorf("events endpoint %q: %w", e.Name, err)
		}
		eps = append(eps, events.Endpoint{Name: e.Name, URL: e.URL, Key: key, Types: e.Types})
		routes = append(routes, models.EventRoute{Name: e.Name, Types: e.Types})
	}
	return eps, routes, nil
}

// New opens the database (migrating it unless disabled), loads or creates the
// signing key, starts the mail queue and builds the handler.
func New(ctx context.Context, cfg *config.Config, o Options) (*App, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	endpoints, routes, err := eventEndpoints(cfg)
	if err != nil {
		return nil, err
	}
	var forget atomic.Pointer[account.Service] // set once the account service exists
	st, err := store.Open(ctx, cfg.Database.DSN, store.Options{
		TokenHorizon:   cfg.Tokens.AccessTTL + cfg.Tokens.Leeway,
		KeyPairHorizon: cfg.KeyPairs.CacheTTL,
		EventRoutes:    routes,
		OnRevoke: func(kind, subject string) {
			if acc := forget.Load(); acc != nil {
				acc.Forget(kind, subject)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	a := &App{Store: st, cfg: cfg, log: log, manual: o.Manual}
	a.metrics = metrics.New(metrics.Options{
		MailQueueDepth: func() float64 { return float64(a.mail.Depth()) },
		SigningKeyAge:  func() float64 { return now().Sub(a.Keys.ActiveSince()).Seconds() },
	})
	a.Events = events.NewDispatcher(st, endpoints, events.Options{Now: now, Logger: log, OnResult: a.metrics.Delivery})
	if err := a.build(ctx, now); err != nil {
		_ = st.Close()
		return nil, err
	}
	forget.Store(a.accounts)
	return a, nil
}

func (a *App) build(ctx context.Context, now func() time.Time) error {
	cfg, log := a.cfg, a.log
	if cfg.Database.MigrateOnStart {
		applied, err := a.Store.Migrate(ctx)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			log.Info("applied migrations", "migrations", applied)
		}
	}
	secrets, err := Secrets(cfg, log)
	if err != nil {
		return err
	}
	a.Keys, err = NewKeys(ctx, cfg, a.Store, secrets, now, log)
	if err != nil {
		return err
	}
	tokens, err := issuer.New(a.Keys, issuer.Options{
		Issuer: cfg.Server.PublicURL, Audience: cfg.Tokens.Audience, AccessTTL: cfg.Tokens.AccessTTL,
		Leeway: cfg.Tokens.Leeway, PendingKey: secrets.Derive("pending/v1"), Now: now, Observer: a.metrics,
	})
	if err != nil {
		return err
	}
	driver, err := a.mailDriver()
	if err != nil {
		return err
	}
	a.mail = mail.NewQueue(driver, mail.QueueOptions{Now: now, Logger: log, OnFailure: a.metrics.MailFailed})
	a.mail.Start()
	accounts := account.New(a.Store, tokens, a.mail, account.Options{
		CodeTTL: cfg.Codes.TTL, MaxCodeAttempts: cfg.Codes.MaxAttempts, IdleTimeout: cfg.Sessions.IdleTimeout,
		AbsoluteLifetime: cfg.Sessions.AbsoluteLifetime, CodePepper: secrets.Derive("code-pepper/v1"),
		SecretPepper: secrets.Derive("api-secret-pepper/v1"), MaxEmails: cfg.Emails.MaxPerUser,
		MaxKeyPairs: cfg.KeyPairs.MaxPerUser, MaxKeyPairDays: cfg.KeyPairs.MaxDays, KeyCacheTTL: cfg.KeyPairs.CacheTTL,
		CustomRoles: cfg.Roles.Custom, PartnerRoles: cfg.Partners.GrantableRoles,
		RefreshKey: secrets.Derive("refresh-chain/v1"), RefreshGrace: cfg.Sessions.RefreshGrace,
		LimitPepper: secrets.Derive("rate-limit/v1"), Limits: account.Limits{
			SendsPerAddress15m: cfg.Limits.CodeSendsPerAddress15m, SendsPerAddressDay: cfg.Limits.CodeSendsPerAddressDay,
			SendsPerIP5m: cfg.Limits.CodeSendsPerIP5m, FailedCodesPerIP: cfg.Limits.FailedCodesPerIP15m,
			FailedKeyPairsPerIP: cfg.Limits.FailedKeyPairsPerIP15m, ResponseFloor: cfg.Limits.LoginResponseFloor},
		AdminIdleTimeout: cfg.Sessions.AdminIdleTimeout, AdminAbsoluteLifetime: cfg.Sessions.AdminAbsoluteLifetime,
		Now: now, Logger: log, Observer: a.metrics,
	})
	a.accounts = accounts
	// The revocation feed before the first request: caches must know what is revoked.
	if err := accounts.SyncRevocations(ctx); err != nil {
		return fmt.Errorf("read the revocation feed: %w", err)
	}
	a.Identity = a.identity(secrets, now)
	a.Handler = handlers.New(handlers.Options{
		APIPrefix: cfg.Server.APIPrefix, PublicURL: cfg.Server.PublicURL,
		MaxBodyBytes: cfg.Server.MaxBodyBytes, OpenAPI: api.Spec(), Ready: a.ready, Logger: log, Now: now,
		AllowedOrigins: cfg.CORS.AllowedOrigins, CookieMode: cfg.Cookies.Enabled,
		TrustedProxies: trustedProxies(cfg.Server.TrustedProxies), RequestsPerIPMinute: cfg.Limits.RequestsPerIPMinute,
		Observer: a.metrics, Metrics: a.metrics.Handler(),
	}, accounts, a.Identity, a.Keys)
	a.stopJanitor = a.startJanitor(now)
	if len(cfg.AllEventEndpoints()) > 0 && !a.manual {
		a.goWorker(func(ctx context.Context) { a.Events.Run(ctx, time.Second) })
	}
	if a.Identity.Configured() && !a.manual {
		a.goWorker(func(ctx context.Context) { a.Identity.RunScreening(ctx, screeningEvery) })
	}
	return nil
}

// screeningEvery is how often due identity screenings are looked for (a verified
// document kicks the loop at once; this catches retries and other instances' work).
const screeningEvery = 15 * time.Second

// identity builds identity verification: off without a Stripe key, and failing
// closed (nobody passes the screen) without a NameScan key.
func (a *App) identity(secrets *keys.Secrets, now func() time.Time) *identity.Service {
	cfg := a.cfg
	var stripeClient identity.Stripe
	var screener identity.Screener
	if cfg.Stripe.SecretKey != "" {
		stripeClient = stripeapi.New(cfg.Stripe.SecretKey, cfg.Stripe.APIBase, cfg.Stripe.WebhookSecret)
		if cfg.NameScan.APIKey == "" {
			a.log.Warn("identity verification is on but namescan.api_key is not set: nobody can pass the PEP and sanctions screen")
		}
	}
	if cfg.NameScan.APIKey != "" {
		screener = namescan.New(cfg.NameScan.APIKey, cfg.NameScan.BaseURL, cfg.NameScan.MatchRate, cfg.NameScan.Timeout)
	}
	return identity.New(a.Store, stripeClient, screener, secrets, identity.Options{MaxAttempts: cfg.Identity.MaxAttempts,
		ReturnURL: cfg.Stripe.ReturnURL, Webhooks: cfg.Stripe.WebhookSecret != "", Now: now, Logger: a.log})
}

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

// Secrets derives every server secret from the configured key-encryption key, or
// from a generated key file in the data directory (development only, and said so).
func Secrets(cfg *config.Config, log *slog.Logger) (*keys.Secrets, error) {
	kek, ok, err := cfg.EncryptionKeyBytes()
	if err != nil {
		return nil, err
	}
	if !ok {
		var created bool
		kek, created, err = keys.LoadOrCreateKEKFile(cfg.Keys.EncryptionKeyFile, nil)
		if err != nil {
			return nil, fmt.Errorf("key-encryption key file: %w", err)
		}
		log.Warn("no keys.encryption_key configured: using a key file; set AUTHD_KEYS_ENCRYPTION_KEY in production",
			"file", cfg.Keys.EncryptionKeyFile, "created", created)
	}
	return keys.NewSecrets(kek)
}

// NewKeys loads the signing keys (creating the first on a new database) with the
// rotation policy of cfg. The server and the `authd keys` commands share it.
func NewKeys(ctx context.Context, cfg *config.Config, st *store.Store, sec *keys.Secrets, now func() time.Time, log *slog.Logger) (*keys.Manager, error) {
	m, err := keys.NewManager(ctx, st, sec, keys.Options{Algorithm: cfg.Keys.Algorithm, Now: now, Logger: log,
		TokenLifetime: cfg.Tokens.AccessTTL + cfg.Tokens.Leeway, RotationPeriod: cfg.Keys.RotationPeriod})
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	return m, nil
}

func (a *App) mailDriver() (mail.Driver, error) {
	m := a.cfg.Mail
	if m.Driver == "smtp" {
		return mail.NewSMTPDriver(mail.SMTPOptions{Host: m.SMTP.Host, Port: m.SMTP.Port, Username: m.SMTP.Username,
			Password: m.SMTP.Password, TLS: m.SMTP.TLS, From: m.From, Timeout: m.SMTP.Timeout})
	}
	a.log.Warn("mail driver is 'log': verification codes are printed to this log; for development only")
	return mail.NewLogDriver(a.log, m.From), nil
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

// Close flushes the mail queue until ctx ends and closes the database.
func (a *App) Close(ctx context.Context) error {
	var err error
	if a.stopJanitor != nil {
		a.stopJanitor()
		a.stopJanitor = nil
	}
	for _, stop := range a.stopWorkers {
		stop()
	}
	a.stopWorkers = nil
	if a.mail != nil {
		err = a.mail.Close(ctx)
	}
	return errors.Join(err, a.Store.Close())
}

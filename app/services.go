package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/authd/authd/apikeys"
	"github.com/authd/authd/authn"
	"github.com/authd/authd/changefeed"
	"github.com/authd/authd/clients"
	"github.com/authd/authd/codes"
	"github.com/authd/authd/config"
	"github.com/authd/authd/directory"
	"github.com/authd/authd/emails"
	"github.com/authd/authd/events"
	"github.com/authd/authd/handlers"
	"github.com/authd/authd/identity"
	"github.com/authd/authd/identity/namescan"
	"github.com/authd/authd/identity/stripeapi"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/keys"
	"github.com/authd/authd/limits"
	"github.com/authd/authd/login"
	"github.com/authd/authd/mail"
	"github.com/authd/authd/metrics"
	"github.com/authd/authd/models"
	"github.com/authd/authd/provider"
	"github.com/authd/authd/revocation"
	"github.com/authd/authd/store"
	"github.com/authd/authd/web"
)

// Services are authd's use cases wired to one database. `serve` puts them behind HTTP
// and every CLI command calls them, so an operator's action is the same use case as
// the admin API's: same events, feed entries, audit and cache eviction, and other
// instances learn of it through the change feed.
type Services struct {
	Store  *store.Store
	Keys   *keys.Manager
	Tokens *issuer.Issuer
	// The use cases, by aggregate; Caches is what every one of them evicts after its
	// commit and what the change feed evicts for other instances' writes.
	Caches    *revocation.Caches
	Authn     *authn.Service
	Login     *login.Service
	Emails    *emails.Service
	KeyPairs  *apikeys.Service
	Directory *directory.Service
	Clients   *clients.Service  // registered apps (OpenID Connect relying parties)
	Provider  *provider.Service // the OpenID Provider's code flow
	Pages     *web.Pages        // the hosted login
	Identity  *identity.Service
	Events    *events.Dispatcher
	// Changes applies other instances' (and the CLI's) writes to this process's caches.
	Changes *changefeed.Follower

	cfg     *config.Config
	log     *slog.Logger
	mail    *mail.Queue
	metrics *metrics.Metrics
}

// NewServices opens the database (migrating it unless disabled), loads or creates the
// signing keys, starts the mail queue and builds the use cases. It starts no
// background work; App does that for `serve`.
func NewServices(ctx context.Context, cfg *config.Config, o Options) (*Services, error) {
	log, now := o.Logger, o.Now
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	endpoints, err := eventEndpoints(cfg)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.Database.DSN, store.Options{MaxOpenConns: o.MaxOpenConns})
	if err != nil {
		return nil, err
	}
	s := &Services{Store: st, cfg: cfg, log: log}
	if err := s.build(ctx, endpoints, now); err != nil {
		_ = s.Close(ctx)
		return nil, err
	}
	return s, nil
}

func (s *Services) build(ctx context.Context, endpoints []events.Endpoint, now func() time.Time) error {
	cfg, log := s.cfg, s.log
	if cfg.Database.MigrateOnStart {
		applied, err := s.Store.Migrate(ctx)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			log.Info("applied migrations", "migrations", applied)
		}
	}
	s.metrics = metrics.New(metrics.Options{
		MailQueueDepth: func() float64 { return float64(s.mail.Depth()) },
		SigningKeyAge:  func() float64 { return now().Sub(s.Keys.ActiveSince()).Seconds() },
	})
	secrets, err := Secrets(cfg, log)
	if err != nil {
		return err
	}
	// The change feed from before the caches load, so nothing written meanwhile is missed.
	s.Changes = changefeed.New(s.Store, now(), s.applyChanges, changefeed.Options{Logger: log})
	if s.Keys, err = newKeys(ctx, cfg, s.Store, secrets, now, log); err != nil {
		return err
	}
	s.Tokens, err = issuer.New(s.Keys, issuer.Options{
		Issuer: cfg.Server.PublicURL, Audience: cfg.Tokens.Audience, AccessTTL: cfg.Tokens.AccessTTL,
		Leeway: cfg.Tokens.Leeway, PendingKey: secrets.Derive("pending/v1"), RefreshKey: secrets.Derive("refresh-chain/v1"),
		Now: now, Observer: s.metrics,
	})
	if err != nil {
		return err
	}
	driver, err := s.mailDriver()
	if err != nil {
		return err
	}
	mailDir := "" // the emails' overrides sit in mail/ of the folder: code.html is also a page
	if cfg.Branding.TemplatesDir != "" {
		mailDir = filepath.Join(cfg.Branding.TemplatesDir, "mail")
	}
	render, err := mail.NewRendererWith(mail.RendererOptions{Now: now, TemplatesDir: mailDir,
		Brand: mail.Brand{Product: cfg.Branding.ProductName, LogoURL: cfg.Branding.LogoURL, Accent: cfg.Branding.AccentColor}})
	if err != nil {
		return err
	}
	s.mail = mail.NewQueue(driver, mail.QueueOptions{Now: now, Logger: log, OnFailure: s.metrics.MailFailed, Renderer: render})
	s.mail.Start()
	s.useCases(cfg, secrets, now)
	backchannel := provider.NewBackchannel(s.Clients, s.Tokens, provider.BackchannelOptions{Logger: log})
	s.Events = events.NewDispatcher(s.Store, endpoints, events.Options{Now: now, Logger: log, OnResult: s.metrics.Delivery,
		Apps: backchannel.Deliver})
	if s.Pages, err = web.New(s.Login, s.Provider, web.Options{PublicURL: cfg.Server.PublicURL,
		Brand:       web.Brand{Product: cfg.Branding.ProductName, LogoURL: cfg.Branding.LogoURL, Accent: cfg.Branding.AccentColor},
		TemplateDir: cfg.Branding.TemplatesDir, CSRFKey: secrets.Derive("csrf/v1"),
		Client: handlers.ClientOf(trustedProxies(cfg.Server.TrustedProxies)), Logger: log, Now: now}); err != nil {
		return err
	}
	// Revoked key-pair token IDs before the first request: caches must know them.
	if err := s.Caches.LoadRevokedTokens(ctx); err != nil {
		return fmt.Errorf("read the revocation feed: %w", err)
	}
	s.Identity = s.identity(secrets, now)
	return nil
}

// useCases builds the use cases over the store, each with its part of the
// configuration.
func (s *Services) useCases(cfg *config.Config, secrets *keys.Secrets, now func() time.Time) {
	st, log := s.Store, s.log
	s.Caches = revocation.New(st, revocation.Options{KeyPairTTL: cfg.KeyPairs.CacheTTL,
		TokenHorizon: cfg.Tokens.AccessTTL + cfg.Tokens.Leeway, Now: now})
	guard := limits.New(st, limits.Options{Pepper: secrets.Derive("rate-limit/v1"), IPv6Prefix: cfg.Limits.IPv6Prefix,
		Now: now, Logger: log, Observer: s.metrics,
		Limits: limits.Limits{
			SendsPerAddress15m: cfg.Limits.CodeSendsPerAddress15m, SendsPerAddressDay: cfg.Limits.CodeSendsPerAddressDay,
			SendsPerIP5m: cfg.Limits.CodeSendsPerIP5m, FailedCodesPerIP: cfg.Limits.FailedCodesPerIP15m,
			FailedKeyPairsPerIP: cfg.Limits.FailedKeyPairsPerIP15m, ResponseFloor: cfg.Limits.LoginResponseFloor,
			InvitesPerPartner: cfg.Partners.InvitesPerDay}})
	cs := codes.New(st, s.mail, guard, codes.Options{TTL: cfg.Codes.TTL, MaxAttempts: cfg.Codes.MaxAttempts,
		Pepper: secrets.Derive("code-pepper/v1"), Now: now, Logger: log})
	s.Authn = authn.New(st, s.Tokens, s.Caches, authn.Options{IdleTimeout: cfg.Sessions.IdleTimeout,
		UpgradePending: cfg.Sessions.UpgradePendingBearer && !cfg.Cookies.Enabled, Now: now})
	scopes, scopeRoles := cfg.OAuth.CustomScopes()
	s.Login = login.New(st, login.Deps{Tokens: s.Tokens, Authn: s.Authn, Codes: cs, Limits: guard, Caches: s.Caches},
		login.Options{IdleTimeout: cfg.Sessions.IdleTimeout, AbsoluteLifetime: cfg.Sessions.AbsoluteLifetime,
			AdminIdleTimeout: cfg.Sessions.AdminIdleTimeout, AdminAbsoluteLifetime: cfg.Sessions.AdminAbsoluteLifetime,
			RefreshGrace: cfg.Sessions.RefreshGrace, BrowserIdleTimeout: cfg.OAuth.BrowserIdleTimeout,
			BrowserAbsoluteLifetime: cfg.OAuth.BrowserLifetime, ScopeRoles: scopeRoles, Now: now, Logger: log})
	s.Emails = emails.New(st, s.Authn, cs, guard, s.mail, emails.Options{MaxPerUser: cfg.Emails.MaxPerUser,
		ReauthWindow: cfg.Sessions.ReauthWindow, Now: now, Logger: log})
	s.KeyPairs = apikeys.New(st, apikeys.Deps{Tokens: s.Tokens, Authn: s.Authn, Codes: cs, Limits: guard, Caches: s.Caches},
		apikeys.Options{SecretPepper: secrets.Derive("api-secret-pepper/v1"), MaxPerUser: cfg.KeyPairs.MaxPerUser,
			MaxDays: cfg.KeyPairs.MaxDays, Now: now, Logger: log})
	s.Directory = directory.New(st, s.Authn, s.Caches, guard, s.mail, s.Keys, directory.Options{CustomRoles: cfg.Roles.Custom,
		PartnerRoles: cfg.Partners.GrantableRoles, PortalHosts: cfg.Partners.PortalHosts,
		UnverifiedTTL: cfg.Emails.UnverifiedAccountTTL, Now: now, Logger: log})
	s.Clients = clients.New(st, s.Caches, s.Authn, s.Keys, clients.Options{SecretPepper: secrets.Derive("client-secret-pepper/v1"),
		Dev: cfg.Dev, CustomScopes: scopes, MaxAccessTTL: cfg.Tokens.AccessTTL,
		MaxRefreshTTL: cfg.Sessions.AbsoluteLifetime, DefaultGrace: cfg.OAuth.ClientSecretGrace, Now: now})
	s.Provider = provider.New(st, s.Clients, s.Login, s.Tokens, s.Authn, provider.Options{PKCE: cfg.OAuth.RequirePKCE,
		IDTokenTTL: cfg.OAuth.IDTokenTTL, Now: now, Logger: log})
}

// UseCases are the services the HTTP layer calls.
func (s *Services) UseCases() handlers.UseCases {
	return handlers.UseCases{Authn: s.Authn, Login: s.Login, Emails: s.Emails, KeyPairs: s.KeyPairs,
		Directory: s.Directory, Clients: s.Clients, Provider: s.Provider, Pages: s.Pages, Feed: s.Caches}
}

// applyChanges hands the change feed's new entries to the caches they concern.
func (s *Services) applyChanges(ctx context.Context, changes []models.Change) {
	s.Caches.Evict(changes...)
	for _, c := range changes {
		if c.Kind == models.ChangedSigningKeys {
			if err := s.Keys.Reload(ctx); err != nil {
				s.log.Error("reload signing keys after a change", "err", err) // the minute tick retries
			}
			return
		}
	}
}

// eventEndpoints turns the configured webhook endpoints into the dispatcher's; a bad
// secret stops the start naming its endpoint.
func eventEndpoints(cfg *config.Config) ([]events.Endpoint, error) {
	var eps []events.Endpoint
	for _, e := range cfg.AllEventEndpoints() {
		if models.IsAppEndpoint(e.Name) { // the apps' back-channel logout deliveries are named so
			return nil, fmt.Errorf("events endpoint %q: a name cannot start with \"app:\"", e.Name)
		}
		key, err := events.ParseSecret(e.Secret)
		if err != nil {
			return nil, fmt.Errorf("events endpoint %q: %w", e.Name, err)
		}
		eps = append(eps, events.Endpoint{Name: e.Name, URL: e.URL, Key: key, Types: e.Types})
	}
	return eps, nil
}

// identity builds identity verification: off without a Stripe key, and failing
// closed (nobody passes the screen) without a NameScan key.
func (s *Services) identity(secrets *keys.Secrets, now func() time.Time) *identity.Service {
	cfg := s.cfg
	var stripeClient identity.Stripe
	var screener identity.Screener
	if cfg.Stripe.SecretKey != "" {
		stripeClient = stripeapi.New(cfg.Stripe.SecretKey, cfg.Stripe.APIBase, cfg.Stripe.WebhookSecret)
		if cfg.NameScan.APIKey == "" {
			s.log.Warn("identity verification is on but namescan.api_key is not set: nobody can pass the PEP and sanctions screen")
		}
	}
	if cfg.NameScan.APIKey != "" {
		screener = namescan.New(cfg.NameScan.APIKey, cfg.NameScan.BaseURL, cfg.NameScan.MatchRate, cfg.NameScan.Timeout)
	}
	return identity.New(s.Store, stripeClient, screener, secrets, identity.Options{MaxAttempts: cfg.Identity.MaxAttempts,
		ReturnURL: cfg.Stripe.ReturnURL, Webhooks: cfg.Stripe.WebhookSecret != "", Evict: s.Caches.Evict, Now: now, Logger: s.log})
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

// newKeys loads the signing keys (creating the first on a new database) with the
// rotation policy of cfg.
func newKeys(ctx context.Context, cfg *config.Config, st *store.Store, sec *keys.Secrets, now func() time.Time, log *slog.Logger) (*keys.Manager, error) {
	m, err := keys.NewManager(ctx, st, sec, keys.Options{Algorithm: cfg.Keys.Algorithm, Now: now, Logger: log,
		TokenLifetime: cfg.Tokens.AccessTTL + cfg.Tokens.Leeway, RotationPeriod: cfg.Keys.RotationPeriod})
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	// ID tokens default to RS256, the algorithm every relying party supports, so its
	// ring exists from the first start, in the JWKS beside the access tokens' key and
	// rotated on the same schedule.
	if err := m.EnsureAlgorithm(ctx, "RS256"); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	return m, nil
}

func (s *Services) mailDriver() (mail.Driver, error) {
	m := s.cfg.Mail
	if m.Driver == "smtp" {
		return mail.NewSMTPDriver(mail.SMTPOptions{Host: m.SMTP.Host, Port: m.SMTP.Port, Username: m.SMTP.Username,
			Password: m.SMTP.Password, TLS: m.SMTP.TLS, From: m.From, Timeout: m.SMTP.Timeout})
	}
	s.log.Warn("mail driver is 'log': verification codes are printed to this log; for development only")
	return mail.NewLogDriver(s.log, m.From), nil
}

// Close flushes the mail queue until ctx ends and closes the database.
func (s *Services) Close(ctx context.Context) error {
	var err error
	if s.mail != nil {
		err = s.mail.Close(ctx)
	}
	return errors.Join(err, s.Store.Close())
}

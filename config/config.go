package config

import (
	"encoding/base64"
	"log/slog"
	"maps"
	"path/filepath"
	"strings"
	"time"
)

// Config is every setting authd reads. The YAML key of each field is its
// mapstructure tag; its environment variable is AUTHD_ + the dotted key in upper case
// with dots as underscores (mail.smtp.tls is AUTHD_MAIL_SMTP_TLS).
type Config struct {
	DataDir  string         `mapstructure:"data_dir"`
	Server   ServerConfig   `mapstructure:"server"`
	Database DatabaseConfig `mapstructure:"database"`
	Keys     KeysConfig     `mapstructure:"keys"`
	Mail     MailConfig     `mapstructure:"mail"`
	Tokens   TokensConfig   `mapstructure:"tokens"`
	Codes    CodesConfig    `mapstructure:"codes"`
	Sessions SessionsConfig `mapstructure:"sessions"`
	Emails   EmailsConfig   `mapstructure:"emails"`
	KeyPairs KeyPairsConfig `mapstructure:"keypairs"`
	Roles    RolesConfig    `mapstructure:"roles"`
	Partners PartnersConfig `mapstructure:"partners"`
	Cookies  CookiesConfig  `mapstructure:"cookies"`
	CORS     CORSConfig     `mapstructure:"cors"`
	Events   EventsConfig   `mapstructure:"events"`
	Stripe   StripeConfig   `mapstructure:"stripe"`
	Identity IdentityConfig `mapstructure:"identity"`
	NameScan NameScanConfig `mapstructure:"namescan"`
	Limits   LimitsConfig   `mapstructure:"limits"`
	Log      LogConfig      `mapstructure:"log"`
	Metrics  MetricsConfig  `mapstructure:"metrics"`
	OAuth    OAuthConfig    `mapstructure:"oauth"`
	Branding BrandingConfig `mapstructure:"branding"`
	// Dev relaxes what only a developer's machine needs: registered apps may redirect
	// to http://localhost (loopback IP literals are always allowed).
	Dev bool `mapstructure:"dev"`
}

// Where GET /metrics is served (MetricsConfig.Addr): beside the API, nowhere, or on a
// listener of its own.
const (
	MetricsPublic = "public"
	MetricsOff    = "off"
)

// MetricsConfig places the Prometheus endpoint.
type MetricsConfig struct {
	Addr string `mapstructure:"addr"` // MetricsPublic, MetricsOff, or a host:port of its own
}

// EmailsConfig bounds the addresses on an account.
type EmailsConfig struct {
	MaxPerUser int `mapstructure:"max_per_user"`
	// UnverifiedAccountTTL: an account none of whose addresses was verified this long
	// after it was created is deleted (its alias is free again).
	UnverifiedAccountTTL time.Duration `mapstructure:"unverified_account_ttl"`
}

// StripeConfig reaches Stripe Identity; an empty secret key turns identity
// verification off (its endpoints answer 503).
type StripeConfig struct {
	SecretKey     string `mapstructure:"secret_key"`
	WebhookSecret string `mapstructure:"webhook_secret"`
	APIBase       string `mapstructure:"api_base"`
	ReturnURL     string `mapstructure:"return_url"`
}

// IdentityConfig are the verification rules.
type IdentityConfig struct {
	MaxAttempts int `mapstructure:"max_attempts"`
}

// LimitsConfig bounds abuse. The code and failure limits are shared by all instances
// through the database; the request limit is per instance.
type LimitsConfig struct {
	CodeSendsPerAddress15m int `mapstructure:"code_sends_per_address_15m"`
	CodeSendsPerAddressDay int `mapstructure:"code_sends_per_address_day"`
	// CodeSendsPerAddressAll* cap one address over every network together; a network
	// this account has logged in from before is not held to them.
	CodeSendsPerAddressAll15m int           `mapstructure:"code_sends_per_address_all_15m"`
	CodeSendsPerAddressAllDay int           `mapstructure:"code_sends_per_address_all_day"`
	CodeSendsPerIP5m          int           `mapstructure:"code_sends_per_ip_5m"`
	FailedCodesPerIP15m       int           `mapstructure:"failed_codes_per_ip_15m"`
	FailedKeyPairsPerIP15m    int           `mapstructure:"failed_keypairs_per_ip_15m"`
	RequestsPerIPMinute       int           `mapstructure:"requests_per_ip_minute"`
	IPv6Prefix                int           `mapstructure:"ipv6_prefix"`
	LoginResponseFloor        time.Duration `mapstructure:"login_response_floor"`
}

// NameScanConfig reaches NameScan's PEP and sanctions screening. Without an API key
// nobody passes the screen: Stripe-verified users wait, unverified, until it is set.
type NameScanConfig struct {
	APIKey    string        `mapstructure:"api_key"`
	BaseURL   string        `mapstructure:"base_url"`
	MatchRate int           `mapstructure:"match_rate"` // 1-100: lowest similarity counted as a match
	Timeout   time.Duration `mapstructure:"timeout"`
}

// EventsConfig lists the webhook endpoints lifecycle events go to: one through
// webhook_url/webhook_secret (and their env variables), more as a YAML list.
type EventsConfig struct {
	WebhookURL    string          `mapstructure:"webhook_url"`
	WebhookSecret string          `mapstructure:"webhook_secret"`
	Endpoints     []EventEndpoint `mapstructure:"endpoints"`
}

// EventEndpoint is one webhook receiver; Types filters event types (empty: all).
type EventEndpoint struct {
	Name   string   `mapstructure:"name"`
	URL    string   `mapstructure:"url"`
	Secret string   `mapstructure:"secret"`
	Types  []string `mapstructure:"types"`
}

// AllEventEndpoints is the list form plus the single webhook_url one, named "default".
func (c *Config) AllEventEndpoints() []EventEndpoint {
	out := append([]EventEndpoint(nil), c.Events.Endpoints...)
	if c.Events.WebhookURL != "" {
		out = append(out, EventEndpoint{Name: "default", URL: c.Events.WebhookURL, Secret: c.Events.WebhookSecret})
	}
	return out
}

// CookiesConfig turns on cookie mode for web apps: the refresh token travels in a
// __Host- cookie (HttpOnly, Secure, SameSite=Strict) for requests from an allowed origin.
type CookiesConfig struct {
	Enabled bool `mapstructure:"enabled"`
}

// CORSConfig lists the browser origins allowed to call the API with credentials.
type CORSConfig struct {
	AllowedOrigins []string `mapstructure:"allowed_origins"`
}

// RolesConfig names the roles this deployment knows besides user, admin and partner.
type RolesConfig struct {
	Custom []string `mapstructure:"custom"`
}

// PartnersConfig limits what partners may do.
type PartnersConfig struct {
	GrantableRoles []string `mapstructure:"grantable_roles"`
	// PortalHosts are the hosts an invitation may link to (https only); none: partners
	// cannot send invitations.
	PortalHosts []string `mapstructure:"portal_hosts"`
	// InvitesPerDay bounds the invitations one partner sends per UTC day.
	InvitesPerDay int `mapstructure:"invites_per_day"`
}

// KeyPairsConfig bounds API key pairs and how long a checked pair is trusted from
// memory (the delay before another instance notices a deleted pair or disabled owner).
type KeyPairsConfig struct {
	MaxPerUser int           `mapstructure:"max_per_user"`
	MaxDays    int           `mapstructure:"max_days"`
	CacheTTL   time.Duration `mapstructure:"cache_ttl"`
}

// ServerConfig is the HTTP listener and the public identity of the service.
type ServerConfig struct {
	Addr              string        `mapstructure:"addr"`
	PublicURL         string        `mapstructure:"public_url"`
	APIPrefix         string        `mapstructure:"api_prefix"`
	MaxBodyBytes      int64         `mapstructure:"max_body_bytes"`
	ReadHeaderTimeout time.Duration `mapstructure:"read_header_timeout"`
	ReadTimeout       time.Duration `mapstructure:"read_timeout"`
	WriteTimeout      time.Duration `mapstructure:"write_timeout"`
	IdleTimeout       time.Duration `mapstructure:"idle_timeout"`
	ShutdownTimeout   time.Duration `mapstructure:"shutdown_timeout"`
	// TrustedProxies are CIDRs of the load balancers whose X-Forwarded-For is believed.
	TrustedProxies []string `mapstructure:"trusted_proxies"`
}

// DatabaseConfig selects SQLite or Postgres.
type DatabaseConfig struct {
	DSN            string `mapstructure:"dsn"`
	MigrateOnStart bool   `mapstructure:"migrate_on_start"`
}

// KeysConfig holds the key-encryption key every server secret derives from.
type KeysConfig struct {
	EncryptionKey     string        `mapstructure:"encryption_key"`
	EncryptionKeyFile string        `mapstructure:"encryption_key_file"`
	Algorithm         string        `mapstructure:"algorithm"`
	RotationPeriod    time.Duration `mapstructure:"rotation_period"`
}

// MailConfig selects how codes are delivered.
type MailConfig struct {
	Driver string     `mapstructure:"driver"`
	From   string     `mapstructure:"from"`
	SMTP   SMTPConfig `mapstructure:"smtp"`
}

// SMTPConfig is the relay used by the smtp driver.
type SMTPConfig struct {
	Host     string        `mapstructure:"host"`
	Port     int           `mapstructure:"port"`
	Username string        `mapstructure:"username"`
	Password string        `mapstructure:"password"`
	TLS      string        `mapstructure:"tls"`
	Timeout  time.Duration `mapstructure:"timeout"`
}

// TokensConfig shapes access tokens.
type TokensConfig struct {
	Audience  string        `mapstructure:"audience"`
	AccessTTL time.Duration `mapstructure:"access_ttl"`
	Leeway    time.Duration `mapstructure:"leeway"`
}

// CodesConfig shapes emailed verification codes.
type CodesConfig struct {
	TTL         time.Duration `mapstructure:"ttl"`
	MaxAttempts int           `mapstructure:"max_attempts"`
}

// SessionsConfig bounds session lifetimes.
type SessionsConfig struct {
	IdleTimeout           time.Duration `mapstructure:"idle_timeout"`
	AbsoluteLifetime      time.Duration `mapstructure:"absolute_lifetime"`
	AdminIdleTimeout      time.Duration `mapstructure:"admin_idle_timeout"`
	AdminAbsoluteLifetime time.Duration `mapstructure:"admin_absolute_lifetime"`
	RefreshGrace          time.Duration `mapstructure:"refresh_grace"`
	// ReauthWindow is how recent a login through the preferred address must be to add,
	// prefer or remove an address.
	ReauthWindow time.Duration `mapstructure:"reauth_window"`
	// UpgradePendingBearer makes the bearer of POST /session and POST /user the
	// session's own once its code is verified (the ThreatWinds flow); never in cookie mode.
	UpgradePendingBearer bool `mapstructure:"upgrade_pending_bearer"`
}

// LogConfig selects log verbosity and format.
type LogConfig struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"`
}

// defaultValues lists every key with its default; Load registers each with viper, which
// is also what lets environment variables reach nested keys (spf13/viper#761).
func defaultValues() map[string]any {
	d := map[string]any{
		"data_dir":                              "./data",
		"metrics.addr":                          "127.0.0.1:9100",
		"server.addr":                           ":8080",
		"server.public_url":                     "http://localhost:8080",
		"server.api_prefix":                     "/api/auth/v2",
		"server.max_body_bytes":                 65536,
		"server.read_header_timeout":            "5s",
		"server.read_timeout":                   "15s",
		"server.write_timeout":                  "30s",
		"server.idle_timeout":                   "120s",
		"server.shutdown_timeout":               "15s",
		"server.trusted_proxies":                []string{},
		"limits.code_sends_per_address_15m":     5,
		"limits.code_sends_per_address_day":     20,
		"limits.code_sends_per_address_all_15m": 30,
		"limits.code_sends_per_address_all_day": 100,
		"limits.code_sends_per_ip_5m":           30,
		"limits.failed_codes_per_ip_15m":        30,
		"limits.failed_keypairs_per_ip_15m":     30,
		"limits.requests_per_ip_minute":         300,
		"limits.ipv6_prefix":                    64,
		"limits.login_response_floor":           "25ms",
		"database.dsn":                          "",
		"database.migrate_on_start":             true,
		"keys.encryption_key":                   "",
		"keys.encryption_key_file":              "",
		"keys.algorithm":                        "ES256",
		"keys.rotation_period":                  "2160h",
		"mail.driver":                           "log",
		"mail.from":                             "authd <no-reply@localhost>",
		"mail.smtp.host":                        "",
		"mail.smtp.port":                        587,
		"mail.smtp.username":                    "",
		"mail.smtp.password":                    "",
		"mail.smtp.tls":                         "starttls",
		"mail.smtp.timeout":                     "10s",
		"tokens.audience":                       "authd",
		"tokens.access_ttl":                     "15m",
		"tokens.leeway":                         "30s",
		"codes.ttl":                             "10m",
		"codes.max_attempts":                    5,
		"sessions.idle_timeout":                 "168h",
		"sessions.absolute_lifetime":            "720h",
		"sessions.admin_idle_timeout":           "30m",
		"sessions.admin_absolute_lifetime":      "12h",
		"sessions.refresh_grace":                "10s",
		"sessions.reauth_window":                "5m",
		"sessions.upgrade_pending_bearer":       true,
		"emails.max_per_user":                   10,
		"emails.unverified_account_ttl":         "24h",
		"keypairs.max_per_user":                 20,
		"keypairs.max_days":                     365,
		"keypairs.cache_ttl":                    "30s",
		"cookies.enabled":                       false,
		"stripe.secret_key":                     "",
		"stripe.webhook_secret":                 "",
		"stripe.api_base":                       "",
		"stripe.return_url":                     "",
		"identity.max_attempts":                 3,
		"namescan.api_key":                      "",
		"namescan.base_url":                     "https://api.namescan.io/v3",
		"namescan.match_rate":                   80,
		"namescan.timeout":                      "20s",
		"events.webhook_url":                    "",
		"events.webhook_secret":                 "",
		"events.endpoints":                      []map[string]any{},
		"cors.allowed_origins":                  []string{},
		"roles.custom":                          []string{},
		"partners.grantable_roles":              []string{},
		"partners.portal_hosts":                 []string{},
		"partners.invites_per_day":              50,
		"log.level":                             "info",
		"log.format":                            "json",
	}
	maps.Copy(d, oauthDefaults())
	return d
}

// fillDerived sets the defaults that depend on other keys.
func (c *Config) fillDerived() {
	c.Server.PublicURL = strings.TrimRight(c.Server.PublicURL, "/")
	if c.Database.DSN == "" {
		c.Database.DSN = "sqlite:" + filepath.Join(c.DataDir, "authd.db")
	}
	if c.Keys.EncryptionKeyFile == "" {
		c.Keys.EncryptionKeyFile = filepath.Join(c.DataDir, "encryption.key")
	}
}

// EncryptionKeyBytes decodes keys.encryption_key; ok is false when it is not set.
func (c *Config) EncryptionKeyBytes() (key []byte, ok bool, err error) {
	if c.Keys.EncryptionKey == "" {
		return nil, false, nil
	}
	key, err = decodeKey(c.Keys.EncryptionKey)
	return key, err == nil, err
}

func decodeKey(s string) ([]byte, error) {
	var lastErr error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err == nil {
			if len(b) != 32 {
				return nil, errKeyLength
			}
			return b, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// LogValue lets the config be logged whole with its secrets redacted.
func (c *Config) LogValue() slog.Value {
	redact := func(s string) string {
		if s == "" {
			return ""
		}
		return "[redacted]"
	}
	return slog.GroupValue(
		slog.String("data_dir", c.DataDir),
		slog.String("server.addr", c.Server.Addr),
		slog.String("server.public_url", c.Server.PublicURL),
		slog.String("database.dsn", redactDSN(c.Database.DSN)),
		slog.String("keys.encryption_key", redact(c.Keys.EncryptionKey)),
		slog.String("keys.algorithm", c.Keys.Algorithm),
		slog.String("mail.driver", c.Mail.Driver),
		slog.String("mail.smtp.host", c.Mail.SMTP.Host),
		slog.Int("mail.smtp.port", c.Mail.SMTP.Port),
		slog.String("mail.smtp.username", c.Mail.SMTP.Username),
		slog.String("mail.smtp.password", redact(c.Mail.SMTP.Password)),
		slog.String("stripe.secret_key", redact(c.Stripe.SecretKey)),
		slog.String("stripe.webhook_secret", redact(c.Stripe.WebhookSecret)),
		slog.String("namescan.api_key", redact(c.NameScan.APIKey)),
		slog.String("events.webhook_secret", redact(c.Events.WebhookSecret)),
		slog.String("mail.smtp.tls", c.Mail.SMTP.TLS),
		slog.String("tokens.audience", c.Tokens.Audience),
		slog.String("tokens.access_ttl", c.Tokens.AccessTTL.String()),
	)
}

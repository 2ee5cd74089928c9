package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

var errKeyLength = errors.New("must decode to exactly 32 bytes")

// Validate checks every setting and reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name(key)}, args...)...))
	}
	oneOf := func(key, got string, allowed ...string) {
		for _, a := range allowed {
			if got == a {
				return
			}
		}
		bad(key, "%q is not one of %s", got, strings.Join(allowed, ", "))
	}
	between := func(key string, got, lo, hi time.Duration) {
		if got < lo || got > hi {
			bad(key, "%s is outside %s..%s", got, lo, hi)
		}
	}

	if c.DataDir == "" {
		bad("data_dir", "must not be empty")
	}
	if c.Server.Addr == "" {
		bad("server.addr", "must not be empty")
	}
	if a := c.Metrics.Addr; a != MetricsPublic && a != MetricsOff {
		if _, _, err := net.SplitHostPort(a); err != nil {
			bad("metrics.addr", "%q must be public, off or a host:port", a)
		}
	}
	if u, err := url.Parse(c.Server.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") ||
		u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		bad("server.public_url", "%q must be an absolute http(s) URL without query or fragment", c.Server.PublicURL)
	}
	if p := c.Server.APIPrefix; !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		bad("server.api_prefix", "%q must start with / and not end with /", p)
	}
	if n := c.Server.MaxBodyBytes; n < 1024 || n > 10<<20 {
		bad("server.max_body_bytes", "%d is outside 1024..10485760", n)
	}
	for key, d := range map[string]time.Duration{
		"server.read_header_timeout": c.Server.ReadHeaderTimeout, "server.read_timeout": c.Server.ReadTimeout,
		"server.write_timeout": c.Server.WriteTimeout, "server.idle_timeout": c.Server.IdleTimeout,
		"server.shutdown_timeout": c.Server.ShutdownTimeout, "mail.smtp.timeout": c.Mail.SMTP.Timeout,
	} {
		between(key, d, time.Second, time.Hour)
	}
	if d := c.Database.DSN; !strings.HasPrefix(d, "sqlite:") && !strings.HasPrefix(d, "postgres://") && !strings.HasPrefix(d, "postgresql://") {
		bad("database.dsn", "must start with sqlite: or postgres://")
	}
	if _, _, err := c.EncryptionKeyBytes(); err != nil {
		bad("keys.encryption_key", "must be base64 of exactly 32 bytes")
	}
	oneOf("keys.algorithm", c.Keys.Algorithm, "ES256", "EdDSA", "RS256")
	if p := c.Keys.RotationPeriod; p != 0 && (p < time.Hour || p > 8760*time.Hour) {
		bad("keys.rotation_period", "%s must be 0 (off) or between 1h and 8760h", p)
	}
	oneOf("mail.driver", c.Mail.Driver, "log", "smtp")
	if _, err := mail.ParseAddress(c.Mail.From); err != nil {
		bad("mail.from", "%q is not an email address", c.Mail.From)
	}
	if c.Mail.Driver == "smtp" && c.Mail.SMTP.Host == "" {
		bad("mail.smtp.host", "is required when mail.driver is smtp")
	}
	if p := c.Mail.SMTP.Port; p < 1 || p > 65535 {
		bad("mail.smtp.port", "%d is outside 1..65535", p)
	}
	oneOf("mail.smtp.tls", c.Mail.SMTP.TLS, "none", "starttls", "tls")
	if c.Tokens.Audience == "" {
		bad("tokens.audience", "must not be empty")
	}
	between("tokens.access_ttl", c.Tokens.AccessTTL, time.Minute, time.Hour)
	between("tokens.leeway", c.Tokens.Leeway, 0, time.Minute)
	between("codes.ttl", c.Codes.TTL, time.Minute, 10*time.Minute)
	if n := c.Codes.MaxAttempts; n < 1 || n > 10 {
		bad("codes.max_attempts", "%d is outside 1..10", n)
	}
	between("sessions.idle_timeout", c.Sessions.IdleTimeout, time.Minute, 365*24*time.Hour)
	between("sessions.absolute_lifetime", c.Sessions.AbsoluteLifetime, time.Minute, 365*24*time.Hour)
	between("sessions.admin_idle_timeout", c.Sessions.AdminIdleTimeout, time.Minute, 24*time.Hour)
	between("sessions.admin_absolute_lifetime", c.Sessions.AdminAbsoluteLifetime, time.Minute, 30*24*time.Hour)
	between("sessions.refresh_grace", c.Sessions.RefreshGrace, time.Second, time.Minute)
	between("sessions.reauth_window", c.Sessions.ReauthWindow, time.Minute, time.Hour)
	between("emails.unverified_account_ttl", c.Emails.UnverifiedAccountTTL, time.Hour, 30*24*time.Hour)
	if c.Sessions.IdleTimeout > c.Sessions.AbsoluteLifetime {
		bad("sessions.idle_timeout", "must not exceed sessions.absolute_lifetime")
	}
	if n := c.Emails.MaxPerUser; n < 1 || n > 100 {
		bad("emails.max_per_user", "%d is outside 1..100", n)
	}
	if n := c.KeyPairs.MaxPerUser; n < 1 || n > 1000 {
		bad("keypairs.max_per_user", "%d is outside 1..1000", n)
	}
	if n := c.KeyPairs.MaxDays; n < 1 || n > 365 {
		bad("keypairs.max_days", "%d is outside 1..365", n)
	}
	between("keypairs.cache_ttl", c.KeyPairs.CacheTTL, time.Millisecond, time.Minute)
	if n := c.Identity.MaxAttempts; n < 1 || n > 20 {
		bad("identity.max_attempts", "%d is outside 1..20", n)
	}
	for key, b := range map[string]string{"stripe.api_base": c.Stripe.APIBase, "namescan.base_url": c.NameScan.BaseURL} {
		if b == "" && key == "stripe.api_base" {
			continue
		}
		if u, err := url.Parse(b); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad(key, "%q must be an absolute http(s) URL", b)
		}
	}
	if n := c.NameScan.MatchRate; n < 1 || n > 100 {
		bad("namescan.match_rate", "%d is outside 1..100", n)
	}
	between("namescan.timeout", c.NameScan.Timeout, time.Second, 2*time.Minute)
	names := map[string]bool{}
	for i, e := range c.AllEventEndpoints() {
		key := fmt.Sprintf("events.endpoints[%d]", i)
		if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad(key, "url %q must be an absolute http(s) URL", e.URL)
		}
		if e.Name == "" || names[e.Name] {
			bad(key, "name %q must be set and unique", e.Name)
		}
		names[e.Name] = true
		if !strings.HasPrefix(e.Secret, "whsec_") {
			bad(key, "secret must be a Standard Webhooks secret (whsec_...)")
		}
	}
	for _, p := range c.Server.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			bad("server.trusted_proxies", "%q is not a CIDR like 10.0.0.0/8 or 192.0.2.7/32", p)
		}
	}
	l := c.Limits
	for key, n := range map[string]int{"limits.code_sends_per_address_15m": l.CodeSendsPerAddress15m,
		"limits.code_sends_per_address_day": l.CodeSendsPerAddressDay, "limits.code_sends_per_ip_5m": l.CodeSendsPerIP5m,
		"limits.failed_codes_per_ip_15m": l.FailedCodesPerIP15m, "limits.failed_keypairs_per_ip_15m": l.FailedKeyPairsPerIP15m,
		"limits.code_sends_per_address_all_15m": l.CodeSendsPerAddressAll15m, "limits.code_sends_per_address_all_day": l.CodeSendsPerAddressAllDay} {
		if n < 1 || n > 1_000_000 {
			bad(key, "%d is outside 1..1000000", n)
		}
	}
	if n := l.IPv6Prefix; n < 32 || n > 128 {
		bad("limits.ipv6_prefix", "%d is outside 32..128", n)
	}
	if n := l.RequestsPerIPMinute; n < 0 || n > 1_000_000 {
		bad("limits.requests_per_ip_minute", "%d is outside 0 (off)..1000000", n)
	}
	if f := l.LoginResponseFloor; f < 0 || f > time.Second {
		bad("limits.login_response_floor", "%s is outside 0..1s", f)
	}
	for _, o := range c.CORS.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || o != u.Scheme+"://"+u.Host {
			bad("cors.allowed_origins", "%q is not an origin like https://app.example.com", o)
		}
	}
	if c.Cookies.Enabled && len(c.CORS.AllowedOrigins) == 0 {
		bad("cookies.enabled", "cookie mode needs cors.allowed_origins: cookies are used only for those origins")
	}
	for _, r := range c.Roles.Custom {
		if !validRole(r) {
			bad("roles.custom", "%q is not a role name (1-64 of a-z, 0-9, _ and -)", r)
		}
	}
	known := map[string]bool{"user": true, "admin": true, "partner": true, "gateway": true}
	for _, r := range c.Roles.Custom {
		known[r] = true
	}
	if n := c.Partners.InvitesPerDay; n < 1 || n > 100_000 {
		bad("partners.invites_per_day", "%d is outside 1..100000", n)
	}
	for _, h := range c.Partners.PortalHosts {
		if h == "" || strings.ContainsAny(h, "/:@ ") || strings.ToLower(h) != h {
			bad("partners.portal_hosts", "%q must be a lowercase host name without scheme, port or path", h)
		}
	}
	for _, r := range c.Partners.GrantableRoles {
		if !known[r] || r == "admin" {
			bad("partners.grantable_roles", "%q is not a known role other than admin", r)
		}
	}
	c.validateOAuth(bad, oneOf)
	oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	oneOf("log.format", c.Log.Format, "json", "text")
	sortErrs(errs)
	return errors.Join(errs...)
}

func validRole(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

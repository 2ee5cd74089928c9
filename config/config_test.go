package config

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// clearEnv makes sure no AUTHD_ variable from the machine leaks into a test.
func clearEnv(t testing.TB) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AUTHD_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

func TestExampleFileIsValidAndMatchesDefaults(t *testing.T) {
	clearEnv(t)
	fromFile, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	defaults, err := Load("")
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if fmt.Sprintf("%+v", *fromFile) != fmt.Sprintf("%+v", *defaults) {
		t.Errorf("example file differs from defaults:\n%+v\n%+v", *fromFile, *defaults)
	}
	if defaults.Database.DSN != "sqlite:data/authd.db" || defaults.Codes.TTL != 10*time.Minute ||
		defaults.Mail.Driver != "log" || defaults.Server.Addr != ":8080" || defaults.Keys.EncryptionKeyFile != "data/encryption.key" {
		t.Errorf("defaults: %+v", *defaults)
	}
}

func TestEnvironmentOverridesNestedKeys(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	tests := []struct {
		env, value string
		got        func(c *Config) any
		want       any
	}{
		{"AUTHD_SERVER_ADDR", "127.0.0.1:9999", func(c *Config) any { return c.Server.Addr }, "127.0.0.1:9999"},
		{"AUTHD_SERVER_PUBLIC_URL", "https://auth.example.com/", func(c *Config) any { return c.Server.PublicURL }, "https://auth.example.com"},
		{"AUTHD_DATA_DIR", "/var/lib/authd", func(c *Config) any { return c.Database.DSN }, "sqlite:/var/lib/authd/authd.db"},
		{"AUTHD_DATABASE_DSN", "postgres://u@h/db", func(c *Config) any { return c.Database.DSN }, "postgres://u@h/db"},
		{"AUTHD_KEYS_ENCRYPTION_KEY", key, func(c *Config) any { return c.Keys.EncryptionKey }, key},
		{"AUTHD_MAIL_DRIVER", "smtp", func(c *Config) any { return c.Mail.Driver }, "smtp"},
		{"AUTHD_MAIL_FROM", "auth@example.com", func(c *Config) any { return c.Mail.From }, "auth@example.com"},
		{"AUTHD_MAIL_SMTP_HOST", "mx.example.com", func(c *Config) any { return c.Mail.SMTP.Host }, "mx.example.com"},
		{"AUTHD_MAIL_SMTP_PORT", "2525", func(c *Config) any { return c.Mail.SMTP.Port }, 2525},
		{"AUTHD_MAIL_SMTP_USERNAME", "bot", func(c *Config) any { return c.Mail.SMTP.Username }, "bot"},
		{"AUTHD_MAIL_SMTP_PASSWORD", "s3cret", func(c *Config) any { return c.Mail.SMTP.Password }, "s3cret"},
		{"AUTHD_MAIL_SMTP_TLS", "tls", func(c *Config) any { return c.Mail.SMTP.TLS }, "tls"},
		{"AUTHD_TOKENS_ACCESS_TTL", "5m", func(c *Config) any { return c.Tokens.AccessTTL }, 5 * time.Minute},
		{"AUTHD_DATABASE_MIGRATE_ON_START", "false", func(c *Config) any { return c.Database.MigrateOnStart }, false},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(tt.env, tt.value)
			if tt.env == "AUTHD_MAIL_DRIVER" {
				t.Setenv("AUTHD_MAIL_SMTP_HOST", "mx.example.com")
			}
			c, err := Load("")
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.got(c); got != tt.want {
				t.Errorf("%s=%s: got %v, want %v", tt.env, tt.value, got, tt.want)
			}
		})
	}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "authd.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFileThenEnvironment(t *testing.T) {
	clearEnv(t)
	p := writeFile(t, "server:\n  addr: \":7000\"\nmail:\n  smtp:\n    port: 25\n")
	t.Setenv("AUTHD_MAIL_SMTP_PORT", "2525")
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != ":7000" || c.Mail.SMTP.Port != 2525 {
		t.Errorf("addr %q port %d; want :7000 from the file and 2525 from the environment", c.Server.Addr, c.Mail.SMTP.Port)
	}
	t.Setenv(EnvConfigFile, p)
	if c, err := Load(""); err != nil || c.Server.Addr != ":7000" {
		t.Errorf("AUTHD_CONFIG not honoured: %v %v", c, err)
	}
}

func TestInvalidValuesNameTheirKey(t *testing.T) {
	tests := []struct{ env, value, want string }{
		{"AUTHD_MAIL_SMTP_TLS", "ssl", "mail.smtp.tls (AUTHD_MAIL_SMTP_TLS): \"ssl\" is not one of none, starttls, tls"},
		{"AUTHD_MAIL_DRIVER", "sendmail", "mail.driver (AUTHD_MAIL_DRIVER)"},
		{"AUTHD_MAIL_SMTP_PORT", "abc", "mail.smtp.port (AUTHD_MAIL_SMTP_PORT): \"abc\" is not a valid whole number"},
		{"AUTHD_MAIL_SMTP_PORT", "70000", "mail.smtp.port (AUTHD_MAIL_SMTP_PORT)"},
		{"AUTHD_DATABASE_DSN", "mysql://x", "database.dsn (AUTHD_DATABASE_DSN)"},
		{"AUTHD_KEYS_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString(make([]byte, 16)), "keys.encryption_key (AUTHD_KEYS_ENCRYPTION_KEY)"},
		{"AUTHD_KEYS_ENCRYPTION_KEY", "not base64!", "keys.encryption_key (AUTHD_KEYS_ENCRYPTION_KEY)"},
		{"AUTHD_TOKENS_ACCESS_TTL", "soon", "tokens.access_ttl (AUTHD_TOKENS_ACCESS_TTL): \"soon\" is not a valid duration"},
		{"AUTHD_CODES_TTL", "11m", "codes.ttl (AUTHD_CODES_TTL)"},
		{"AUTHD_SERVER_PUBLIC_URL", "localhost:8080", "server.public_url (AUTHD_SERVER_PUBLIC_URL)"},
		{"AUTHD_KEYS_ALGORITHM", "HS256", "keys.algorithm (AUTHD_KEYS_ALGORITHM)"},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(tt.env, tt.value)
			_, err := Load("")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	clearEnv(t)
	t.Setenv("AUTHD_MAIL_SMTP_TLS", "ssl")
	t.Setenv("AUTHD_MAIL_DRIVER", "smtp") // and no host
	t.Setenv("AUTHD_CODES_MAX_ATTEMPTS", "0")
	_, err := Load("")
	if err == nil {
		t.Fatal("no error")
	}
	for _, key := range []string{"mail.smtp.tls", "mail.smtp.host", "codes.max_attempts"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not mention %s: %v", key, err)
		}
	}
}

func TestUnknownAndMissing(t *testing.T) {
	clearEnv(t)
	if _, err := Load(writeFile(t, "mail:\n  smpt:\n    host: x\n")); err == nil || !strings.Contains(err.Error(), "mail.smpt.host") {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("a named file that does not exist was accepted")
	}
}

func TestLogValueRedactsSecrets(t *testing.T) {
	clearEnv(t)
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	t.Setenv("AUTHD_KEYS_ENCRYPTION_KEY", key)
	t.Setenv("AUTHD_MAIL_SMTP_PASSWORD", "hunter2")
	t.Setenv("AUTHD_DATABASE_DSN", "postgres://u:dbpass@h/db")
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	out := c.LogValue().String()
	for _, secret := range []string{key, "hunter2", "dbpass"} {
		if strings.Contains(out, secret) {
			t.Errorf("LogValue shows %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "[redacted]") {
		t.Errorf("LogValue: %s", out)
	}
}

func TestRoleLists(t *testing.T) {
	clearEnv(t)
	t.Setenv("AUTHD_ROLES_CUSTOM", "billing,support")
	t.Setenv("AUTHD_PARTNERS_GRANTABLE_ROLES", "billing")
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Roles.Custom, "|") != "billing|support" || strings.Join(c.Partners.GrantableRoles, "|") != "billing" {
		t.Errorf("lists: %v %v", c.Roles.Custom, c.Partners.GrantableRoles)
	}
	for _, bad := range []string{"admin", "unknown", "Bad Role"} {
		t.Setenv("AUTHD_PARTNERS_GRANTABLE_ROLES", bad)
		if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "partners.grantable_roles") {
			t.Errorf("grantable %q: %v", bad, err)
		}
	}
}

// TestDSNSecretsAreRedacted (issue 11 item 9): every form of a database password that
// pgx accepts, and a DSN that does not parse, stays out of the start log.
func TestDSNSecretsAreRedacted(t *testing.T) {
	tests := []struct{ dsn, secret, keep string }{
		{"postgres://u:dbpass@h/db", "dbpass", "postgres://u:redacted@h/db"},
		{"postgres://u@h/db?password=dbpass&sslmode=disable", "dbpass", "sslmode=disable"},
		{"postgres://u@h/db?sslpassword=keypass", "keypass", "sslpassword=redacted"},
		{"host=h user=u password=dbpass dbname=db", "dbpass", "user=u"},
		{"host=h password='db pass\\' x' dbname=db", "db pass", "dbname=db"},
		{"postgres://u:db%zzpass@h/db", "pass", "does not parse"},
		{"sqlite:/var/lib/authd/authd.db", "", "sqlite:/var/lib/authd/authd.db"},
	}
	for _, tt := range tests {
		got := redactDSN(tt.dsn)
		if (tt.secret != "" && strings.Contains(got, tt.secret)) || !strings.Contains(got, tt.keep) {
			t.Errorf("redactDSN(%q) = %q; want no %q and %q kept", tt.dsn, got, tt.secret, tt.keep)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/app"
	"github.com/authd/authd/config"
	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/store/storetest"
)

// TestUserCommandsBesideARunningServer drives the operator CLI against the database
// a live server uses, as an operator making the first admin would.
func TestUserCommandsBesideARunningServer(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv, _, smtp, _ := liveServer(t, b.DSN, nil)
			token := signup(t, srv.URL, smtp, "ada@example.com")

			out, err := run(t, "user", "role", "add", "--email", "Ada@Example.com", "--role", "admin")
			if err != nil || !strings.Contains(out, "granted admin to ada") {
				t.Fatalf("role add: %q %v", out, err)
			}
			out, err = run(t, "user", "list", "--role", "admin")
			if err != nil || !strings.Contains(out, "ada") || !strings.Contains(out, "admin,user") {
				t.Fatalf("list: %q %v", out, err)
			}
			if out, err := run(t, "user", "list", "--role", "partner"); err != nil || strings.Contains(out, "ada") {
				t.Fatalf("list partners: %q %v", out, err)
			}
			if _, err := run(t, "user", "role", "add", "--email", "nobody@example.com", "--role", "admin"); err == nil {
				t.Error("granting a role to an unknown address succeeded")
			}
			if _, err := run(t, "user", "role", "add", "--email", "ada@example.com", "--role", "Admin!"); err == nil {
				t.Error("an invalid role name was accepted")
			}

			if _, err := run(t, "user", "disable", "--email", "ada@example.com"); err != nil {
				t.Fatal(err)
			}
			if got := status(t, srv.URL, token); got != http.StatusUnauthorized {
				t.Errorf("GET /session after disable = %d, want 401 (sessions closed)", got)
			}
			if _, err := run(t, "user", "enable", "--email", "ada@example.com"); err != nil {
				t.Fatal(err)
			}
			token = login(t, srv.URL, smtp, "ada@example.com")
			if got := status(t, srv.URL, token); got != http.StatusOK {
				t.Errorf("GET /session after enable = %d", got)
			}
			out, err = run(t, "user", "role", "remove", "--email", "ada@example.com", "--role", "admin")
			if err != nil || !strings.Contains(out, "revoked admin") {
				t.Fatalf("role remove: %q %v", out, err)
			}
			if _, err := run(t, "user", "role", "remove", "--email", "ada@example.com", "--role", "admin"); err == nil {
				t.Error("revoking a role not held succeeded")
			}
		})
	}
}

// liveServer runs authd on dsn as serve does, with the environment the CLI reads
// pointing at the same database, and mail to an in-process SMTP server; edit adjusts
// the server's configuration only (the CLI loads its own from the environment).
func liveServer(t *testing.T, dsn string, edit func(*config.Config)) (*httptest.Server, *app.App, *mailtest.Server, *config.Config) {
	t.Helper()
	t.Setenv("AUTHD_DATA_DIR", t.TempDir())
	t.Setenv("AUTHD_DATABASE_DSN", dsn)
	t.Setenv("AUTHD_KEYS_ENCRYPTION_KEY", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=")
	smtp := mailtest.NewServer(t)
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Mail.Driver, cfg.Mail.SMTP.Host, cfg.Mail.SMTP.Port, cfg.Mail.SMTP.TLS = "smtp", smtp.Host(), smtp.Port(), "none"
	if edit != nil {
		edit(cfg)
	}
	a, err := app.New(context.Background(), cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() { srv.Close(); _ = a.Close(context.Background()) })
	return srv, a, smtp, cfg
}

func post(t *testing.T, method, url string, body any) map[string]any {
	t.Helper()
	return postWith(t, method, url, body)
}

// postWith sends a JSON body with header pairs and decodes a 200 answer.
func postWith(t *testing.T, method, url string, body any, hdr ...string) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(body)
	code, answer := send(t, method, url, bytes.NewReader(raw), append([]string{"Content-Type", "application/json"}, hdr...)...)
	var out map[string]any
	_ = json.Unmarshal([]byte(answer), &out)
	if code != 200 {
		t.Fatalf("%s %s: %d %v", method, url, code, out)
	}
	return out
}

// send makes one request with header pairs and returns the status and body.
func send(t *testing.T, method, url string, body io.Reader, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func verify(t *testing.T, base string, smtp *mailtest.Server, pending map[string]any, address string) string {
	t.Helper()
	code := smtp.CodeFor(t, address, 10*time.Second)
	v := post(t, "PUT", base+"/api/auth/v2/session/verification", map[string]any{"verificationCodeID": pending["verificationCodeID"], "code": code})
	return v["bearer"].(string)
}

func signup(t *testing.T, base string, smtp *mailtest.Server, address string) string {
	t.Helper()
	p := post(t, "POST", base+"/api/auth/v2/user", map[string]any{"email": address, "fullName": "Ada", "alias": "ada"})
	return verify(t, base, smtp, p, address)
}

func login(t *testing.T, base string, smtp *mailtest.Server, address string) string {
	t.Helper()
	p := post(t, "POST", base+"/api/auth/v2/session", map[string]any{"email": address})
	return verify(t, base, smtp, p, address)
}

func status(t *testing.T, base, token string) int {
	t.Helper()
	return statusWith(t, base+"/api/auth/v2/session", "Authorization", "Bearer "+token)
}

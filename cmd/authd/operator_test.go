package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/config"
	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store/storetest"
)

// eventLog is a webhook receiver that keeps the types it was sent.
type eventLog struct {
	mu    sync.Mutex
	types []string
}

func (l *eventLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev struct{ Type string }
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &ev)
	l.mu.Lock()
	l.types = append(l.types, ev.Type)
	l.mu.Unlock()
}

func (l *eventLog) has(typ string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Contains(l.types, typ)
}

// within polls cond every 10 ms and returns how long it took to hold, failing past limit.
func within(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// TestOperatorActionsReachRunningServers: the CLI is another instance on the server's
// database. Its actions carry what the admin API's carry (feed entry, lifecycle event
// routed by the server's dispatcher, audit row), and the running server drops what
// it cached within 2 s: a disabled user's cached session, a key pair's cached roles,
// a revoked signing key (out of the JWKS, its tokens refused, sessions kept alive).
func TestOperatorActionsReachRunningServers(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			events := &eventLog{}
			receiver := httptest.NewServer(events)
			t.Cleanup(receiver.Close)
			srv, a, smtp, cfg := liveServer(t, b.DSN, func(cfg *config.Config) {
				// Only the server knows the endpoint: routing happens at dispatch.
				cfg.Events.WebhookURL = receiver.URL
				cfg.Events.WebhookSecret = "whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
			})
			ctx := context.Background()

			v := post(t, "PUT", srv.URL+"/api/auth/v2/session/verification", verification(t, srv.URL, smtp, "ada@example.com", true))
			token := v["bearer"].(string)
			info := get(t, srv.URL+"/api/auth/v2/session", token)
			userID := info["userID"].(string)

			// A role granted by the CLI reaches the server's cached key-pair check.
			pair := keyPair(t, srv.URL, smtp, token, "ada@example.com")
			check := func() int { return statusWith(t, srv.URL+"/api/auth/v2/check?roles=admin", pair...) }
			if got := check(); got != http.StatusForbidden {
				t.Fatalf("/check?roles=admin before the grant = %d", got)
			}
			if _, err := run(t, "user", "role", "add", "--email", "ada@example.com", "--role", "admin"); err != nil {
				t.Fatal(err)
			}
			d := within(t, 2*time.Second, "cached key pair sees the CLI's role", func() bool { return check() == http.StatusOK })
			t.Logf("role grant reached the server's key-pair cache after %s", d.Round(time.Millisecond))

			// A disable by the CLI: the server's cached session is refused within 2 s.
			token = post(t, "PUT", srv.URL+"/api/auth/v2/session/verification", verification(t, srv.URL, smtp, "ada@example.com", false))["bearer"].(string)
			if got := status(t, srv.URL, token); got != http.StatusOK {
				t.Fatalf("GET /session = %d", got)
			}
			if _, err := run(t, "user", "disable", "--email", "ada@example.com"); err != nil {
				t.Fatal(err)
			}
			d = within(t, 2*time.Second, "cached session refused after the CLI's disable", func() bool {
				return status(t, srv.URL, token) == http.StatusUnauthorized
			})
			t.Logf("disable reached the server's session cache after %s", d.Round(time.Millisecond))
			feed, err := a.Store.Revocations(ctx, time.Time{}, time.Now(), 100)
			if err != nil || !slices.ContainsFunc(feed, func(r models.Revocation) bool {
				return r.Kind == models.RevokedUser && r.Subject == userID && r.ExpiresAt.Sub(r.CreatedAt) == cfg.Tokens.AccessTTL+cfg.Tokens.Leeway
			}) {
				t.Fatalf("no revocation-feed entry for the disabled user covering the access lifetime: %v %+v", err, feed)
			}
			within(t, 20*time.Second, "user.disabled delivered (one event per user per dispatch round)", func() bool { return events.has(models.EventUserDisabled) })
			if !events.has(models.EventRoleGranted) {
				t.Error("role.granted was not delivered")
			}
			audit, _, err := a.Store.ListAudit(ctx, userID, 100, 0)
			if err != nil || !slices.ContainsFunc(audit, func(e models.AuditEvent) bool {
				return e.Action == models.AuditUserDisabled && e.ActorID == models.ActorOperator
			}) {
				t.Fatalf("no operator audit row for the disable: %v %+v", err, audit)
			}
			if _, err := run(t, "user", "enable", "--email", "ada@example.com"); err != nil {
				t.Fatal(err)
			}

			// keys revoke: out of the JWKS and refused within 2 s; the session lives on.
			v = post(t, "PUT", srv.URL+"/api/auth/v2/session/verification", verification(t, srv.URL, smtp, "ada@example.com", false))
			token, refresh := v["bearer"].(string), v["refreshToken"].(string)
			kid := kidOf(t, token)
			out, err := run(t, "keys", "revoke", kid)
			if err != nil || !strings.Contains(out, "revoked (was active)") {
				t.Fatalf("keys revoke: %q %v", out, err)
			}
			d = within(t, 2*time.Second, "revoked key out of the JWKS and its token refused", func() bool {
				return !strings.Contains(body(t, srv.URL+"/api/auth/v2/jwks"), kid) && status(t, srv.URL, token) == http.StatusUnauthorized
			})
			t.Logf("key revocation reached the server after %s", d.Round(time.Millisecond))
			fresh := post(t, "POST", srv.URL+"/api/auth/v2/session/refresh", map[string]any{"refreshToken": refresh})["bearer"].(string)
			if k := kidOf(t, fresh); k == kid || status(t, srv.URL, fresh) != http.StatusOK {
				t.Fatalf("after the revocation the session's refresh got a token under %s", k)
			}
			if out, err := run(t, "keys", "revoke", "no-such-kid"); err == nil {
				t.Fatalf("revoking an unknown kid: %q", out)
			}
			audit, _, _ = a.Store.ListAudit(ctx, "", 100, 0)
			if !slices.ContainsFunc(audit, func(e models.AuditEvent) bool {
				return e.Action == models.AuditSigningKeyRevoked && e.TargetID == kid && e.ActorID == models.ActorOperator
			}) {
				t.Error("the key revocation was not audited")
			}
		})
	}
}

// verification starts a registration (or a login) and returns the verification body.
func verification(t *testing.T, base string, smtp *mailtest.Server, address string, register bool) map[string]any {
	t.Helper()
	var p map[string]any
	if register {
		p = post(t, "POST", base+"/api/auth/v2/user", map[string]any{"email": address, "fullName": "Ada", "alias": "ada"})
	} else {
		p = post(t, "POST", base+"/api/auth/v2/session", map[string]any{"email": address})
	}
	return map[string]any{"verificationCodeID": p["verificationCodeID"], "code": smtp.CodeFor(t, address, 10*time.Second)}
}

// keyPair creates and verifies a key pair and returns its headers.
func keyPair(t *testing.T, base string, smtp *mailtest.Server, token, address string) []string {
	t.Helper()
	k := postWith(t, "POST", base+"/api/auth/v2/keypair", map[string]any{"name": "ci", "days": 30}, "Authorization", "Bearer "+token)
	code := smtp.CodeFor(t, address, 10*time.Second)
	postWith(t, "PUT", base+"/api/auth/v2/keypair/verification", map[string]any{"verificationCodeID": k["verificationCodeID"], "code": code},
		"Authorization", "Bearer "+token)
	return []string{"api-key", k["apiKey"].(string), "api-secret", k["apiSecret"].(string)}
}

func kidOf(t *testing.T, token string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	var h struct{ Kid string }
	if err != nil || json.Unmarshal(raw, &h) != nil || h.Kid == "" {
		t.Fatalf("no kid in %q", token)
	}
	return h.Kid
}

func get(t *testing.T, url, token string) map[string]any {
	t.Helper()
	var out map[string]any
	if _, body := getWith(t, url, "Authorization", "Bearer "+token); json.Unmarshal([]byte(body), &out) != nil {
		t.Fatalf("GET %s: %s", url, body)
	}
	return out
}

func body(t *testing.T, url string) string { t.Helper(); _, b := getWith(t, url); return b }

func statusWith(t *testing.T, url string, hdr ...string) int {
	t.Helper()
	code, _ := getWith(t, url, hdr...)
	return code
}

// getWith sends a GET with header pairs and returns the status and body.
func getWith(t *testing.T, url string, hdr ...string) (int, string) {
	t.Helper()
	return send(t, "GET", url, nil, hdr...)
}

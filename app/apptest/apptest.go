// Package apptest gives the use-case packages' tests authd's services as `serve` and
// the CLI build them (app.NewServices), on a fresh database of every backend
// (storetest), with mail going to a real in-process SMTP server (mailtest) and a clock
// the test moves. A person signs up and logs in through the login use cases, so a
// test's principals are what a real request would get.
package apptest

import (
	"bytes"
	"context"
	"encoding/base64"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/app"
	"github.com/authd/authd/authn"
	"github.com/authd/authd/config"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/login"
	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store/storetest"
)

// Env is one backend's services.
type Env struct {
	*app.Services
	Mail  *mailtest.Server
	Clock *Clock
	Ctx   context.Context
}

// Clock is a settable clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewClock is a clock reading at.
func NewClock(at time.Time) *Clock { return &Clock{now: at} }

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Operator is the CLI's actor.
var Operator = authn.Actor{ID: models.ActorOperator, Client: authn.Client{UserAgent: "authd-cli"}}

// Each runs fn as a subtest on every backend with fresh services.
func Each(t *testing.T, fn func(t *testing.T, e *Env)) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, New(t, b.DSN)) })
	}
}

// New builds the services on the database at dsn.
func New(t *testing.T, dsn string) *Env {
	t.Helper()
	smtp := mailtest.NewServer(t)
	t.Setenv("AUTHD_DATA_DIR", t.TempDir())
	t.Setenv("AUTHD_DATABASE_DSN", dsn)
	t.Setenv("AUTHD_KEYS_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	t.Setenv("AUTHD_MAIL_DRIVER", "smtp")
	t.Setenv("AUTHD_MAIL_SMTP_HOST", smtp.Host())
	t.Setenv("AUTHD_MAIL_SMTP_PORT", strconv.Itoa(smtp.Port()))
	t.Setenv("AUTHD_MAIL_SMTP_TLS", "none")
	t.Setenv("AUTHD_LIMITS_LOGIN_RESPONSE_FLOOR", "1ms")
	cfg, err := config.Load("")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	clk := NewClock(time.Now().UTC().Truncate(time.Second))
	ctx := context.Background()
	s, err := app.NewServices(ctx, cfg, app.Options{Now: clk.Now})
	if err != nil {
		t.Fatalf("services: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return &Env{Services: s, Mail: smtp, Clock: clk, Ctx: ctx}
}

// Person is a signed-up user with a verified session.
type Person struct {
	UserID, Email string
	*login.Verified
	// P is the principal the session's access token authenticates as.
	P *authn.Principal
}

// SignUp registers alias@example.com, verifies its first login code and
// authenticates the access token; roles, when given, are granted by the operator
// before the login, so the token carries them.
func (e *Env) SignUp(t testing.TB, alias string, roles ...string) *Person {
	t.Helper()
	addr := alias + "@example.com"
	client := authn.Client{IP: "192.0.2.10", UserAgent: "apptest"}
	pend, err := e.Login.Register(e.Ctx, login.RegisterInput{Email: addr, FullName: alias, Alias: alias, Client: client})
	if err != nil {
		t.Fatalf("register %s: %v", alias, err)
	}
	first := e.verify(t, addr, pend.VerificationCodeID, client)
	if len(roles) > 0 {
		for _, r := range roles {
			if err := e.Directory.GrantRole(e.Ctx, Operator, first.UserID, r); err != nil {
				t.Fatalf("grant %s: %v", r, err)
			}
		}
		return e.LogIn(t, addr)
	}
	return first
}

// LogIn opens another session of the account holding addr.
func (e *Env) LogIn(t testing.TB, addr string) *Person {
	t.Helper()
	client := authn.Client{IP: "192.0.2.11", UserAgent: "apptest"}
	pend, err := e.Login.StartSession(e.Ctx, login.StartInput{Email: addr, Client: client})
	if err != nil {
		t.Fatalf("start session %s: %v", addr, err)
	}
	return e.verify(t, addr, pend.VerificationCodeID, client)
}

// verify completes a login with the code mailed to addr.
func (e *Env) verify(t testing.TB, addr, codeID string, client authn.Client) *Person {
	t.Helper()
	code := e.Mail.CodeFor(t, addr, 5*time.Second)
	v, err := e.Login.VerifySession(e.Ctx, codeID, code, client)
	if err != nil {
		t.Fatalf("verify %s: %v", addr, err)
	}
	p, err := e.Authn.Authenticate(e.Ctx, v.Bearer)
	if err != nil {
		t.Fatalf("authenticate %s: %v", addr, err)
	}
	p.Client = client
	return &Person{UserID: p.UserID, Email: addr, Verified: v, P: p}
}

// Claiming authenticates a token for p's session that claims roles it may not hold:
// a token minted before its roles were taken away, as a gateway would still accept.
func (e *Env) Claiming(t testing.TB, p *Person, roles ...string) *authn.Principal {
	t.Helper()
	token, _, err := e.Tokens.MintAccess(issuer.AccessRequest{UserID: p.UserID, SessionID: p.P.SessionID, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	q, err := e.Authn.Authenticate(e.Ctx, token)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	return q
}

// Client is the client the test's calls come from.
func (e *Env) Client() authn.Client { return authn.Client{IP: "192.0.2.12", UserAgent: "apptest"} }

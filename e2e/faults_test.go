package e2e

import (
	"context"
	"io"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/store/storetest"
)

// tcpProxy forwards to a database and can be cut and restored, as a network or a
// restarting Postgres would: cut closes the listener and every open connection.
type tcpProxy struct {
	target, addr string
	mu           sync.Mutex
	ln           net.Listener
	conns        []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{target: target}
	p.listen(t, "127.0.0.1:0")
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) listen(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestPostgresRefusesThenRecovers: with Postgres unreachable every database-backed
// endpoint answers 503 with x-error and Retry-After (the JWKS and /healthz still
// answer), and service resumes when it is back, without a restart.
func TestPostgresRefusesThenRecovers(t *testing.T) {
	proxy, e := startBehindProxy(t)
	v := e.signup("ada@example.com", "ada")

	proxy.cut()
	for _, r := range []response{
		e.req("POST", "/session", map[string]string{"email": "ada@example.com"}),
		e.req("GET", "/session", nil, bearer(v.Bearer)...),
		e.req("GET", "/readyz", nil),
	} {
		wantStatus(t, r, 503)
		assertNoLeak(t, r)
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("503 without Retry-After: %q", r.Header.Get("x-error"))
		}
	}
	wantStatus(t, e.req("GET", "/healthz", nil), 200)
	wantStatus(t, e.req("GET", "/jwks", nil), 200)

	proxy.restore(t, e)
	wantStatus(t, e.req("GET", "/session", nil, bearer(v.Bearer)...), 200)
	e.verifyAfterLogin("ada@example.com")
}

// restore brings the database back and waits until authd says it is ready again.
func (p *tcpProxy) restore(t *testing.T, e *env) {
	t.Helper()
	p.listen(t, p.addr)
	deadline := time.Now().Add(15 * time.Second)
	for e.req("GET", "/readyz", nil).Status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("no recovery within 15 s of Postgres coming back")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startBehindProxy starts authd on a fresh Postgres database reached through a TCP
// proxy the test can cut.
func startBehindProxy(t *testing.T) (*tcpProxy, *env) {
	t.Helper()
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skip("needs Postgres: set " + storetest.PostgresEnv + " (CI does)")
	}
	var dsn string
	for _, b := range storetest.Backends(t) {
		if b.Name == "postgres" {
			dsn = b.DSN
		}
	}
	u, _ := url.Parse(dsn)
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	return proxy, start(t, newConfig(t, u.String()), mailtest.NewServer(t), apptest.NewClock(time.Now().UTC().Truncate(time.Second)))
}

// TestOAuthThroughDatabaseOutage: while the database is away every OAuth endpoint
// answers 503 temporarily_unavailable with Retry-After, never invalid_grant or
// invalid_client (a client would throw its good credential away), and the same
// refresh token and key pair work once it is back.
func TestOAuthThroughDatabaseOutage(t *testing.T) {
	proxy, e := startBehindProxy(t)
	gw, _ := e.admin("gw@example.com", "gateway")
	ada := e.signup("ada@example.com", "ada")
	k := e.createKeyPair(ada.Bearer, "ada@example.com", 30) // verified, never used: not cached
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {ada.RefreshToken}}
	client := url.Values{"grant_type": {"client_credentials"}, "client_id": {k.APIKey}, "client_secret": {k.APISecret}}

	proxy.cut()
	for _, c := range []struct {
		name  string
		oauth bool
		r     response
	}{
		{"refresh_token", true, e.form("/oauth/token", refresh)},
		{"client_credentials", true, e.form("/oauth/token", client)},
		{"introspect by key pair", true, e.form("/oauth/introspect", url.Values{"token": {ada.Bearer}, "client_id": {k.APIKey}, "client_secret": {k.APISecret}})},
		{"introspect by bearer", true, e.form("/oauth/introspect", url.Values{"token": {ada.Bearer}}, bearer(gw.Bearer)...)},
		{"revoke a refresh token", true, e.form("/oauth/revoke", url.Values{"token": {ada.RefreshToken}})},
		{"session refresh", false, e.req("POST", "/session/refresh", map[string]string{"refreshToken": ada.RefreshToken})},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.oauth {
				wantOAuthError(t, c.r, 503, "temporarily_unavailable")
			} else {
				wantStatus(t, c.r, 503)
			}
			if c.r.Header.Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
			assertNoLeak(t, c.r)
		})
	}

	proxy.restore(t, e)
	wantStatus(t, e.form("/oauth/token", refresh), 200)
	wantStatus(t, e.form("/oauth/token", client), 200)
}

// TestHostedLoginThroughDatabaseOutage: once an authorization request is known to
// come from a registered app and one of its redirect URIs, a failure of authd's own
// goes back to the app as RFC 6749 4.1.2.1 says (temporarily_unavailable while the
// database is away, with the request's state), not to an authd page the app never
// hears of; the code exchange answers 503 temporarily_unavailable, never invalid_grant
// (the app would give up a good code), and nothing internal shows. The same code
// works once the database is back.
func TestHostedLoginThroughDatabaseOutage(t *testing.T) {
	proxy, e := startBehindProxy(t)
	e.signup("ada@example.com", "ada")
	const redirect = "http://127.0.0.1:9/cb"
	app := e.registerApp(map[string]any{"name": "Outage", "type": "web", "redirectURIs": []string{redirect}, "firstParty": true})
	f := e.codeFlow(app, redirect, "openid", "email")
	b := e.browser()
	code := b.logIn(f.url("s1"), "ada@example.com").Query().Get("code")

	proxy.cut()
	cb := b.callback(b.get(f.url("s2"))) // single sign-on: the answer needs a write
	if cb.Query().Get("error") != "temporarily_unavailable" || cb.Query().Get("state") != "s2" || cb.Host != "127.0.0.1:9" {
		t.Errorf("an SSO request during the outage went back as %s", cb)
	}
	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
		"code_verifier": {f.verifier}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}}
	r := e.form("/oauth/token", exchange)
	wantOAuthError(t, r, 503, "temporarily_unavailable")
	assertNoLeak(t, r)

	proxy.restore(t, e)
	wantStatus(t, e.form("/oauth/token", exchange), 200)
}

// TestSMTPDownThenBack: with the mail server refusing, login answers as usual and at
// once; the code arrives when the server is back, and works.
func TestSMTPDownThenBack(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("ada@example.com", "ada")
		e.smtp.SetFailing(true)
		start := time.Now()
		r := e.req("POST", "/session", map[string]string{"email": "ada@example.com"})
		wantStatus(t, r, 200)
		if d := time.Since(start); d > time.Second {
			t.Errorf("login waited %s for a failing mail server", d)
		}
		var p pendingSession
		r.json(t, &p)
		time.Sleep(1500 * time.Millisecond) // a failed attempt or two
		e.smtp.SetFailing(false)
		code := e.smtp.CodeFor(t, "ada@example.com", 15*time.Second)
		e.verify(p.VerificationCodeID, code)
	})
}

// TestTwoInstancesActAsOne: two instances on one database share codes, code
// attempts, signing keys after a rotation, revocations, and changes to registered apps.
func TestTwoInstancesActAsOne(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *env) {
		b := start(t, a.cfg, a.smtp, a.clock)
		// A code sent by one instance is checked by the other; wrong tries add up.
		a.signup("ada@example.com", "ada")
		p, code := a.login("ada@example.com")
		for i := range 5 {
			inst := []*env{a, b}[i%2]
			wantStatus(t, inst.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": otherCode(code)}), 401)
		}
		wantStatus(t, b.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": code}), 401)
		p, code = b.login("ada@example.com")
		var v verified
		r := a.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": code})
		wantStatus(t, r, 200)
		r.json(t, &v)

		// A rotation on one instance reaches the other through the change feed (it
		// used to wait for the other's minute reload).
		if _, err := a.app.Keys.Rotate(context.Background(), true); err != nil {
			t.Fatal(err)
		}
		fresh := a.extend(v.Bearer)
		rotated := time.Now()
		for b.req("GET", "/session", nil, bearer(fresh)...).Status != 200 {
			if time.Since(rotated) > 2*time.Second {
				t.Fatal("the other instance does not know the new signing key after 2 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, inst := range []*env{a, b} {
			wantStatus(t, inst.req("GET", "/session", nil, bearer(v.Bearer)...), 200)
			wantStatus(t, inst.req("GET", "/session", nil, bearer(fresh)...), 200)
		}
		// Closed on one: refused there at once, and by the other once it reads the
		// revocation feed (every second).
		wantStatus(t, a.req("DELETE", "/session/"+a.sessionID(fresh), nil, bearer(fresh)...), 200)
		wantStatus(t, a.req("GET", "/session", nil, bearer(fresh)...), 401)
		closed := time.Now()
		for b.req("GET", "/session", nil, bearer(fresh)...).Status != 401 {
			if time.Since(closed) > 3*time.Second {
				t.Fatal("the other instance still accepts a closed session after 3 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("the other instance refused the closed session after %s", time.Since(closed).Round(time.Millisecond))

		// The same for a key-pair token revoked on one instance (RFC 7009).
		k := a.createKeyPair(a.verifyAfterLogin("ada@example.com").Bearer, "ada@example.com", 30)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		r = a.form("/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {k.APIKey}, "client_secret": {k.APISecret}})
		wantStatus(t, r, 200)
		r.json(t, &tok)
		wantStatus(t, b.req("GET", "/keypair", nil, bearer(tok.AccessToken)...), 200)
		wantStatus(t, a.form("/oauth/revoke", url.Values{"token": {tok.AccessToken}}, "api-key", k.APIKey, "api-secret", k.APISecret), 200)
		wantStatus(t, a.req("GET", "/keypair", nil, bearer(tok.AccessToken)...), 401)
		revoked := time.Now()
		for b.req("GET", "/keypair", nil, bearer(tok.AccessToken)...).Status != 401 {
			if time.Since(revoked) > 3*time.Second {
				t.Fatal("the other instance still accepts a revoked key-pair token after 3 s")
			}
			time.Sleep(20 * time.Millisecond)
		}

		// A registered app deleted on one instance: the other, which holds it in memory
		// since it authenticated it, drops it through the change feed.
		cl := a.registerApp(map[string]any{"name": "Shared", "type": "web", "redirectURIs": []string{"http://127.0.0.1:9/cb"}})
		exchange := func(inst *env) response {
			return inst.form("/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {"not-a-code"},
				"redirect_uri": {"http://127.0.0.1:9/cb"}, "client_id": {cl.ClientID}, "client_secret": {cl.ClientSecret}})
		}
		if r := exchange(b); r.Status != 400 { // authenticated: only the code is wrong
			t.Fatalf("a registered app's exchange: %d %s", r.Status, r.Body)
		}
		wantStatus(t, a.req("DELETE", "/admin/clients/"+cl.ClientID, nil, bearer(a.root)...), 200)
		if r := exchange(a); r.Status != 401 {
			t.Fatalf("the deleting instance still authenticates the app: %d %s", r.Status, r.Body)
		}
		deleted := time.Now()
		for exchange(b).Status != 401 {
			if time.Since(deleted) > 3*time.Second {
				t.Fatal("the other instance still authenticates a deleted app after 3 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

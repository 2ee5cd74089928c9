package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"go/build"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// oauth2ProxyVersion is the release .ci/run installs (go install ...@v7.15.6).
const oauth2ProxyVersion = "v7.15.6"

// TestOAuth2ProxyRelyingParty puts a real oauth2-proxy, configured as an OIDC client
// of authd (discovery, the code flow with PKCE S256, client secret), in front of a
// test upstream: an anonymous browser is sent to authd's hosted login, signs in with
// the emailed code, comes back through the proxy's callback and reaches the upstream,
// which sees the person's address; the proxy's sign_out calls authd's /logout with
// the session's ID token (backend logout), after which neither the proxy nor authd
// knows the browser. CI sets AUTHD_TEST_REQUIRE_OAUTH2_PROXY so a missing binary
// fails the test instead of skipping it. On SQLite and Postgres.
func TestOAuth2ProxyRelyingParty(t *testing.T) {
	bin := oauth2ProxyBinary(t)
	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("ada@example.com", "ada")
		var mu sync.Mutex
		var seen []http.Header
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Header.Clone())
			mu.Unlock()
			_, _ = w.Write([]byte("hello"))
		}))
		defer upstream.Close()
		lastSeen := func() (int, http.Header) {
			mu.Lock()
			defer mu.Unlock()
			if len(seen) == 0 {
				return 0, nil
			}
			return len(seen), seen[len(seen)-1]
		}

		addr := freeAddr(t)
		proxy := "http://" + addr
		callback := proxy + "/oauth2/callback"
		app := e.registerApp(map[string]any{"name": "oauth2-proxy", "type": "web", "redirectURIs": []string{callback}})
		logs := startOAuth2Proxy(t, bin, addr,
			"--provider=oidc",
			"--oidc-issuer-url="+e.srv.URL,
			"--client-id="+app.ClientID,
			"--client-secret="+app.ClientSecret,
			"--redirect-url="+callback,
			"--upstream="+upstream.URL+"/",
			"--http-address="+addr,
			"--email-domain=*",
			"--cookie-secret="+randomSecret(t),
			"--cookie-secure=false",
			"--pass-user-headers=true",
			"--set-xauthrequest=true",
			"--scope=openid email profile",
			"--code-challenge-method=S256",
			"--skip-provider-button=true",
			"--backend-logout-url="+e.srv.URL+"/logout?id_token_hint={id_token}",
		)

		// One browser, one cookie jar, three ways to follow redirects: b within authd
		// only (the test reads what authd sends back), all everywhere, as a person's
		// browser does, and one never (the test reads what the proxy answers itself).
		b := e.browser()
		all, one := b.following(true), b.following(false)

		// An anonymous visit ends on authd's login page, by way of /authorize.
		p := all.get(proxy + "/")
		if p.Status != 200 || p.URL.Host != strings.TrimPrefix(e.srv.URL, "http://") || !strings.Contains(p.Body, `type="email"`) {
			t.Fatalf("an anonymous visit did not reach authd's login page: %d %s\n%s", p.Status, p.URL, p.Body)
		}
		if n, _ := lastSeen(); n != 0 {
			t.Fatalf("the upstream was reached before login (%d requests)", n)
		}
		p = all.submit(p, "/login", map[string]string{"email": "ada@example.com"})
		if p.Status != 200 || !strings.Contains(p.Body, `autocomplete="one-time-code"`) {
			t.Fatalf("the address page: %d\n%s", p.Status, p.Body)
		}
		p = all.submit(p, "/login/code", map[string]string{"code": e.smtp.CodeFor(t, "ada@example.com", 10*time.Second)})
		if strings.Contains(p.Body, `action="/consent"`) { // a third-party app: the person allows it once
			p = all.submit(p, "/consent", map[string]string{"decision": "allow"})
		}
		if p.Status != 200 || p.Body != "hello" || p.URL.Host != addr {
			t.Fatalf("after login the browser did not get the upstream through the proxy: %d %s\n%s\noauth2-proxy:\n%s",
				p.Status, p.URL, p.Body, logs.String())
		}
		n, h := lastSeen()
		if n != 1 || h.Get("X-Forwarded-Email") != "ada@example.com" || h.Get("X-Forwarded-User") == "" ||
			h.Get("X-Forwarded-Preferred-Username") != "ada" {
			t.Errorf("the upstream saw %d requests, the last with %v", n, h)
		}
		var cookie bool
		for _, c := range b.http.Jar.Cookies(&url.URL{Scheme: "http", Host: addr, Path: "/"}) {
			cookie = cookie || c.Name == "_oauth2_proxy"
		}
		if !cookie {
			t.Error("the proxy set no _oauth2_proxy session cookie")
		}

		// The proxy's session alone now serves the upstream: no trip to authd.
		if p := one.get(proxy + "/again"); p.Status != 200 || p.Body != "hello" || p.URL.Host != addr {
			t.Fatalf("a second visit: %d %s %s", p.Status, p.URL, p.Location)
		}
		if _, h := lastSeen(); h.Get("X-Forwarded-Email") != "ada@example.com" {
			t.Errorf("the second visit's headers: %v", h)
		}
		// And authd's browser session signs the person in without a page (prompt=none).
		authorize := func(state string) *url.URL {
			t.Helper()
			sum := sha256.Sum256([]byte("verifier-" + state + "-0123456789012345678901234567890123"))
			q := url.Values{"client_id": {app.ClientID}, "redirect_uri": {callback}, "response_type": {"code"},
				"scope": {"openid email"}, "state": {state}, "prompt": {"none"},
				"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
			return b.callback(b.get(e.srv.URL + "/authorize?" + q.Encode()))
		}
		if cb := authorize("before"); cb.Query().Get("code") == "" || cb.Query().Get("state") != "before" {
			t.Fatalf("prompt=none before logout: %s", cb)
		}

		// Sign out at the proxy: it calls authd's /logout with the ID token, clears its
		// cookie and redirects.
		if p := one.get(proxy + "/oauth2/sign_out"); p.Status != http.StatusFound {
			t.Fatalf("sign_out: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		// Its access log line for sign_out follows any error of the backend logout.
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), `"/oauth2/sign_out"`) && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		if l := logs.String(); !strings.Contains(l, `"/oauth2/sign_out"`) || strings.Contains(l, "backend logout") {
			t.Errorf("oauth2-proxy's backend logout failed:\n%s", l)
		}
		before, _ := lastSeen()
		if p := one.get(proxy + "/"); p.Status != http.StatusFound || !strings.HasPrefix(p.Location, e.srv.URL+"/authorize?") {
			t.Fatalf("the proxy still serves the upstream after sign_out: %d %s %s", p.Status, p.Location, p.Body)
		}
		// Authd's browser session ended too: prompt=none needs a login, and the same
		// browser is sent to the login page again rather than back to the upstream.
		if cb := authorize("after"); cb.Query().Get("error") != "login_required" || cb.Query().Get("state") != "after" {
			t.Errorf("authd's browser session survived the proxy's sign_out: %s", cb)
		}
		if p := all.get(proxy + "/"); p.Status != 200 || !strings.Contains(p.Body, `type="email"`) || p.Body == "hello" {
			t.Errorf("after sign_out the browser did not land on authd's login page: %d %s\n%s", p.Status, p.URL, p.Body)
		}
		if after, _ := lastSeen(); after != before {
			t.Errorf("the upstream was reached after sign_out (%d requests, %d before)", after, before)
		}
	})
}

// following is the same browser (the same cookie jar) following every redirect, to
// authd and back to the app, as a person's browser does (all), or none (!all).
func (b *browser) following(all bool) *browser {
	c := &http.Client{Jar: b.http.Jar, Timeout: 30 * time.Second}
	if !all {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return &browser{t: b.t, e: b.e, http: c}
}

// oauth2ProxyBinary finds oauth2-proxy in PATH or in $(go env GOPATH)/bin.
func oauth2ProxyBinary(t *testing.T) string {
	t.Helper()
	if bin, err := exec.LookPath("oauth2-proxy"); err == nil {
		return bin
	}
	gopath := build.Default.GOPATH
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil && strings.TrimSpace(string(out)) != "" {
		gopath = strings.TrimSpace(string(out))
	}
	for _, dir := range filepath.SplitList(gopath) {
		bin := filepath.Join(dir, "bin", "oauth2-proxy")
		if fi, err := os.Stat(bin); err == nil && !fi.IsDir() {
			return bin
		}
	}
	if os.Getenv("AUTHD_TEST_REQUIRE_OAUTH2_PROXY") != "" {
		t.Fatal("oauth2-proxy is required (AUTHD_TEST_REQUIRE_OAUTH2_PROXY) but not installed")
	}
	t.Skip("oauth2-proxy not installed; .ci/run installs it (go install github.com/oauth2-proxy/oauth2-proxy/v7@" + oauth2ProxyVersion + ")")
	return ""
}

// startOAuth2Proxy runs oauth2-proxy with args until the test ends and waits for its
// /ping; its output is returned, and printed if the test fails.
func startOAuth2Proxy(t *testing.T, bin, addr string, args ...string) *syncBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("oauth2-proxy output:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if res, err := http.Get("http://" + addr + "/ping"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return out
			}
		}
		select {
		case <-exited:
			t.Fatalf("oauth2-proxy exited: %v\n%s", cmd.ProcessState, out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("oauth2-proxy did not answer /ping:\n%s", out.String())
		}
	}
}

// randomSecret is a cookie secret: 32 random bytes, base64 (oauth2-proxy decodes it).
func randomSecret(t *testing.T) string {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return base64.URLEncoding.EncodeToString(k)
}

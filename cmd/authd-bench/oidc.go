package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The OpenID Provider's scenarios: a full login through the hosted pages (authorize,
// the address, the emailed code, the callback, the code exchange), and single sign-on
// (prompt=none with a live browser session, then the exchange), each for an app with
// ES256 and one with RS256 ID tokens. Apps are registered through the CLI, as an
// operator would; each worker keeps one browser session for the SSO scenarios.

const benchRedirect = "http://127.0.0.1:9/cb"

type benchApp struct{ alg, id, secret string }

var (
	clientIDLine = regexp.MustCompile(`client id:\s+(\S+)`)
	secretLine   = regexp.MustCompile(`client secret:\s+(\S+)`)
	hiddenInput  = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// registerApps registers one first-party web app per ID-token algorithm.
func registerApps(s *server) ([]benchApp, error) {
	var out []benchApp
	for _, alg := range []string{"ES256", "RS256"} {
		text, err := s.cli("clients", "create", "--name", "bench "+alg, "--type", "web", "--first-party",
			"--redirect-uri", benchRedirect, "--id-token-alg", alg)
		if err != nil {
			return nil, err
		}
		id, secret := clientIDLine.FindStringSubmatch(text), secretLine.FindStringSubmatch(text)
		if id == nil || secret == nil {
			return nil, fmt.Errorf("clients create printed no ID or secret:\n%s", text)
		}
		out = append(out, benchApp{alg: alg, id: id[1], secret: secret[1]})
	}
	return out, nil
}

// browserClient is a browser's HTTP client: a cookie jar over the shared transport,
// redirects not followed (each step is read).
func (f *fixture) browserClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: f.c.http.Transport, Jar: jar, Timeout: f.c.http.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (f *fixture) send(ctx context.Context, hc *http.Client, method, target string, form url.Values) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	if !strings.HasPrefix(target, "http") {
		target = f.c.base + target
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res, string(raw), err
}

func hidden(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// pkcePair is a fresh PKCE verifier and its S256 challenge.
func pkcePair() (string, string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(v))
	return v, base64.RawURLEncoding.EncodeToString(sum[:])
}

func authorizeURL(app benchApp, challenge, prompt string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {app.id}, "redirect_uri": {benchRedirect},
		"scope": {"openid email"}, "state": {"s"}, "nonce": {"n"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	if prompt != "" {
		q.Set("prompt", prompt)
	}
	return "/authorize?" + q.Encode()
}

// fullLogin signs worker w's person in from nothing (a fresh browser) and exchanges
// the code; it returns the browser, now holding a browser session.
func (f *fixture) fullLogin(ctx context.Context, w int, app benchApp) (*http.Client, error) {
	hc := f.browserClient()
	verifier, challenge := pkcePair()
	res, _, err := f.send(ctx, hc, "GET", authorizeURL(app, challenge, ""), nil)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		return nil, stepErr("authorize", res, err)
	}
	res, page, err := f.send(ctx, hc, "GET", res.Header.Get("Location"), nil)
	if err != nil || res.StatusCode != 200 {
		return nil, stepErr("login page", res, err)
	}
	address := fmt.Sprintf("bench%d@example.com", w)
	form := hidden(page)
	form.Set("email", address)
	if res, page, err = f.send(ctx, hc, "POST", "/login", form); err != nil || res.StatusCode != 200 {
		return nil, stepErr("address", res, err)
	}
	code, err := f.codes.take(address, 10*time.Second)
	if err != nil {
		return nil, err
	}
	form = hidden(page)
	form.Set("code", code)
	if res, _, err = f.send(ctx, hc, "POST", "/login/code", form); err != nil || res.StatusCode != http.StatusSeeOther {
		return nil, stepErr("code", res, err)
	}
	return hc, f.exchange(ctx, app, res.Header.Get("Location"), verifier)
}

// sso answers prompt=none from worker w's browser session and exchanges the code.
func (f *fixture) sso(ctx context.Context, w int, app benchApp) error {
	verifier, challenge := pkcePair()
	res, _, err := f.send(ctx, f.browsers[w], "GET", authorizeURL(app, challenge, "none"), nil)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		return stepErr("authorize", res, err)
	}
	return f.exchange(ctx, app, res.Header.Get("Location"), verifier)
}

func (f *fixture) exchange(ctx context.Context, app benchApp, callback, verifier string) error {
	u, err := url.Parse(callback)
	if err != nil || u.Query().Get("code") == "" {
		return fmt.Errorf("callback without a code: %s", callback)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")}, "redirect_uri": {benchRedirect},
		"code_verifier": {verifier}, "client_id": {app.id}, "client_secret": {app.secret}}
	res, body, err := f.send(ctx, f.c.http, "POST", prefix+"/oauth/token", form)
	if err != nil || res.StatusCode != 200 {
		return stepErr("exchange", res, err)
	}
	var t struct {
		IDToken string `json:"id_token"`
	}
	if err := json.Unmarshal([]byte(body), &t); err != nil || t.IDToken == "" {
		return fmt.Errorf("exchange without an ID token: %s", body)
	}
	return nil
}

func stepErr(step string, res *http.Response, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	return fmt.Errorf("%s: %d %s", step, res.StatusCode, res.Header.Get("Location"))
}

// oidcSetup registers the apps and gives every worker a browser session.
func (f *fixture) oidcSetup(ctx context.Context, s *server, workers int) error {
	apps, err := registerApps(s)
	if err != nil {
		return err
	}
	f.apps = apps
	for w := range workers {
		hc, err := f.fullLogin(ctx, w, apps[0])
		if err != nil {
			return fmt.Errorf("browser session of worker %d: %w", w, err)
		}
		f.browsers = append(f.browsers, hc)
	}
	return nil
}

func (f *fixture) oidcScenarios() []scenario {
	var out []scenario
	for _, app := range f.apps {
		out = append(out,
			scenario{"SSO prompt=none + exchange (" + app.alg + ")", func(ctx context.Context, w int) error { return f.sso(ctx, w, app) }},
			scenario{"full login via /authorize (" + app.alg + ")", func(ctx context.Context, w int) error {
				_, err := f.fullLogin(ctx, w, app)
				return err
			}})
	}
	return out
}

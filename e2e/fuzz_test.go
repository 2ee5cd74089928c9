package e2e

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// fuzzBackendEnv picks the fuzz targets' database: unset for SQLite, "postgres" for a
// fresh schema in storetest.PostgresEnv's database. .ci/run fuzzes on both: what one
// dialect takes, the other may refuse (a NUL, bytes that are not UTF-8).
const fuzzBackendEnv = "AUTHD_TEST_FUZZ_BACKEND"

// fuzzDSN is the fuzz world's database: "" (SQLite in the data directory) or Postgres.
func fuzzDSN(f *testing.F) string {
	switch os.Getenv(fuzzBackendEnv) {
	case "", store.SQLite:
		return ""
	case store.Postgres:
		for _, b := range storetest.Backends(f) {
			if b.Name == store.Postgres {
				return b.DSN
			}
		}
		f.Fatalf("%s=postgres needs %s", fuzzBackendEnv, storetest.PostgresEnv)
	default:
		f.Fatalf("%s is sqlite or postgres, not %q", fuzzBackendEnv, os.Getenv(fuzzBackendEnv))
	}
	return ""
}

// fuzzWorld is one authd for a fuzz target (each fuzzing process starts its own, on
// the database fuzzDSN names): three registered apps, a person, and a browser holding
// their session.
type fuzzWorld struct {
	e        *env
	ada      verified     // the person's API session
	apps     []clientView // web, spa, native
	allowed  []string     // every registered redirect URI: the only places authd may send a browser
	idToken  string       // the web app's ID token of ada's login
	session  *http.Client // a browser logged in as ada, following no redirect
	stranger *http.Client // a browser without a session
}

func newFuzzWorld(f *testing.F) *fuzzWorld {
	cfg := newConfig(f, fuzzDSN(f))
	l := &cfg.Limits // one client sends every input, as fast as it can
	l.RequestsPerIPMinute, l.LoginResponseFloor, l.FailedCodesPerIP15m, l.FailedKeyPairsPerIP15m = 1_000_000, 0, 1<<30, 1<<30
	l.CodeSendsPerAddress15m, l.CodeSendsPerAddressDay, l.CodeSendsPerIP5m = 1<<30, 1<<30, 1<<30
	l.CodeSendsPerAddressAll15m, l.CodeSendsPerAddressAllDay = 1<<30, 1<<30
	e := start(f, cfg, mailtest.NewServer(f), apptest.NewClock(time.Now().UTC().Truncate(time.Second)))
	w := &fuzzWorld{e: e, ada: e.signup("ada@example.com", "ada")}
	for _, spec := range []map[string]any{
		{"name": "Web", "type": "web", "redirectURIs": []string{"https://rp.example/cb"}, "firstParty": true,
			"postLogoutRedirectURIs": []string{"https://rp.example/bye"}},
		{"name": "SPA", "type": "spa", "redirectURIs": []string{"https://spa.example/callback"},
			"postLogoutRedirectURIs": []string{"https://spa.example/bye"}},
		{"name": "Native", "type": "native", "redirectURIs": []string{"http://127.0.0.1/native"}, "firstParty": true},
	} {
		app := e.registerApp(spec)
		w.apps = append(w.apps, app)
		w.allowed = append(w.allowed, app.RedirectURIs...)
	}
	w.allowed = append(w.allowed, "https://rp.example/bye", "https://spa.example/bye")
	br := e.browser()
	flow := e.codeFlow(w.apps[0], w.apps[0].RedirectURIs[0], "openid")
	cb := br.logIn(flow.url("s"), "ada@example.com")
	tok, err := flow.conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(flow.verifier))
	if err != nil {
		f.Fatalf("code exchange: %v", err)
	}
	w.idToken, _ = tok.Extra("id_token").(string)
	w.session = stayingBrowser(br.http.Jar)
	w.stranger = stayingBrowser(nil)
	return w
}

func stayingBrowser(jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// answer sends req from client and returns the response with its body; a failed
// round trip, an answer of 500 or more, or a failure of authd's own sent back to an
// app (server_error, temporarily_unavailable: the world's database is up, so the
// input broke something) fails the input.
func answer(t *testing.T, client *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode >= 500 {
		t.Fatalf("%s %s: %d\n%s", req.Method, req.URL, res.StatusCode, raw)
	}
	back, _ := url.Parse(res.Header.Get("Location"))
	for _, code := range []string{"server_error", "temporarily_unavailable"} {
		if (back != nil && back.Query().Get("error") == code) || strings.Contains(string(raw), `name="error" value="`+code+`"`) {
			t.Fatalf("%s %s: %s sent back to the app: %s\n%s", req.Method, req.URL, code, back, raw)
		}
	}
	return res, string(raw)
}

// leavesFor is where a response sends the browser outside authd ("" when it stays):
// a Location, or a form_post page's form.
func (w *fuzzWorld) leavesFor(res *http.Response, body string) string {
	loc := res.Header.Get("Location")
	if m := formPostRE.FindStringSubmatch(body); loc == "" && m != nil {
		loc = html.UnescapeString(m[1])
	}
	u, err := url.Parse(loc)
	if loc == "" || (err == nil && u.Host == "" && u.Scheme == "" && strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "//")) {
		return ""
	}
	if authd, _ := url.Parse(w.e.srv.URL); err == nil && u.Scheme == authd.Scheme && u.Host == authd.Host {
		return ""
	}
	return loc
}

var formPostRE = regexp.MustCompile(`<form method="post" action="([^"]*)">`)

// registered reports whether loc is a registered redirect URI (its query aside; a
// loopback one on any port, RFC 8252 7.3).
func (w *fuzzWorld) registered(loc string) bool {
	u, err := url.Parse(loc)
	if err != nil || u.Fragment != "" || u.User != nil {
		return false
	}
	u.RawQuery, u.ForceQuery = "", false
	if u.Hostname() == "127.0.0.1" {
		u.Host = "127.0.0.1"
	}
	return slices.Contains(w.allowed, u.String())
}

// FuzzAuthorize: whatever an authorization request holds, with or without a live
// browser session, /authorize answers below 500 and sends the browser nowhere but
// authd's own pages and the redirect URIs registered for apps (a Location or a
// form_post form); no input puts a script of its own in the page. The inputs pick an
// app (or none), a redirect URI (the app's, or one with a fuzzed tail, or any), and
// the rest of the query.
func FuzzAuthorize(f *testing.F) {
	w := newFuzzWorld(f)
	const pkce = "response_type=code&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
	for _, seed := range []struct {
		app      uint8
		redirect string
		query    string
		session  bool
	}{
		{0, "", pkce + "&scope=openid&state=s&nonce=n", true},
		{0, "", pkce + "&scope=openid%20email&prompt=none&response_mode=form_post&state=s", true},
		{1, "", pkce + "&scope=openid%20profile%20offline_access&prompt=consent", true},
		{2, "http://127.0.0.1:51234/native", pkce + "&scope=openid&prompt=none", true},
		{0, "", pkce + "&scope=openid&prompt=none", false},
		{0, "", pkce + "&scope=openid&max_age=0&login_hint=ada%40example.com", true},
		{0, "/../evil", pkce + "&scope=openid", true},
		{0, "https://evil.example/cb", pkce + "&scope=openid", true},
		{1, "", "response_type=token&scope=openid", true},
		{1, "", "response_type=code&scope=openid&code_challenge_method=plain&code_challenge=x", true},
		{0, "", pkce + "&scope=openid&request=eyJ&state=<script>alert(1)</script>", true},
		{0, "", pkce + "&scope=openid&response_mode=fragment&ui_locales=fr&display=popup&acr_values=1", true},
		{3, "https://rp.example/cb", pkce + "&scope=openid", true},
		{4, "", "%zz&client_id=&redirect_uri=", false},
		{0, "", pkce + "&scope=openid&state=a%00b&nonce=%FF&login_hint=%00", false},
		{4, "", "%00", false},
	} {
		f.Add(seed.app, seed.redirect, seed.query, seed.session)
	}
	f.Fuzz(func(t *testing.T, app uint8, redirect, query string, session bool) {
		params := url.Values{}
		if i := int(app % 5); i < len(w.apps) {
			params.Set("client_id", w.apps[i].ClientID)
			if redirect == "" || strings.HasPrefix(redirect, "/") {
				redirect = w.apps[i].RedirectURIs[0] + redirect
			}
		} else if i == 4 {
			params.Set("client_id", "authd_app_"+query)
		}
		params.Set("redirect_uri", redirect)
		client := w.stranger
		if session {
			client = w.session
		}
		target := w.e.srv.URL + "/authorize?" + query + "&" + params.Encode()
		req, err := http.NewRequest(http.MethodGet, target, nil)
		if err != nil {
			return // a URL net/http refuses to build (a control character): nothing to send
		}
		res, body := answer(t, client, req)
		if out := w.leavesFor(res, body); out != "" && !w.registered(out) {
			t.Fatalf("GET %s sent the browser to %q, which no app registered", target, out)
		}
		if n := strings.Count(strings.ToLower(body), "<script"); n > strings.Count(body, `<script src="/static/formpost.js" defer></script>`) {
			t.Fatalf("GET %s: a script in the page that is not authd's:\n%s", target, body)
		}
	})
}

// tokenErrors are the token endpoint's error codes (RFC 6749 5.2).
var tokenErrors = []string{"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
	"unsupported_grant_type", "invalid_scope"}

// FuzzTokenEndpoint: whatever a client posts to /oauth/token, under any content type
// and with or without client credentials, the answer is below 500, never cached, and
// either tokens for the key pair whose real secret was sent (nothing else the fuzzer
// can send holds a live grant) or an RFC 6749 error in JSON.
func FuzzTokenEndpoint(f *testing.F) {
	w := newFuzzWorld(f)
	kp := w.e.createKeyPair(w.ada.Bearer, "ada@example.com", 30)
	const form = "application/x-www-form-urlencoded"
	for _, seed := range []struct {
		auth              uint8
		contentType, body string
	}{
		{1, form, "grant_type=client_credentials"},
		{0, form, "grant_type=client_credentials"},
		{2, form, "grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Frp.example%2Fcb&code_verifier=x"},
		{3, form, "grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Frp.example%2Fcb&code_verifier=x"},
		{4, form, "grant_type=refresh_token&refresh_token=eyJhbGciOiJub25lIn0.e30."},
		{5, form, "grant_type=authorization_code&client_id=x&client_secret=y&code=z"},
		{0, "application/json", `{"grant_type":"client_credentials"}`},
		{0, form + "; charset=utf-8", "grant_type=password&username=a&password=b"},
		{0, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--x--"},
		{1, form, "grant_type=client_credentials&grant_type=refresh_token&%zz"},
	} {
		f.Add(seed.auth, seed.contentType, seed.body)
	}
	f.Fuzz(func(t *testing.T, auth uint8, contentType, body string) {
		req, err := http.NewRequest(http.MethodPost, w.e.srv.URL+w.e.prefix+"/oauth/token", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		switch auth % 6 {
		case 1: // the key pair, as client_secret_basic
			req.SetBasicAuth(url.QueryEscape(kp.APIKey), url.QueryEscape(kp.APISecret))
		case 2: // the web app with its secret
			req.SetBasicAuth(url.QueryEscape(w.apps[0].ClientID), url.QueryEscape(w.apps[0].ClientSecret))
		case 3: // the web app with a wrong secret
			req.SetBasicAuth(url.QueryEscape(w.apps[0].ClientID), "wrong")
		case 4: // the SPA, a public app, by its ID alone
			req.SetBasicAuth(url.QueryEscape(w.apps[1].ClientID), "")
		case 5: // a header that is not Basic credentials
			req.Header.Set("Authorization", "Basic "+body)
		}
		res, err := w.stranger.Do(req)
		if err != nil && strings.Contains(err.Error(), "invalid header") {
			return // net/http refuses to send it (a newline in a header): nothing reached authd
		}
		if err != nil {
			t.Fatalf("POST /oauth/token: %v", err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%d for %q %q:\n%s", res.StatusCode, contentType, body, raw)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		var out struct {
			AccessToken string `json:"access_token"`
			Error       string `json:"error"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%d, not JSON: %v\n%s", res.StatusCode, err, raw)
		}
		switch {
		case res.StatusCode == http.StatusOK && (auth%6 != 1 || out.AccessToken == ""):
			t.Fatalf("tokens for %q with credentials %d:\n%s", body, auth%6, raw)
		case res.StatusCode != http.StatusOK && !slices.Contains(tokenErrors, out.Error):
			t.Fatalf("%d with error %q, not an RFC 6749 code:\n%s", res.StatusCode, out.Error, raw)
		}
	})
}

// FuzzLogout: whatever an RP-initiated logout request holds (GET or POST, with the
// real ID token as its hint or a fuzzed one, from a browser with a session or
// without), /logout answers below 500 and sends the browser nowhere but authd's own
// pages and registered post-logout URIs. "{hint}" in the query stands for the ID token.
func FuzzLogout(f *testing.F) {
	w := newFuzzWorld(f)
	for _, seed := range []struct {
		post    bool
		query   string
		session bool
	}{
		{false, "id_token_hint={hint}&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye&state=s", false},
		{false, "id_token_hint={hint}&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2Fbye", false},
		{false, "id_token_hint={hint}&post_logout_redirect_uri=https%3A%2F%2Fspa.example%2Fbye", false},
		{false, "client_id=authd_app_x&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye", true},
		{true, "confirm=1&csrf=x&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye", true},
		{false, "id_token_hint=eyJhbGciOiJub25lIn0.e30.&ui_locales=fr", true},
		{false, "", true},
		{true, "%zz", false},
	} {
		f.Add(seed.post, seed.query, seed.session)
	}
	f.Fuzz(func(t *testing.T, post bool, query string, session bool) {
		query = strings.ReplaceAll(query, "{hint}", w.idToken)
		client := w.stranger
		if session {
			client = w.session
		}
		target, method, body := w.e.srv.URL+"/logout?"+query, http.MethodGet, ""
		if post {
			target, method, body = w.e.srv.URL+"/logout", http.MethodPost, query
		}
		req, err := http.NewRequest(method, target, strings.NewReader(body))
		if err != nil {
			return // a URL net/http refuses to build (a control character): nothing to send
		}
		if post {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", w.e.srv.URL)
		}
		res, page := answer(t, client, req)
		if out := w.leavesFor(res, page); out != "" && (!w.registered(out) || !strings.Contains(out, "/bye")) {
			t.Fatalf("%s /logout %q sent the browser to %q, no app's post-logout URI", method, query, out)
		}
	})
}

// FuzzLoginForms: whatever is posted to the hosted login's forms (the address, the
// code, the consent; "{csrf}", "{request}" and "{code_id}" stand for the real values
// of a login under way in this browser), with or without the browser's Origin, the
// answer is below 500, leads only to authd's pages or a registered redirect URI, and
// carries no script of its own.
func FuzzLoginForms(f *testing.F) {
	w := newFuzzWorld(f)
	br := w.e.browser()
	flow := w.e.codeFlow(w.apps[1], w.apps[1].RedirectURIs[0], "openid", "email")
	p := br.get(flow.url("s"))
	login := hiddenFields(f, p.Body, "/login")
	p = br.submit(p, "/login", map[string]string{"email": "ada@example.com"})
	codeForm := hiddenFields(f, p.Body, "/login/code")
	values := strings.NewReplacer("{csrf}", login.Get("csrf"), "{request}", login.Get("request"),
		"{code_id}", codeForm.Get("code_id"))
	client := stayingBrowser(br.http.Jar)
	for _, seed := range []struct {
		form   uint8
		body   string
		origin bool
	}{
		{0, "csrf={csrf}&request={request}&email=ada%40example.com", true},
		{0, "csrf={csrf}&request={request}&email=nobody%40example.com", true},
		{0, "csrf={csrf}&request={request}&email=not-an-address", true},
		{0, "csrf={csrf}&request={request}&email=ada%40example.com", false},
		{1, "csrf={csrf}&request={request}&code_id={code_id}&email=ada%40example.com&code=000000", true},
		{1, "csrf={csrf}&request={request}&code_id={code_id}&code=12345678901234567890", true},
		{1, "csrf=x&request={request}&code_id={code_id}&code=000000", true},
		{2, "csrf={csrf}&request={request}&decision=allow", true},
		{2, "csrf={csrf}&request=00000000-0000-0000-0000-000000000000&decision=deny", true},
		{2, "%zz&csrf={csrf}&csrf=y", true},
	} {
		f.Add(seed.form, seed.body, seed.origin)
	}
	f.Fuzz(func(t *testing.T, form uint8, body string, origin bool) {
		action := []string{"/login", "/login/code", "/consent"}[form%3]
		body = values.Replace(body)
		req, err := http.NewRequest(http.MethodPost, w.e.srv.URL+action, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin {
			req.Header.Set("Origin", w.e.srv.URL)
		}
		res, page := answer(t, client, req)
		if out := w.leavesFor(res, page); out != "" && !w.registered(out) {
			t.Fatalf("POST %s %q sent the browser to %q, which no app registered", action, body, out)
		}
		if strings.Contains(strings.ToLower(page), "<script") {
			t.Fatalf("POST %s %q: a script in the page:\n%s", action, body, page)
		}
	})
}

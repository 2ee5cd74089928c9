package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authd/authd/config"
)

// The OpenID Foundation's OP test plans (Basic OP, Config OP, Form Post OP and
// RP-Initiated Logout OP of the conformance suite), one subtest per module, named
// after it. Each plays the suite's part: a registered web app with a secret and a
// redirect URI, a browser with a cookie jar that fills in the hosted pages, and the
// checks the module makes of what comes back.

// rp is the suite's client of one plan: an app, a browser, and how it asks.
type rp struct {
	t        *testing.T
	e        *env
	app      clientView
	redirect string
	formPost bool // response_mode=form_post (the Form Post plan)
	post     bool // client_secret_post instead of client_secret_basic
	b        *browser
	prov     *oidc.Provider
	email    string // the person who logs in
}

const rpRedirect = "http://127.0.0.1:9/cb"

// manyLogins lifts the per-address and per-IP limits on codes: a plan logs one person
// in again and again from one address, as the suite does.
func manyLogins(cfg *config.Config) {
	cfg.Limits.CodeSendsPerAddress15m, cfg.Limits.CodeSendsPerAddressDay, cfg.Limits.CodeSendsPerIP5m = 1000, 1000, 1000
	cfg.Limits.RequestsPerIPMinute = 0
}

func newRP(t *testing.T, e *env, formPost bool) *rp {
	t.Helper()
	if e.root == "" {
		e.signup("ada@example.com", "ada")
	}
	app := e.registerApp(map[string]any{"name": "Conformance", "type": "web", "redirectURIs": []string{rpRedirect},
		"postLogoutRedirectURIs": []string{rpRedirect + "/logged-out"}, "firstParty": true})
	prov, err := oidc.NewProvider(context.Background(), e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &rp{t: t, e: e, app: app, redirect: rpRedirect, formPost: formPost, b: e.browser(), prov: prov, email: "ada@example.com"}
}

func random() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// request is an authorization request: the parameters the suite sends, with a
// fresh state, nonce and PKCE pair; set overrides them ("" deletes one).
type request struct {
	params   url.Values
	verifier string
}

func (o *rp) request(set ...string) *request {
	verifier := oauth2.GenerateVerifier()
	q := url.Values{"response_type": {"code"}, "client_id": {o.app.ClientID}, "redirect_uri": {o.redirect},
		"scope": {"openid"}, "state": {random()}, "nonce": {random()}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"}}
	if o.formPost {
		q.Set("response_mode", "form_post")
	}
	for i := 0; i+1 < len(set); i += 2 {
		if set[i+1] == "" {
			q.Del(set[i])
		} else {
			q.Set(set[i], set[i+1])
		}
	}
	return &request{params: q, verifier: verifier}
}

func (q *request) url(base string) string { return base + "/authorize?" + q.params.Encode() }

// answer is what came back to the redirect URI: by a 303 with the query, or as the
// auto-submitted form of form_post. Every answer, a code or an error, must name the
// issuer (RFC 9207; the suite checks iss whenever a response carries one).
func (o *rp) answer(p page) url.Values {
	o.t.Helper()
	p = o.b.allowIfAsked(p)
	var got url.Values
	if o.formPost {
		if p.Status != 200 || !strings.Contains(p.Body, `action="`+o.redirect+`"`) ||
			!strings.Contains(p.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			o.t.Fatalf("no form_post page: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		got = hiddenFields(o.t, p.Body, o.redirect)
	} else {
		got = o.b.callback(p).Query()
	}
	if iss := got.Get("iss"); iss != o.e.srv.URL {
		o.t.Errorf("the authorization response names issuer %q, want %q: %v", iss, o.e.srv.URL, got)
	}
	return got
}

// loginPage reports a page asking for the address (a login is needed).
func loginPage(p page) bool { return p.Status == 200 && strings.Contains(p.Body, `type="email"`) }

// authorize sends q and, when authd asks, logs in; it returns the answer and whether
// a login happened.
func (o *rp) authorize(q *request) (url.Values, bool) {
	o.t.Helper()
	p := o.b.get(q.url(o.e.srv.URL))
	if !loginPage(p) {
		return o.answer(p), false
	}
	p = o.b.submit(p, "/login", map[string]string{"email": o.email})
	p = o.b.submit(p, "/login/code", map[string]string{"code": o.e.smtp.CodeFor(o.t, o.email, 10*time.Second)})
	return o.answer(p), true
}

// tokens is a token endpoint answer.
type tokens struct {
	Status       int
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Scope        string `json:"scope"`
	Error        string `json:"error"`
}

func (o *rp) token(form url.Values) tokens {
	o.t.Helper()
	if o.post {
		form.Set("client_id", o.app.ClientID)
		form.Set("client_secret", o.app.ClientSecret)
	}
	req, _ := http.NewRequest(http.MethodPost, o.e.srv.URL+o.e.prefix+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !o.post {
		req.SetBasicAuth(url.QueryEscape(o.app.ClientID), url.QueryEscape(o.app.ClientSecret))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var out tokens
	if err := json.Unmarshal(body, &out); err != nil {
		o.t.Fatalf("token endpoint: %d %s", res.StatusCode, body)
	}
	out.Status = res.StatusCode
	return out
}

func (o *rp) exchange(code string, q *request) tokens {
	o.t.Helper()
	return o.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {o.redirect},
		"code_verifier": {q.verifier}})
}

// idClaims are the ID token claims the modules look at.
type idClaims struct {
	Iss, Sub, Nonce, Azp, Sid, AtHash, Acr string
	Aud                                    any
	Exp, Iat, AuthTime                     int64
	Amr                                    []string
	Email                                  string
	EmailVerified                          *bool  `json:"email_verified"`
	Name                                   string `json:"name"`
	Username                               string `json:"preferred_username"`
}

// verifyID checks an ID token as the suite does (signature against the JWKS, iss,
// aud, exp, the nonce sent, at_hash against the access token) and returns its claims.
func (o *rp) verifyID(t tokens, q *request) idClaims {
	o.t.Helper()
	idt, err := o.prov.Verifier(&oidc.Config{ClientID: o.app.ClientID}).Verify(context.Background(), t.IDToken)
	if err != nil {
		o.t.Fatalf("ID token: %v", err)
	}
	if want := q.params.Get("nonce"); idt.Nonce != want {
		o.t.Errorf("nonce %q, want %q", idt.Nonce, want)
	}
	if err := idt.VerifyAccessToken(t.AccessToken); err != nil {
		o.t.Errorf("at_hash: %v", err)
	}
	var raw map[string]any
	_ = idt.Claims(&raw)
	var c idClaims
	b, _ := json.Marshal(raw)
	_ = json.Unmarshal(b, &c)
	c.AuthTime, c.AtHash = int64(num(raw["auth_time"])), str(raw["at_hash"])
	if c.Sub == "" || c.Iat == 0 || c.Exp <= c.Iat || c.AuthTime == 0 || c.AtHash == "" || c.Azp != o.app.ClientID {
		o.t.Errorf("ID token claims: %+v", raw)
	}
	return c
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// flow is a whole login: authorize (logging in when asked), then the exchange.
func (o *rp) flow(set ...string) (tokens, idClaims, *request) {
	o.t.Helper()
	q := o.request(set...)
	a, _ := o.authorize(q)
	if a.Get("state") != q.params.Get("state") || a.Get("code") == "" {
		o.t.Fatalf("authorization answer: %v", a)
	}
	tok := o.exchange(a.Get("code"), q)
	if tok.Status != 200 || tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.IDToken == "" || tok.ExpiresIn <= 0 {
		o.t.Fatalf("exchange: %+v", tok)
	}
	return tok, o.verifyID(tok, q), q
}

// userinfo calls the userinfo endpoint the way the modules do.
func (o *rp) userinfo(method, token string, inBody bool) (int, map[string]any) {
	o.t.Helper()
	var body io.Reader
	if inBody {
		body = strings.NewReader(url.Values{"access_token": {token}}.Encode())
	}
	req, _ := http.NewRequest(method, o.e.srv.URL+o.e.prefix+"/userinfo", body)
	if inBody {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// getJSON GETs url and decodes its JSON answer, which must be a 200.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

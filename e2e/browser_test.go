package e2e

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browser is a person's web browser for the hosted pages: a cookie jar, forms posted
// as a browser posts them, and redirects followed only within authd, so the test sees
// what the app's redirect URI receives.
type browser struct {
	t    testing.TB
	e    *env
	http *http.Client
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	authd, _ := url.Parse(e.srv.URL)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != authd.Host {
			return http.ErrUseLastResponse // the app's redirect URI: the test reads it
		}
		return nil
	}}
	return &browser{t: e.t, e: e, http: c}
}

// page is a response the browser got: its status, final URL, and body.
type page struct {
	Status   int
	URL      *url.URL
	Location string
	Body     string
	Header   http.Header
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	req.Header.Set("User-Agent", "Mozilla/5.0 (test browser)")
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, URL: res.Request.URL, Location: res.Header.Get("Location"), Body: string(body), Header: res.Header}
}

func (b *browser) get(raw string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// submit posts the page's form whose action is action, with its hidden fields and
// the given ones, as a browser would.
func (b *browser) submit(p page, action string, fields map[string]string) page {
	b.t.Helper()
	form := hiddenFields(b.t, p.Body, action)
	for k, v := range fields {
		form.Set(k, v)
	}
	target := p.URL.ResolveReference(&url.URL{Path: action})
	req, err := http.NewRequest(http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.e.srv.URL)
	return b.do(req)
}

var (
	formRE   = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)">(.*?)</form>`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

func hiddenFields(t testing.TB, body, action string) url.Values {
	t.Helper()
	for _, m := range formRE.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[1]) != action {
			continue
		}
		v := url.Values{}
		for _, f := range hiddenRE.FindAllStringSubmatch(m[2], -1) {
			v.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
		}
		return v
	}
	t.Fatalf("no form posting to %s in:\n%s", action, body)
	return nil
}

// logIn goes through the hosted login from an authorization URL: the address page,
// the emailed code, the consent page when a third-party app asks for the first time
// (allowed), and back to the app. It returns the app's callback URL.
func (b *browser) logIn(authorizeURL, address string) *url.URL {
	b.t.Helper()
	p := b.get(authorizeURL)
	if p.Status != 200 || !strings.Contains(p.Body, `type="email"`) {
		b.t.Fatalf("the authorization request did not reach the login page: %d %s\n%s", p.Status, p.URL, p.Body)
	}
	p = b.submit(p, "/login", map[string]string{"email": address})
	if p.Status != 200 || !strings.Contains(p.Body, `autocomplete="one-time-code"`) {
		b.t.Fatalf("the address page: %d\n%s", p.Status, p.Body)
	}
	code := b.e.smtp.CodeFor(b.t, address, 10*time.Second)
	p = b.submit(p, "/login/code", map[string]string{"code": code})
	return b.callback(b.allowIfAsked(p))
}

// allowIfAsked allows what a consent page asks; any other page passes through.
func (b *browser) allowIfAsked(p page) page {
	b.t.Helper()
	if p.Status == 200 && p.URL.Path == "/consent" {
		return b.submit(p, "/consent", map[string]string{"decision": "allow"})
	}
	return p
}

// callback is where the app got sent back to (a 303 out of authd).
func (b *browser) callback(p page) *url.URL {
	b.t.Helper()
	if p.Status != http.StatusSeeOther || p.Location == "" {
		b.t.Fatalf("authd did not send the browser back to the app: %d\n%s", p.Status, p.Body)
	}
	u, err := url.Parse(p.Location)
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}
